import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Report } from '../../src/upgrade/report';
import { runCli } from '../helpers/cli';
import { EXPORTER_BIN } from '../helpers/exporter';
import { TestDaemon } from '../helpers/dockerd';
import { waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

const dir = tempDir('check');
const noConfig = path.join(dir, 'absent-daemon.json');

/** The JSON report's shape: what scripts rely on. */
function expectSchema(report: Report): void {
  expect(report.schema_version).toBe(1);
  expect(typeof report.daemon.reachable).toBe('boolean');
  expect(['ok', 'warning', 'blocked', 'unreachable']).toContain(report.verdict.status);
  expect(report.exit_code).toBe({ ok: 0, warning: 1, blocked: 2, unreachable: 3 }[report.verdict.status]);
  for (const f of [...report.verdict.blockers, ...report.verdict.warnings]) {
    expect(Object.keys(f).sort()).toEqual(['message', 'reason']);
  }
  expect(Array.isArray(report.orphaned)).toBe(true);
  expect(Array.isArray(report.host_network_containers)).toBe(true);
  expect(['complete', 'failed', 'skipped']).toContain(report.data_root_scan);
}

async function check(daemon: { host: string; pidFile: string }, ...extra: string[]): Promise<{ code: number; report: Report }> {
  const { code, stdout, stderr } = await runCli([
    'check',
    '--format',
    'json',
    '--docker.host',
    daemon.host,
    '--docker.pid-file',
    daemon.pidFile,
    '--docker.daemon-config',
    noConfig,
    ...extra,
  ]);
  let report: Report;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    throw new Error(`check printed no JSON (exit ${code}): ${stdout}\n${stderr}`);
  }
  expectSchema(report);
  expect(code).toBe(report.exit_code);
  return { code, report };
}

const reasons = (findings: { reason: string }[]) => findings.map((f) => f.reason).sort();

