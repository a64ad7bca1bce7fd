import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { alertsFiringFor } from '../helpers/alertsFor';
import { runCli } from '../helpers/cli';
import { Metrics, TestExporter } from '../helpers/exporter';
import { TestRootlessDaemon } from '../helpers/rootlessDockerd';
import { startFakeDockerd, stopPid, waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

/**
 * A real rootless dockerd (Debian's 20.10 under Debian's RootlessKit), started
 * by an unprivileged user with dockerd-rootless.sh: nothing of its
 * configuration is where a rootful daemon keeps it.
 */
describe('a real rootless dockerd, started by an unprivileged user', () => {
  const dir = tempDir('rootless-real');
  const daemon = new TestRootlessDaemon(dir);
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const PINNED = '{"storage-driver": "vfs"}';

  async function check(as?: { uid: number; gid: number }): Promise<Report> {
    const { stdout } = await runCli(
      ['check', '--format', 'json', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile],
      process.env,
      as,
    );
    return JSON.parse(stdout) as Report;
  }

  beforeAll(async () => {
    await daemon.start(PINNED);
    await daemon.importBusybox();
    // No host networking: a rootless daemon here cannot enter the host's network namespace. A short stop timeout: busybox's sleep ignores SIGTERM.
    await daemon.docker('run', '-d', '--stop-timeout', '1', '--network', 'none', '--name', 'rl-running', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '--network', 'none', '--name', 'rl-exited', 'busybox:test', 'true');
  }, 120000);
  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('check: its daemon.json under $XDG_CONFIG_HOME, its data root under $HOME, the driver explicit', async () => {
    const report = await check();
    expect(report.daemon.data_root).toBe(daemon.dataRoot);
    expect(report.storage_driver?.name).toBe('vfs');
    expect(report.storage_driver?.explicit).toEqual({ known: true, configured: true, source: 'config_file' });
    expect(report.daemon_config).toEqual({ file: daemon.configFile, valid: true });
    expect(report.upgrade.find((u) => u.restart)).toMatchObject({ outcome: 'starts' });
    expect(report.verdict.blockers).toEqual([]);
    expect(report.data_root_scan).toBe('complete');
    expect(report.exit_code).toBe(0);
  });

  it("check run as the daemon's own user (as a systemd --user unit runs it) says the same", async () => {
    const asRoot = await check();
    const asUser = await check(daemon.user);
    expect(asUser.storage_driver?.explicit).toEqual({ known: true, configured: true, source: 'config_file' });
    expect(asUser.daemon_config).toEqual(asRoot.daemon_config);
    expect(asUser.upgrade).toEqual(asRoot.upgrade);
    expect(asUser.data_root_scan).toBe('complete');
    expect(asUser.exit_code).toBe(0);
  });

  it('the exporter: explicit from the config file, the configuration valid, its data root scanned with nothing orphaned', async () => {
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
    const m: Metrics = await waitFor('a data-root scan', async () => {
      const scraped = await exporter.scrape();
      return scraped.value('docker_data_root_scan_success') === 1 ? scraped : undefined;
    });
    expect(m.value('docker_storage_driver_explicit', { source: 'config_file' })).toBe(1);
    expect(m.value('docker_containers', { state: 'running', network_mode: 'none' })).toBe(1);
    expect(m.value('docker_containers', { state: 'exited', network_mode: 'none' })).toBe(1);
    expect(m.value('docker_daemon_config_valid')).toBe(1);
    expect(m.all('docker_upgrade_blocker').filter((s) => s.value === 1)).toEqual([]);
    expect(m.all('docker_data_root_orphaned_bytes')).toEqual([]);
    await exporter.stop();
  });

  it('a trailing comma in its daemon.json: predicted fails_to_start, and the rootless dockerd then fails with the predicted words', async () => {
    const broken = '{\n  "storage-driver": "vfs",\n}';
    writeFileSync(daemon.configFile, broken);
    const predicted = `unable to configure the Docker daemon with file ${daemon.configFile}: invalid character '}' looking for beginning of object key string`;
    const report = await check();
    expect(report.daemon_config).toEqual({ file: daemon.configFile, valid: false, problem: predicted });
    expect(report.upgrade.find((u) => u.restart)).toMatchObject({ outcome: 'fails_to_start', reason: predicted });

    await daemon.stop();
    await expect(daemon.start(broken)).rejects.toThrow(/rootless dockerd exited/);
    expect(readFileSync(daemon.logFile, 'utf8')).toContain(predicted);
    await daemon.start(PINNED);
  }, 120000);
});

/**
 * The case that paged falsely: a rootless dockerd on the deprecated legacy
 * overlay driver (this kernel lets an unprivileged user mount it), pinned in
 * its own daemon.json, is configured correctly; the same daemon restarted
 * without the pin picks its prior overlay data by itself, and then it is not.
 * One exporter follows it through the restart (a new pid in the same pid file).
 */
describe('a real rootless dockerd on the deprecated overlay driver, pinned and then not', () => {
  const dir = tempDir('rootless-overlay');
  const daemon = new TestRootlessDaemon(dir);
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));

  async function check(): Promise<Report> {
    const { stdout } = await runCli([
      'check',
      '--format',
      'json',
      '--no-scan',
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
    ]);
    return JSON.parse(stdout) as Report;
  }

  beforeAll(async () => {
    await daemon.start('{"storage-driver": "overlay"}');
    await daemon.importBusybox();
    await daemon.docker('run', '-d', '--stop-timeout', '1', '--network', 'none', '--name', 'rl-legacy', 'busybox:test', 'sleep', '1000');
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--no-scan']);
  }, 120000);
  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('pinned in $XDG_CONFIG_HOME/docker/daemon.json: deprecated and explicit; DockerStorageDriverNotExplicit stays quiet', async () => {
    expect(daemon.logTail(200)).toContain('graphdriver(s)=overlay');
    const m = await exporter.scrape();
    expect(m.value('docker_storage_driver_deprecated', { driver: 'overlay' })).toBe(1);
    expect(m.value('docker_storage_driver_explicit', { source: 'config_file' })).toBe(1);
    expect(m.value('docker_upgrade_blocker', { reason: 'deprecated_driver_not_explicit' })).toBe(0);
    const firing = alertsFiringFor(m, dir);
    expect(firing).toContain('DockerStorageDriverDeprecated');
    expect(firing).not.toContain('DockerStorageDriverNotExplicit');
    const report = await check();
    expect(report.storage_driver?.explicit).toEqual({ known: true, configured: true, source: 'config_file' });
    expect(report.verdict.blockers.map((b) => b.reason)).not.toContain('deprecated_driver_not_explicit');
  });

  it('restarted without the pin: the daemon picks its prior overlay data itself, and the same exporter pages DockerStorageDriverNotExplicit', async () => {
    const before = daemon.pid;
    await daemon.stop();
    await daemon.start('{}');
    expect(daemon.pid).not.toBe(before);
    expect(daemon.logTail(400)).toContain('[graphdriver] using prior storage driver: overlay');
    const m = await waitFor('the exporter to see the restarted daemon unpinned', async () => {
      const scraped = await exporter.scrape();
      // 0 under source "none": nothing names the driver.
      return scraped.value('docker_storage_driver_explicit', { source: 'none' }) === 0 ? scraped : undefined;
    });
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_upgrade_blocker', { reason: 'deprecated_driver_not_explicit' })).toBe(1);
    expect(alertsFiringFor(m, dir)).toContain('DockerStorageDriverNotExplicit');
    const report = await check();
    expect(report.storage_driver?.explicit).toEqual({ known: true, configured: false, source: 'none' });
    expect(report.verdict.blockers.map((b) => b.reason)).toContain('deprecated_driver_not_explicit');
  }, 120000);
});

