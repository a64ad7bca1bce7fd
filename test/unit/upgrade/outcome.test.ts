import { DaemonConfiguration, Outcome, outcomeFor, outcomes, UpgradeFacts } from '../../../src/upgrade/outcome';

const config = (options: { flags?: Record<string, string>; file?: string | Buffer; env?: string } = {}): DaemonConfiguration => ({
  ...(options.env ? { envDriver: options.env } : {}),
  commandLine: new Map(Object.entries(options.flags ?? {})),
  ...(options.file !== undefined
    ? { daemonJson: { file: '/etc/docker/daemon.json', bytes: Buffer.isBuffer(options.file) ? options.file : Buffer.from(options.file) } }
    : {}),
});

function facts(
  driver: string,
  priorDirs: string[] | undefined,
  configuration: UpgradeFacts['configuration'],
  extra: Partial<UpgradeFacts> = {},
): UpgradeFacts {
  return {
    engine: 'docker',
    runningMajor: 20,
    driver,
    containerdStore: false,
    configuration,
    ...(priorDirs ? { priorDirs } : {}),
    dataRoot: '/var/lib/docker',
    containers: 3,
    images: 2,
    ...extra,
  };
}

const at = (f: UpgradeFacts, ...majors: number[]): Record<number, Outcome> =>
  Object.fromEntries(majors.map((m) => [m, outcomeFor(m, f)?.outcome as Outcome]));

