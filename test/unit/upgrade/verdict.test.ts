import type { DaemonSnapshot } from '../../../src/collector/snapshot';
import type { StorageConfig } from '../../../src/docker/storageConfig';
import { detectPlatform, remediesFor } from '../../../src/upgrade/remedies';
import { buildReport } from '../../../src/upgrade/report';
import { PLAIN, renderReport } from '../../../src/upgrade/reportText';
import type { ScanResult } from '../../../src/scan/dataRoot';
import { upgradeVerdict } from '../../../src/upgrade/verdict';

const known = (source: 'flag' | 'config_file' | 'env' | 'none'): StorageConfig => ({
  known: true,
  source,
  pid: 1,
  configFile: '/etc/docker/daemon.json',
  rootless: false,
  dataRoot: '/var/lib/docker',
  configuration: { commandLine: new Map(source === 'flag' ? [['storage-driver', 'devicemapper']] : []) },
});
const unknown: StorageConfig = { known: false, reason: 'cannot read pid file /var/run/docker.pid: EACCES' };

function snapshot(driver: string, explicit: StorageConfig, extra: Partial<DaemonSnapshot> = {}): DaemonSnapshot {
  return {
    up: true,
    engine: 'docker',
    info: { driver, serverVersion: '24.0.7', dockerRootDir: '/var/lib/docker', warnings: [], containerdSnapshotter: false, images: 4 },
    containers: [
      { id: 'a', name: 'web', image: 'nginx', state: 'running', networkMode: 'bridge', health: 'none' },
      { id: 'b', name: 'legacy', image: 'haproxy', state: 'running', networkMode: 'host', health: 'none' },
    ],
    volumes: 2,
    storageConfig: explicit,
    eventStreamConnected: true,
    collectors: [],
    parseErrors: new Map(),
    ...extra,
  };
}

function scan(priorDrivers: string[], orphaned: ScanResult['orphaned'] = []): ScanResult {
  return {
    root: '/var/lib/docker',
    driver: 'x',
    topLevel: new Map(),
    orphaned,
    unmeasured: [],
    orphanedLayers: 0,
    buildCacheBytes: 0,
    reclaimable: new Map(),
    volumeBytes: new Map(),
    errors: new Map(),
    examples: [],
    priorDrivers,
    driverDirs: priorDrivers,
    complete: true,
    files: 0,
  };
}

