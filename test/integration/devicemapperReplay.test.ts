import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TestExporter } from '../helpers/exporter';
import { daemonRoutes, json, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';
import { runCli } from '../helpers/cli';

const run = promisify(execFile);
const fixtureDir = path.join(__dirname, '../fixtures/devicemapper');
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(fixtureDir, `${name}.json`), 'utf8')) as { DriverStatus: [string, string][]; ServerVersion?: string };

/** The `docker info` text of the fixture host, as "key: value" pairs of its storage section. */
function infoText(name: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync(path.join(fixtureDir, `${name}.txt`), 'utf8').split('\n')) {
    const match = /^ +([A-Z][\w ]+): (.*)$/.exec(line);
    if (match) map.set(match[1] ?? '', match[2] ?? '');
  }
  return map;
}

const bytes = (text: string | undefined): number => {
  const match = /^([\d.]+) ?(B|kB|MB|GB|TB)$/.exec(text ?? '');
  if (!match) throw new Error(`not a size in the fixture: ${text}`);
  const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[match[2] as 'B'];
  return Math.round(Number(match[1]) * unit);
};

describe.each([
  ['loop-lvm-17.03', '1.26', 1],
  ['direct-lvm-18.06', '1.38', 0],
  ['loop-lvm-20.10-guest', '1.41', 1],
])('a devicemapper host replayed from %s', (name, apiVersion, loopLvm) => {
  const dir = tempDir('dm');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(fixture(name)), apiVersion);
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const text = infoText(name);

  beforeAll(async () => {
    await server.start();
    await exporter.start(['--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid')]);
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('the real docker CLI reads the replayed daemon as the host printed it', async () => {
    const { stdout } = await run('docker', ['--host', server.host, 'info', '--format', '{{json .DriverStatus}}']);
    expect(JSON.parse(stdout)).toEqual(fixture(name).DriverStatus);
  });

  it('exports every thin pool figure equal to what docker info printed', async () => {
    const m = await exporter.scrape();
    const expected: Record<string, string> = {
      docker_devicemapper_data_space_used_bytes: 'Data Space Used',
      docker_devicemapper_data_space_total_bytes: 'Data Space Total',
      docker_devicemapper_data_space_available_bytes: 'Data Space Available',
      docker_devicemapper_metadata_space_used_bytes: 'Metadata Space Used',
      docker_devicemapper_metadata_space_total_bytes: 'Metadata Space Total',
      docker_devicemapper_metadata_space_available_bytes: 'Metadata Space Available',
      docker_devicemapper_thin_pool_minimum_free_space_bytes: 'Thin Pool Minimum Free Space',
      docker_devicemapper_pool_blocksize_bytes: 'Pool Blocksize',
      docker_devicemapper_base_device_size_bytes: 'Base Device Size',
    };
    for (const [metric, key] of Object.entries(expected)) {
      expect([metric, m.value(metric)]).toEqual([metric, bytes(text.get(key))]);
    }
    const flag = (key: string) => (text.get(key) === 'true' ? 1 : 0);
    expect(m.value('docker_devicemapper_udev_sync_supported')).toBe(flag('Udev Sync Supported'));
    expect(m.value('docker_devicemapper_deferred_removal_enabled')).toBe(flag('Deferred Removal Enabled'));
    expect(m.value('docker_devicemapper_deferred_deletion_enabled')).toBe(flag('Deferred Deletion Enabled'));
    expect(m.value('docker_devicemapper_deferred_deleted_devices')).toBe(Number(text.get('Deferred Deleted Device Count')));
    expect(m.value('docker_devicemapper_loop_lvm')).toBe(loopLvm);
    expect(m.all('docker_devicemapper_pool_info')[0]?.labels).toEqual({
      pool_name: text.get('Pool Name'),
      data_file: text.get('Data file') ?? '',
      metadata_file: text.get('Metadata file') ?? '',
      data_loop_file: text.get('Data loop file') ?? '',
      metadata_loop_file: text.get('Metadata loop file') ?? '',
      library_version: text.get('Library Version'),
    });
    expect(m.value('docker_exporter_parse_errors_total')).toBeUndefined();
  });

  it('reports devicemapper as deprecated and removed in Engine 25, with the daemon version', async () => {
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_storage_driver_deprecated', { driver: 'devicemapper' })).toBe(1);
    expect(m.value('docker_storage_driver_removal_version', { driver: 'devicemapper' })).toBe(25);
    expect(m.all('docker_storage_driver_info')[0]?.labels).toEqual({ driver: 'devicemapper', backing_filesystem: 'xfs' });
    expect(m.all('docker_engine_info')[0]?.labels).toMatchObject({ version: fixture(name).ServerVersion, api_version: apiVersion });
  });

  it('says it cannot tell whether the driver is explicit when the pid file is missing, once in the log', async () => {
    await exporter.scrape();
    const m = await exporter.scrape();
    expect(m.value('docker_storage_driver_explicit_known')).toBe(0);
    expect(m.all('docker_storage_driver_explicit')).toEqual([]);
    await exporter.logged('cannot tell whether the storage driver is explicitly configured');
    expect(exporter.log().match(/cannot tell whether the storage driver is explicitly configured/g)).toHaveLength(1);
  });
});