/** Each row: a host as operators have them, and what every version does when it starts on it (moby's rules at each release tag). */
describe('what each Docker version does at start', () => {
  it('devicemapper picked by the daemon itself: refuses on 23 and 24, starts without its containers from 25 (devicemapper no longer recognised)', () => {
    const f = facts('devicemapper', ['devicemapper'], config());
    expect(at(f, 20, 23, 24, 25, 26, 27, 28, 29)).toEqual({
      20: 'starts',
      23: 'refuses_to_start',
      24: 'refuses_to_start',
      25: 'starts_without_containers',
      26: 'starts_without_containers',
      27: 'starts_without_containers',
      28: 'starts_without_containers',
      29: 'starts_without_containers',
    });
    expect(outcomeFor(24, f)?.reason).toBe(
      'failed to start daemon: error initializing graphdriver: prior storage driver devicemapper is deprecated and will be removed in a future release; update the the daemon configuration and explicitly choose this storage driver to continue using it; visit https://docs.docker.com/go/storage-driver/ for more information',
    );
    expect(outcomeFor(25, f)?.reason).toContain('starts on overlay2, not devicemapper');
    expect(outcomeFor(29, f)?.reason).toContain('the containerd image store');
  });

  it('devicemapper pinned in daemon.json: starts until 24, fails to start from 25 ("deprecated and removed"; on 29 no such snapshotter)', () => {
    const f = facts('devicemapper', ['devicemapper'], config({ file: '{"storage-driver": "devicemapper"}' }));
    expect(at(f, 20, 23, 24, 25, 29)).toEqual({ 20: 'starts', 23: 'starts', 24: 'starts', 25: 'fails_to_start', 29: 'fails_to_start' });
    expect(outcomeFor(25, f)?.reason).toBe(
      'failed to start daemon: error initializing graphdriver: [graphdriver] ERROR: the devicemapper storage-driver has been deprecated and removed; visit https://docs.docker.com/go/storage-driver/ for more information: devicemapper',
    );
    expect(outcomeFor(29, f)?.reason).toBe('failed to start daemon: configured driver "devicemapper" not available: unavailable');
  });

  it('legacy overlay picked by the daemon: refuses on 23, starts without its containers from 24 (no longer compiled in)', () => {
    expect(at(facts('overlay', ['overlay'], config()), 20, 23, 24, 25)).toEqual({
      20: 'starts',
      23: 'refuses_to_start',
      24: 'starts_without_containers',
      25: 'starts_without_containers',
    });
    expect(at(facts('overlay', ['overlay'], config({ flags: { 'storage-driver': 'overlay' } })), 23, 24)).toEqual({
      23: 'starts',
      24: 'fails_to_start',
    });
  });

  it('overlay2 with a devicemapper directory left behind and nothing explicit: refuses to choose up to 24, starts from 25', () => {
    const f = facts('overlay2', ['overlay2', 'devicemapper'], config());
    expect(at(f, 20, 23, 24, 25, 29)).toEqual({
      20: 'refuses_to_start',
      23: 'refuses_to_start',
      24: 'refuses_to_start',
      25: 'starts',
      29: 'starts',
    });
    expect(outcomeFor(23, f)?.reason).toBe(
      'failed to start daemon: error initializing graphdriver: /var/lib/docker contains several valid graphdrivers: devicemapper, overlay2; cleanup or explicitly choose storage driver (-s <DRIVER>)',
    );
  });

  it('a vfs daemon without explicit configuration restarts on overlay2: dockerd never picks vfs by itself', () => {
    expect(outcomeFor(20, facts('vfs', ['vfs'], config()))?.outcome).toBe('starts_without_containers');
  });

  it('the containerd image store chosen in daemon.json keeps starting on 29, whatever graph-driver directories are left', () => {
    const f = facts('overlayfs', ['overlay2', 'devicemapper'], config({ file: '{"features": {"containerd-snapshotter": true}}' }), {
      runningMajor: 29,
      containerdStore: true,
    });
    expect(outcomes([25, 29], f).map((o) => `${o.targetMajor}:${o.outcome}`)).toEqual(['29:starts']);
  });

  it('tells the image store each version starts on: the graph driver until 29, containerd on 29 for a fresh host, and 24-28 with the feature', () => {
    const store = (f: UpgradeFacts, ...majors: number[]) => Object.fromEntries(majors.map((m) => [m, outcomeFor(m, f)?.store]));
    expect(store(facts('overlay2', ['overlay2'], config()), 20, 28, 29)).toEqual({
      20: 'graphdriver',
      28: 'graphdriver',
      29: 'graphdriver',
    });
    expect(store(facts('overlay2', [], config(), { containers: 0, images: 0 }), 28, 29)).toEqual({ 28: 'graphdriver', 29: 'containerd' });
    expect(store(facts('overlay2', ['overlay2'], config({ file: '{"features": {"containerd-snapshotter": true}}' })), 23, 24, 28)).toEqual({
      23: 'graphdriver',
      24: 'containerd',
      28: 'containerd',
    });
    // Nothing to tell when it does not start.
    expect(store(facts('devicemapper', ['devicemapper'], config({ flags: { 'storage-driver': 'devicemapper' } })), 25)).toEqual({
      25: undefined,
    });
  });

  it("Docker 29's containerd-migration: a graph-driver daemon with no containers and no images moves to containerd; images stay unless under the threshold", () => {
    const migrate = config({ file: '{"features": {"containerd-migration": true}}' });
    const empty = facts('overlay2', ['overlay2'], migrate, { containers: 0, images: 0 });
    expect([outcomeFor(29, empty)?.outcome, outcomeFor(29, empty)?.store, outcomeFor(28, empty)?.store]).toEqual([
      'starts',
      'containerd',
      'graphdriver',
    ]);
    // Images (with layers) and no threshold: stays on overlay2.
    expect(outcomeFor(29, facts('overlay2', ['overlay2'], migrate, { containers: 0, images: 3 }))?.store).toBe('graphdriver');
    // A threshold: it depends on the images' sizes, which are not known: no store said.
    const withThreshold: DaemonConfiguration = { ...migrate, envMigrationThreshold: '20GB' };
    const v = outcomeFor(29, facts('overlay2', ['overlay2'], withThreshold, { containers: 0, images: 3 }));
    expect([v?.outcome, v?.store]).toEqual(['starts', undefined]);
    expect(v?.reason).toContain('at most 20000000000 bytes');
    // Containers: never migrated.
    expect(outcomeFor(29, facts('overlay2', ['overlay2'], withThreshold, { containers: 1, images: 3 }))?.store).toBe('graphdriver');
  });

  it('an empty daemon loses nothing by changing driver', () => {
    expect(outcomeFor(25, facts('devicemapper', ['devicemapper'], config(), { containers: 0, images: 0 }))?.outcome).toBe('starts');
  });
});

