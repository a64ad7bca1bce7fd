import { ChildProcess } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Report } from '../../src/upgrade/report';
import { runCli } from '../helpers/cli';
import { ENGINES_DIR, TestDaemon } from '../helpers/dockerd';
import { duBytes } from '../helpers/du';
import { TestExporter } from '../helpers/exporter';
import { startLogged, stopPid, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * A real dockerd 28.5 on the containerd image store, using a containerd 2.1
 * of its own (--containerd), not one it starts itself: its images and
 * snapshots live in containerd's root, outside the data root. check and
 * /metrics measure that root (read from containerd's config.toml) as du -sx
 * counts it.
 */
describe('dockerd 28 on the containerd image store with an external containerd', () => {
  const dir = tempDir('ctrd');
  const ctrd = path.join(dir, 'c');
  const config = path.join(ctrd, 'config.toml');
  const socket = path.join(ctrd, 'containerd.sock');
  const daemon = new TestDaemon(path.join(dir, 'd'), 28);
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let containerd: ChildProcess | undefined;

  beforeAll(async () => {
    mkdirSync(ctrd, { recursive: true });
    writeFileSync(config, `version = 3\nroot = "${ctrd}/root"\nstate = "${ctrd}/state"\n[grpc]\n  address = "${socket}"\n`);
    containerd = startLogged(
      path.join(ENGINES_DIR, 'docker28', 'usr', 'bin', 'containerd'),
      ['--config', config],
      path.join(ctrd, 'containerd.log'),
    );
    await waitFor('containerd to listen', () => {
      try {
        return statSync(socket).isSocket() ? true : undefined;
      } catch {
        return undefined;
      }
    });
    await daemon.start({ args: ['--containerd', socket], daemonJson: '{"features": {"containerd-snapshotter": true}}' });
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'app', '--network', 'none', 'busybox:test', 'true');
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
    await stopPid(containerd?.pid);
  });

  it('check measures the containerd root as du -sx does, beside the data root', async () => {
    const { stdout } = await runCli([
      'check',
      '--format',
      'json',
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--containerd.config',
      config,
    ]);
    const report = JSON.parse(stdout) as Report;
    expect(report.data_root_scan).toBe('complete');
    expect(report.containerd_root?.bytes).toBe(duBytes(path.join(ctrd, 'root')));
    // The image is there, not in the data root.
    expect(report.containerd_root?.bytes).toBeGreaterThan(1024 * 1024);
  });

  it('/metrics says the same in docker_containerd_root_bytes', async () => {
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--containerd.config', config]);
    const m = await waitFor('the scan', async () => {
      const scraped = await exporter.scrape();
      return scraped.value('docker_data_root_scan_success') === 1 ? scraped : undefined;
    });
    expect(m.value('docker_containerd_root_bytes')).toBe(duBytes(path.join(ctrd, 'root')));
  });
});