describe('plan on a devicemapper host whose daemon is slow to measure one writable layer', () => {
  const dir = tempDir('dm-plan');
  const container = (id: string, name: string, sizeRw: number) => ({
    Id: id,
    Name: `/${name}`,
    Image: 'sha256:busybox',
    State: { Status: 'running', Pid: 0 },
    Config: { Image: 'busybox', Cmd: ['sleep', '1d'] },
    HostConfig: { NetworkMode: 'bridge' },
    Mounts: [],
    SizeRw: sizeRw,
  });
  const quick = container('a'.repeat(64), 'quick', 4096);
  const slow = container('b'.repeat(64), 'slow', 8192);
  const routes = daemonRoutes(
    { ...fixture('loop-lvm-20.10-guest'), DockerRootDir: path.join(dir, 'docker') },
    [quick, slow].map((c) => ({ Id: c.Id, Names: [c.Name], Image: 'busybox', State: 'running', HostConfig: { NetworkMode: 'bridge' } })),
  );
  // The slow container's measured inspect never answers (dockerd mounting its thin device in a busy guest took
  // longer than the deadline); its plain inspect does.
  routes['/containers/*/json'] = (req, res) => {
    const id = (req.url ?? '').split('/containers/')[1]?.split('/')[0];
    const found = [quick, slow].find((c) => c.Id === id);
    if (found === slow && (req.url ?? '').includes('size=1')) return;
    const { SizeRw, ...plain } = found ?? quick;
    json((req.url ?? '').includes('size=1') ? { ...plain, SizeRw } : plain)(req, res);
  };
  const server = new ReplayServer(path.join(dir, 'docker.sock'), routes, '1.41');

  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('plans every container, the slow one with its writable layer unknown and the reason in the log', async () => {
    const target = ['--docker.host', server.host, '--docker.timeout', '1s', '--docker.pid-file', path.join(dir, 'none.pid')];
    const r = await runCli(['plan', '--format', 'json', ...target]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { containers: { name: string; writableLayerBytes?: number; writableLayerSource: string }[] };
    const byName = new Map(plan.containers.map((c) => [c.name, c]));
    expect(byName.get('quick')).toMatchObject({ writableLayerBytes: 4096, writableLayerSource: 'daemon' });
    expect(byName.get('slow')?.writableLayerSource).toBe('unknown');
    expect(byName.get('slow')?.writableLayerBytes).toBeUndefined();
    expect(r.stderr).toMatch(/did not measure a writable layer in time/);
    const text = await runCli(['plan', ...target]);
    expect(text.stdout).toMatch(/slow[\s\S]*writable layer: unknown; copy out what matters/);
  });
});