/**
 * A rootless dockerd on a driver no daemon here runs: run by RootlessKit (ROOTLESSKIT_STATE_DIR in its
 * environment), it reads $XDG_CONFIG_HOME/docker/daemon.json, not
 * /etc/docker/daemon.json, and keeps its data in $HOME/.local/share/docker.
 * Here a process whose /proc/<pid>/cmdline and environ are those of a rootless
 * dockerd (argv[0] dockerd, RootlessKit's environment), and a replayed API.
 */
describe('a rootless dockerd pinned to devicemapper (its process imitated, its API replayed)', () => {
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
      const { stdout } = await runCli([
        'check',
        '--format',
        'json',
        '--no-scan',
        '--docker.host',
        server.host,
        '--docker.pid-file',
        pidFile,
      ]);
      return JSON.parse(stdout) as Report;
    });
    expect(report.storage_driver?.explicit).toEqual({ known: true, configured: true, source: 'config_file' });
    expect(report.verdict.blockers.map((b) => b.reason)).not.toContain('deprecated_driver_not_explicit');
    // Pinned devicemapper: 24 starts; 25 fails on the removed driver.
    expect(report.upgrade.map((u) => `${u.target_version}:${u.outcome}`)).toEqual(['24:starts', '25:fails_to_start', '29:fails_to_start']);
    expect(report.verdict.next_steps.join('\n')).toContain(path.join(configHome, 'docker', 'daemon.json'));
  });
});