describe('upgradeVerdict', () => {
  it('devicemapper picked by the daemon: removed and not explicit', () => {
    const v = upgradeVerdict(snapshot('devicemapper', known('none')), scan(['devicemapper']));
    expect(v?.blockers).toEqual({
      removed_driver: true,
      deprecated_driver_not_explicit: true,
      several_prior_drivers_not_explicit: false,
      daemon_config_invalid: false,
    });
    expect([v?.recreateContainers, v?.recreateImages]).toEqual([2, 4]);
    // Running 24: a restart refuses; 25 and 29 start without the containers.
    expect(v?.outcomes.map((o) => `${o.targetMajor}:${o.outcome}`)).toEqual([
      '24:refuses_to_start',
      '25:starts_without_containers',
      '29:starts_without_containers',
    ]);
  });

  it('devicemapper pinned in daemon.json: still removed in 25, but starts', () => {
    const v = upgradeVerdict(snapshot('devicemapper', known('config_file')), scan(['devicemapper']));
    expect(v?.blockers).toEqual({
      removed_driver: true,
      deprecated_driver_not_explicit: false,
      several_prior_drivers_not_explicit: false,
      daemon_config_invalid: false,
    });
  });

  it('overlay2 after a migration, old devicemapper data left, nothing explicit: Docker 23/24 refuse to choose', () => {
    const v = upgradeVerdict(snapshot('overlay2', known('none')), scan(['devicemapper', 'overlay2']));
    expect(v?.blockers.several_prior_drivers_not_explicit).toBe(true);
    expect(v?.blockers.removed_driver).toBe(false);
    expect([v?.recreateContainers, v?.recreateImages]).toEqual([0, 0]);
  });

  it('Docker 25 with old devicemapper data left beside overlay2: 25 and later ignore it (not compiled in), so nothing blocks', () => {
    const on25 = (s: DaemonSnapshot): DaemonSnapshot => ({
      ...s,
      info: { ...(s.info as NonNullable<DaemonSnapshot['info']>), serverVersion: '25.0.3' },
    });
    const v = upgradeVerdict(on25(snapshot('overlay2', known('none'))), scan(['devicemapper', 'overlay2']));
    expect(v?.outcomes.map((o) => `${o.targetMajor}:${o.outcome}`)).toEqual(['25:starts', '29:starts']);
    expect(v?.blockers.several_prior_drivers_not_explicit).toBe(false);
    // The same data on 24: the restart refuses to choose.
    expect(upgradeVerdict(snapshot('overlay2', known('none')), scan(['devicemapper', 'overlay2']))?.outcomes[0]).toMatchObject({
      outcome: 'refuses_to_start',
      cause: 'several_prior_drivers',
    });
  });

  it('says "cannot tell" rather than guessing', () => {
    const v = upgradeVerdict(snapshot('devicemapper', unknown), undefined);
    expect(v?.blockers).toEqual({
      removed_driver: true,
      deprecated_driver_not_explicit: undefined,
      several_prior_drivers_not_explicit: undefined,
      daemon_config_invalid: undefined,
    });
    expect(v?.outcomes.map((o) => o.outcome)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(upgradeVerdict(snapshot('overlay2', known('none')), undefined)?.blockers.several_prior_drivers_not_explicit).toBeUndefined();
    // Explicit settles it even without a scan.
    expect(upgradeVerdict(snapshot('overlay2', known('flag')), undefined)?.blockers.several_prior_drivers_not_explicit).toBe(false);
  });

  it('has no verdict for a daemon that did not answer', () => {
    expect(upgradeVerdict({ ...snapshot('overlay2', known('none')), up: false, info: undefined }, undefined)).toBeUndefined();
  });
});

describe('remedies, chosen by what the host is', () => {
  const probe = (paths: string[], programs: string[] = []) => ({
    exists: (p: string) => paths.includes(p),
    onPath: (p: string) => programs.includes(p),
  });
  it('is the platform procedure with fc-manage, NixOS settings on NixOS, daemon.json elsewhere', () => {
    expect(detectPlatform(probe([], ['fc-manage']))).toBe('flyingcircus');
    expect(detectPlatform(probe(['/etc/NIXOS']))).toBe('nixos');
    expect(detectPlatform(probe([]))).toBe('daemon-json');
  });
  it('names the file the daemon reads', () => {
    expect(remediesFor('daemon-json', '/home/u/.config/docker/daemon.json').pinDriver('devicemapper')).toBe(
      'Set "storage-driver": "devicemapper" in /home/u/.config/docker/daemon.json (and no --storage-driver flag), then sudo systemctl restart docker.',
    );
    expect(remediesFor('flyingcircus').switchDriver('overlay2')).toContain(
      '/etc/local/nixos/docker.nix (any *.nix file in /etc/local/nixos): virtualisation.docker.daemon.settings = { storage-driver = "overlay2"; };',
    );
    expect(remediesFor('nixos').pinDriver('overlay2')).toContain('nixos-rebuild switch');
  });
  it('on NixOS, says the switch restarts Docker, puts it after the saves and copies, and keeps the setting', () => {
    for (const platform of ['nixos', 'flyingcircus'] as const) {
      const switchStep = remediesFor(platform).switchDriver('overlay2');
      expect(switchStep).toMatch(/^Only after the images are saved and what the containers wrote in their writable layers is copied out: /);
      expect(switchStep).toMatch(
        /switch: it restarts Docker at once .* stopping every container; \/etc\/docker\/daemon.json does not apply/,
      );
      expect(switchStep).toMatch(/Keep the setting afterwards: it is the pin\.$/);
      expect(remediesFor(platform).pinDriver('devicemapper')).toMatch(
        /restarts Docker at once.*Containers with a restart policy start again/,
      );
    }
  });
  it('takes a daemon.json in /nix/store for NixOS where /etc/NIXOS cannot be seen (the exporter in a container)', () => {
    expect(detectPlatform(probe([]), '/nix/store/0n6p-daemon.json')).toBe('nixos');
    expect(detectPlatform(probe([]), '/etc/docker/daemon.json')).toBe('daemon-json');
  });
  it('puts daemon.json in the steps of a report for a host that is not NixOS', () => {
    const report = buildReport({
      snapshot: snapshot('devicemapper', known('none')),
      scanSkipped: true,
      limit: 10,
      remedies: remediesFor('daemon-json'),
    });
    expect(report.verdict.next_steps[0]).toContain('"storage-driver": "devicemapper" in /etc/docker/daemon.json');
    expect(report.verdict.next_steps.join(' ')).not.toContain('fc-manage');
  });
});

describe('buildReport and its text', () => {
  it('blocks a devicemapper host picked by the daemon, with the steps in order', () => {
    const report = buildReport({
      snapshot: snapshot('devicemapper', known('none')),
      scan: scan(['devicemapper'], [{ driver: 'vfs', reason: 'inactive_driver', bytes: 2_500_000_000 }]),
      scanSkipped: false,
      images: ['nginx:1', 'haproxy:2'],
      limit: 10,
      remedies: remediesFor('flyingcircus'),
    });
    expect(report.exit_code).toBe(2);
    expect(report.verdict.blockers.map((b) => b.reason)).toEqual([
      'removed_driver',
      'deprecated_driver_not_explicit',
      'refuses_to_start',
      'starts_without_containers',
      'starts_without_containers',
    ]);
    expect(report.upgrade.map((u) => [u.target_version, u.restart, u.outcome])).toEqual([
      [24, true, 'refuses_to_start'],
      [25, false, 'starts_without_containers'],
      [29, false, 'starts_without_containers'],
    ]);
    expect(report.verdict.warnings.map((w) => w.reason)).toEqual(['host_network', 'orphaned_data']);
    expect(report.verdict.next_steps[0]).toContain('storage-driver = "devicemapper"');
    expect(report.verdict.next_steps[1]).toContain('docker rm');
    expect(report.verdict.next_steps[2]).toContain('storage-driver = "overlay2"');
    // The last step gives the disk back: what reclaim removes of what was left, and what it needs.
    expect(report.verdict.next_steps.at(-1)).toBe(
      'Once you will not switch back, give the disk back: sudo docker-daemon-exporter reclaim lists what it would remove of the 2.50 GB left behind (a dry run), reclaim --yes removes it; it refuses unless the driver in use is explicitly configured, and leaves volumes.',
    );
    const text = renderReport(report, PLAIN);
    expect(text).toContain('devicemapper on unknown filesystem: deprecated since 18.09, removed in Docker Engine 25');
    expect(text).toContain('2.50 GB  vfs (inactive_driver)');
    expect(text).toContain('BLOCKED');
  });

  it('is OK for a clean overlay2 host', () => {
    const s = snapshot('overlay2', known('none'), { containers: [] });
    const report = buildReport({
      snapshot: s,
      scan: scan(['overlay2']),
      scanSkipped: false,
      limit: 10,
      remedies: remediesFor('daemon-json'),
    });
    expect(report.verdict).toEqual({ status: 'ok', blockers: [], warnings: [], next_steps: [] });
    expect(report.recreate).toEqual({ required: false });
  });

  it('does not send the operator to reclaim for leaked layers of the driver in use, which it does not remove', () => {
    const report = buildReport({
      snapshot: snapshot('overlay2', known('none'), { containers: [] }),
      scan: scan(['overlay2'], [{ driver: 'overlay2', reason: 'unreferenced_layer', bytes: 2_000_000_000 }]),
      scanSkipped: false,
      limit: 10,
      remedies: remediesFor('daemon-json'),
    });
    expect(report.verdict.warnings.map((w) => w.reason)).toEqual(['orphaned_data']);
    expect(report.verdict.next_steps.join(' ')).not.toContain('reclaim');
  });
});
