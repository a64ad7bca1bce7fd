import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { startFakeDockerd, stopPid, waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

/**
 * A rootless dockerd: run by RootlessKit (ROOTLESSKIT_STATE_DIR in its
 * environment), it reads $XDG_CONFIG_HOME/docker/daemon.json, not
 * /etc/docker/daemon.json, and keeps its data in $HOME/.local/share/docker.
 * Here a process whose /proc/<pid>/cmdline and environ are those of a rootless
 * dockerd (argv[0] dockerd, RootlessKit's environment), and a replayed API.
 */
describe('a rootless dockerd', () => {
  const dir = tempDir('rootless');
  const home = path.join(dir, 'home');
  const configHome = path.join(home, 'config');
  const dataRoot = path.join(home, '.local', 'share', 'docker');
  const pidFile = path.join(dir, 'docker.pid');
  const server = new ReplayServer(
    path.join(dir, 'docker.sock'),
    daemonRoutes({ ServerVersion: '24.0.7', Driver: 'devicemapper', DriverStatus: [], Images: 1, DockerRootDir: dataRoot }),
  );
  let pid: number | undefined;

  beforeAll(async () => {
    mkdirSync(path.join(configHome, 'docker'), { recursive: true });
    mkdirSync(dataRoot, { recursive: true });
    writeFileSync(path.join(configHome, 'docker', 'daemon.json'), '{"storage-driver": "devicemapper"}');
    const child = startFakeDockerd(dir, [], {
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      XDG_RUNTIME_DIR: path.join(dir, 'run'),
      ROOTLESSKIT_STATE_DIR: path.join(dir, 'run', 'dockerd-rootless'),
    });
    pid = child.pid;
    writeFileSync(pidFile, `${pid}\n`);
    await server.start();
  });
  afterAll(async () => {
    await stopPid(pid);
    await server.stop();
  });

  it('is explicitly configured by the daemon.json under $XDG_CONFIG_HOME of its own environment', async () => {
    const report = await waitFor('check', async () => {
      const { stdout } = await runCli(['check', '--format', 'json', '--no-scan', '--docker.host', server.host, '--docker.pid-file', pidFile]);
      return JSON.parse(stdout) as Report;
    });
    expect(report.storage_driver?.explicit).toEqual({ known: true, configured: true, source: 'config_file' });
    expect(report.verdict.blockers.map((b) => b.reason)).not.toContain('deprecated_driver_not_explicit');
    // Pinned devicemapper: 24 starts; 25 fails on the removed driver.
    expect(report.upgrade.map((u) => `${u.target_version}:${u.outcome}`)).toEqual(['24:starts', '25:fails_to_start', '29:fails_to_start']);
    expect(report.verdict.next_steps.join('\n')).toContain(path.join(configHome, 'docker', 'daemon.json'));
  });
});
