import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/util/exitCodes';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { TestExporter } from '../helpers/exporter';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/** What runs in the activator's process: systemd-socket-activate until the first connection, dockerd after it (comm is cut at 15 characters). */
const commandOf = (pid: number | undefined) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

/**
 * NixOS always has docker.socket: any connection to /run/docker.sock starts a stopped dockerd. An operator who
 * stops Docker for the migration must not get it started again by the next scrape, check or plan.
 */
describe('a stopped dockerd whose socket a socket activator holds (systemd-socket-activate, as docker.socket)', () => {
  const dir = tempDir('docker-socket');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const target = () => ['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile];

  beforeAll(async () => {
    await daemon.start({ socketActivated: true, daemonJson: '{"storage-driver": "overlay2"}' });
    await exporter.start([...target(), '--no-scan', '--docker.min-interval', '0s']);
  });
  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('scrapes do not start it: docker_up 0 with reason not_woken, the activator named in the log', async () => {
    for (let i = 0; i < 3; i += 1) {
      const m = await exporter.scrape();
      expect(m.value('docker_up')).toBe(0);
      expect(m.value('docker_down_reason', { reason: 'not_woken' })).toBe(1);
    }
    await exporter.logged(/held by systemd-socket- \(pid \d+\) for socket activation: not connecting/);
    expect(commandOf(daemon.pid)).toBe('systemd-socket-');
    expect(existsSync(daemon.pidFile)).toBe(false);
  });

  it('check and plan say so, and leave it stopped', async () => {
    const check = await runCli(['check', ...target(), '--no-scan']);
    expect(check.code).toBe(EXIT.check.unreachable);
    expect(check.stdout).toMatch(/dockerd is stopped and only its socket activator .* holds .*systemctl start docker/);
    const plan = await runCli(['plan', ...target()]);
    expect(plan).toMatchObject({ code: EXIT.plan.unreachable, stderr: expect.stringContaining('for socket activation: not connecting') });
    expect(commandOf(daemon.pid)).toBe('systemd-socket-');
    expect(existsSync(daemon.pidFile)).toBe(false);
  });

  it('a client that means it (--docker.wake-socket-activated) starts it; then the exporter sees it running', async () => {
    const check = await runCli(['check', ...target(), '--no-scan', '--docker.wake-socket-activated', '--docker.timeout', '60s']);
    expect([EXIT.check.ok, EXIT.check.warning]).toContain(check.code);
    expect(commandOf(daemon.pid)).toBe('dockerd');
    expect(readFileSync(daemon.pidFile, 'utf8').trim()).toBe(String(daemon.pid));
    const m = await waitFor('the exporter to see the daemon up', async () => {
      const now = await exporter.scrape();
      return now.value('docker_up') === 1 ? now : undefined;
    });
    expect(m.all('docker_down_reason')).toEqual([]);
    expect(m.value('docker_storage_driver_explicit', { source: 'config_file' })).toBe(1);
  });
});