describe('daemon.json as each version reads it', () => {
  it.each([
    [
      'a comment',
      '{\n  // pinned for the upgrade\n  "storage-driver": "devicemapper"\n}',
      "invalid character '/' looking for beginning of object key string",
    ],
    ['a trailing comma', '{"storage-driver": "devicemapper",}', "invalid character '}' looking for beginning of object key string"],
    ['no object', '["storage-driver"]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    [
      'a misspelt key',
      '{"storage_driver": "devicemapper"}',
      "the following directives don't match any configuration option: storage_driver",
    ],
  ])('with %s, no version starts', (_what, text, message) => {
    const f = facts('devicemapper', ['devicemapper'], config({ file: text }));
    for (const major of [20, 23, 24, 25, 29]) {
      expect(outcomeFor(major, f)).toMatchObject({
        outcome: 'fails_to_start',
        reason: `unable to configure the Docker daemon with file /etc/docker/daemon.json: ${message}`,
      });
    }
  });

  it('refuses a directive given both as a flag and in the file, naming both values', () => {
    const f = facts(
      'overlay2',
      ['overlay2'],
      config({ flags: { 'storage-driver': 'overlay2' }, file: '{"storage-driver": "devicemapper"}' }),
    );
    expect(outcomeFor(20, f)?.reason).toBe(
      'unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives are specified both as a flag and in the configuration file: storage-driver: (from flag: overlay2, from file: devicemapper)',
    );
    // -H and "hosts": the classic systemd drop-in mistake.
    const hosts = facts('overlay2', ['overlay2'], config({ flags: { host: 'fd://' }, file: '{"hosts": ["unix:///var/run/docker.sock"]}' }));
    expect(outcomeFor(24, hosts)?.reason).toContain('hosts: (from flag: fd://, from file: ["unix:///var/run/docker.sock"])');
  });

  it('a byte order mark stops 20.10 only; text after the object stops 23 and later only', () => {
    const bom = facts(
      'overlay2',
      ['overlay2'],
      config({ file: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"storage-driver": "overlay2"}')]) }),
    );
    expect(at(bom, 20, 23, 29)).toEqual({ 20: 'fails_to_start', 23: 'starts', 29: 'starts' });
    expect(outcomeFor(20, bom)?.reason).toContain("invalid character 'ï' looking for beginning of value");
    const trailing = facts('overlay2', ['overlay2'], config({ file: '{"storage-driver": "overlay2"}\n}' }));
    expect(at(trailing, 20, 23)).toEqual({ 20: 'starts', 23: 'fails_to_start' });
  });

  it('a directive a later version dropped stops that version only', () => {
    const f = facts('overlay2', ['overlay2'], config({ file: '{"storage-driver": "overlay2", "api-cors-header": "*"}' }), {
      runningMajor: 24,
    });
    expect(at(f, 24, 28, 29)).toEqual({ 24: 'starts', 28: 'starts', 29: 'fails_to_start' });
  });
});

describe('what cannot be told', () => {
  it('is unknown, with the reason, never a guess', () => {
    expect(outcomeFor(25, facts('devicemapper', ['devicemapper'], { unknown: 'cannot read /proc/1234 (EACCES)' }))).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringContaining('EACCES'),
    });
    expect(outcomeFor(25, facts('devicemapper', undefined, config()))?.outcome).toBe('unknown');
    expect(outcomeFor(31, facts('overlay2', ['overlay2'], config()))?.outcome).toBe('unknown');
    // Pinned: the data root does not matter.
    expect(outcomeFor(25, facts('overlay2', undefined, config({ flags: { 'storage-driver': 'overlay2' } })))?.outcome).toBe('starts');
  });

  it('says nothing for Podman: these are Docker rules', () => {
    expect(outcomeFor(25, facts('overlay', ['overlay'], config(), { engine: 'podman' }))).toBeUndefined();
    expect(outcomes([25, 29], facts('overlay', ['overlay'], config(), { engine: 'podman' }))).toEqual([]);
  });

  it('gives the restart and every target not below the running version', () => {
    expect(outcomes([25, 29], facts('overlay2', ['overlay2'], config(), { runningMajor: 27 })).map((o) => o.targetMajor)).toEqual([27, 29]);
    expect(outcomes([25, 29], facts('overlay2', ['overlay2'], config())).map((o) => o.targetMajor)).toEqual([20, 25, 29]);
  });
});