describe('check and textfile against a daemon on the legacy overlay driver', () => {
  const daemon = new TestDaemon(path.join(dir, 'overlay'));

  beforeAll(async () => {
    await daemon.start({ args: ['--storage-driver', 'overlay'] });
    await daemon.importBusybox();
    await daemon.docker('volume', 'create', 'data');
    // The daemon's log reaches its file a moment after the call: the CLI's calls must be in before a test counts the exporter's.
    await waitFor('the daemon to log the volume create', () =>
      daemon.apiCalls().some((c) => /^POST .*\/volumes\/create$/.test(c)) ? true : undefined,
    );
  });
  afterAll(() => daemon.stop());

  it('explicitly configured: blocked by the removed driver only; check and textfile send the daemon only GETs', async () => {
    const before = daemon.apiCalls().length;
    const { code, report } = await check(daemon);
    await runCli([
      'textfile',
      '--output',
      path.join(dir, 'readonly.prom'),
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
    ]);
    const calls = daemon.apiCalls().slice(before);
    expect(calls).toEqual(expect.arrayContaining(['GET /_ping', 'GET /info', 'GET /images/json']));
    expect(calls.filter((c) => !c.startsWith('GET '))).toEqual([]);
    expect(code).toBe(2);
    // Legacy overlay pinned: a restart works; Docker 25 fails on the removed driver, 29 finds no such snapshotter.
    expect(reasons(report.verdict.blockers)).toEqual(['fails_to_start', 'fails_to_start', 'removed_driver']);
    expect(report.upgrade.map((u) => `${u.target_version}:${u.outcome}`)).toEqual(['20:starts', '25:fails_to_start', '29:fails_to_start']);
    expect(report.storage_driver).toMatchObject({
      name: 'overlay',
      status: 'deprecated',
      removed_in_major: 24,
      explicit: { known: true, configured: true, source: 'flag' },
    });
  });

  it('picked by the daemon itself: blocked, and the report names what to re-create and how to pin the driver', async () => {
    await daemon.stop();
    await daemon.start();
    await daemon.docker('create', '--name', 'app', '-v', 'data:/data', 'busybox:test', 'true');
    await daemon.docker('run', '-d', '--name', 'proxy', '--network', 'host', 'busybox:test', 'sleep', '100000');
    // The platform's procedure, as a Flying Circus host gets it (this machine is plain Debian).
    const { code, report } = await check(daemon, '--remedies', 'flyingcircus');
    expect(code).toBe(2);
    // 20.10 restarts on it; from 24 legacy overlay is not compiled in, so its data is not recognised: the daemon starts empty.
    expect(reasons(report.verdict.blockers)).toEqual([
      'deprecated_driver_not_explicit',
      'removed_driver',
      'starts_without_containers',
      'starts_without_containers',
    ]);
    expect(report.storage_driver?.explicit).toEqual({ known: true, configured: false, source: 'none' });
    expect(report.recreate.containers).toEqual({ count: 2, names: ['app', 'proxy'], more: 0 });
    expect(report.recreate.images).toEqual({ count: 1, names: ['busybox:test'], more: 0 });
    expect(report.volumes).toEqual({ count: 1, affected: false });
    expect(report.host_network_containers).toEqual([{ name: 'proxy', image: 'busybox:test', state: 'running' }]);
    expect(report.verdict.next_steps[0]).toContain('virtualisation.docker.daemon.settings = { storage-driver = "overlay"; };');
    expect(report.verdict.next_steps.join('\n')).toContain('virtualisation.docker.daemon.settings = { storage-driver = "overlay2"; };');
  });

  it('on this Debian host, tells to pin the driver in the daemon.json the daemon reads (its --config-file)', async () => {
    const { report } = await check(daemon);
    expect(report.verdict.next_steps[0]).toContain(`"storage-driver": "overlay" in ${path.join(daemon.dir, 'no-daemon.json')}`);
    expect(report.verdict.next_steps.join('\n')).not.toContain('fc-manage');
  });

  it('names at most --limit containers', async () => {
    const { report } = await check(daemon, '--limit', '1');
    expect(report.recreate.containers).toEqual({ count: 2, names: ['app'], more: 1 });
  });

  it('prints plain text, without colour, when not on a terminal', async () => {
    const { code, stdout } = await runCli([
      'check',
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--docker.daemon-config',
      noConfig,
    ]);
    expect(code).toBe(2);
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).toContain('overlay on extfs: deprecated since 18.09, removed in Docker Engine 24');
    expect(stdout).toContain('BLOCKED');
    expect(stdout).toMatch(/containers: 2\n {4}- app\n {4}- proxy/);
  });

  it('colours the text on a terminal, unless NO_COLOR is set', () => {
    // script(1) gives the command a pseudo-terminal, as a person's shell would.
    const onTty = (env: string) =>
      execFileSync(
        'script',
        [
          '-qec',
          `${env} '${process.execPath}' '${EXPORTER_BIN}' check --docker.host '${daemon.host}' --docker.pid-file '${daemon.pidFile}' --docker.daemon-config '${noConfig}'; true`,
          '/dev/null',
        ],
        { encoding: 'utf8' },
      );
    expect(onTty('')).toContain('\u001b[31mBLOCKED');
    expect(onTty('NO_COLOR=1')).not.toContain('\u001b[');
  });

  it('textfile writes the same verdict as metrics, without process metrics, accepted by promtool', async () => {
    const file = path.join(dir, 'docker.prom');
    const { code, stderr } = await runCli([
      'textfile',
      '--output',
      file,
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--docker.daemon-config',
      noConfig,
    ]);
    expect([code, stderr]).toEqual([0, expect.any(String)]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('docker_upgrade_blocker{reason="removed_driver"} 1');
    expect(text).toContain('docker_upgrade_blocker{reason="deprecated_driver_not_explicit"} 1');
    expect(text).toContain('docker_upgrade_blocker{reason="several_prior_drivers_not_explicit"} 0');
    expect(text).toContain('docker_upgrade_blocker{reason="daemon_config_invalid"} 0');
    expect(text).toContain('docker_upgrade_outcome{target_version="20",restart="true",outcome="starts"} 1');
    expect(text).toContain('docker_upgrade_outcome{target_version="25",restart="false",outcome="starts_without_containers"} 1');
    expect(text).toContain('docker_upgrade_recreate_containers 2');
    expect(text).toContain('docker_upgrade_recreate_images 1');
    expect(text).toMatch(/^docker_data_root_scan_success 1$/m);
    expect(text).not.toMatch(/^(process|nodejs)_/m);
    expect(execFileSync('sh', ['-c', `promtool check metrics < '${file}'; echo "exit=$?"`], { encoding: 'utf8' }).trim()).toBe('exit=0');
  });

  it('textfile replaces the file atomically: a reader polling it never sees half of one', async () => {
    const file = path.join(dir, 'atomic.prom');
    writeFileSync(file, '# first\n');
    const seen = new Set<string>();
    let torn = 0;
    // Set to false by the test while the poller runs.
    const state = { polling: true };
    const poller = (async () => {
      while (state.polling) {
        const text = readFileSync(file, 'utf8');
        if (text !== '# first\n' && !(text.startsWith('# HELP') && text.endsWith('\n') && text.includes('docker_upgrade_recreate_images')))
          torn++;
        seen.add(text.length > 20 ? 'metrics' : text);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 5; i++) {
      const { code } = await runCli([
        'textfile',
        '--no-scan',
        '--output',
        file,
        '--docker.host',
        daemon.host,
        '--docker.pid-file',
        daemon.pidFile,
      ]);
      expect(code).toBe(0);
    }
    state.polling = false;
    await poller;
    expect(torn).toBe(0);
    expect(seen.has('metrics')).toBe(true);
  });

  it('textfile says clearly when it cannot write, and exits non-zero', async () => {
    const { code, stderr } = await runCli([
      'textfile',
      '--no-scan',
      '--output',
      path.join(dir, 'no-such-dir', 'x.prom'),
      '--docker.host',
      daemon.host,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot write ${path.join(dir, 'no-such-dir', 'x.prom')}: ENOENT`);
  });
});

describe('check against overlay2 daemons', () => {
  const daemon = new TestDaemon(path.join(dir, 'overlay2'));
  afterAll(() => daemon.stop());

  it('with a leftover vfs directory and no explicit driver: not blocked (dockerd ignores vfs), but warns of the orphaned data', async () => {
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    await daemon.importBusybox();
    await daemon.stop();
    await daemon.start();
    expect(await daemon.docker('info', '--format', '{{.Driver}}')).toBe('overlay2');
    const { code, report } = await check(daemon);
    expect(code).toBe(1);
    expect(report.verdict.blockers).toEqual([]);
    expect(reasons(report.verdict.warnings)).toEqual(['orphaned_data']);
    expect(report.orphaned.map((o) => `${o.driver}/${o.reason}`)).toEqual(['vfs/inactive_driver']);
    expect(report.storage_driver).toMatchObject({ status: 'supported', explicit: { known: true, configured: false } });
  });

  it('plain overlay2 with nothing left behind: OK, exit 0', async () => {
    await daemon.stop();
    execFileSync('rm', ['-rf', path.join(daemon.dataRoot, 'vfs'), path.join(daemon.dataRoot, 'image', 'vfs')]);
    await daemon.start();
    const { code, report } = await check(daemon);
    expect(report.verdict).toEqual({ status: 'ok', blockers: [], warnings: [], next_steps: [] });
    expect(code).toBe(0);
  });

  it("with another driver's data appearing and no explicit driver: blocked, as dockerd proves by refusing to start", async () => {
    mkdirSync(path.join(daemon.dataRoot, 'devicemapper', 'metadata'), { recursive: true });
    writeFileSync(path.join(daemon.dataRoot, 'devicemapper', 'metadata', 'base'), '{}');
    const { code, report } = await check(daemon);
    expect(code).toBe(2);
    expect(reasons(report.verdict.blockers)).toEqual(['refuses_to_start', 'several_prior_drivers_not_explicit']);
    expect(report.upgrade[0]).toMatchObject({
      target_version: 20,
      restart: true,
      outcome: 'refuses_to_start',
      reason: expect.stringContaining('contains several valid graphdrivers: devicemapper, overlay2'),
    });
    expect(report.verdict.blockers[0]?.message).toContain('devicemapper, overlay2');
    await daemon.stop();
    await expect(daemon.start()).rejects.toThrow(/contains several valid graphdrivers/);
  });

  it('with the daemon down: exit 3', async () => {
    await daemon.stop();
    const { code, report } = await check(daemon);
    expect(code).toBe(3);
    expect(report.daemon.reachable).toBe(false);
  });
});

describe('check against a replayed devicemapper host', () => {
  const fixture = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/devicemapper/loop-lvm-17.03.json'), 'utf8'));
  const server = new ReplayServer(path.join(dir, 'dm.sock'), daemonRoutes(fixture), '1.26');
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('is blocked by the removed driver, warns of loop-lvm and unknown configuration, and reports the thin pool', async () => {
    const { code, report } = await check(
      { host: server.host, pidFile: path.join(dir, 'none.pid') },
      '--no-scan',
      '--remedies',
      'flyingcircus',
    );
    expect(code).toBe(2);
    expect(reasons(report.verdict.blockers)).toEqual(['removed_driver']);
    // Docker 17.03: no rules read for it; 25 and 29: the configuration cannot be read. Unknown, never a guess.
    expect(reasons(report.verdict.warnings)).toEqual([
      'loop_lvm',
      'outcome_unknown',
      'outcome_unknown',
      'outcome_unknown',
      'unknown_configuration',
    ]);
    expect(report.storage_driver).toMatchObject({ name: 'devicemapper', removed_in_major: 25, explicit: { known: false } });
    expect(report.thin_pool).toEqual({
      data_used_bytes: 11_160_000_000,
      data_total_bytes: 107_400_000_000,
      data_available_bytes: 96_220_000_000,
      // Total − used, what dockerd compares with the minimum.
      data_free_bytes: 96_240_000_000,
      metadata_used_bytes: 8_757_000,
      metadata_total_bytes: 2_147_000_000,
      metadata_available_bytes: 2_139_000_000,
      metadata_free_bytes: 2_138_243_000,
      minimum_free_bytes: 10_740_000_000,
      loop_lvm: true,
      // A replayed pool is on no kernel here: not read, and why (the loop file's filesystem is not here either).
      kernel: { read: false, reason: expect.stringContaining('dmsetup') as string },
    });
    expect(report.data_root_scan).toBe('skipped');
    // Pinning comes first when it cannot be told whether the driver is pinned.
    expect(report.verdict.next_steps[0]).toContain('storage-driver = "devicemapper"');
  });
});
