import { parseHumanSize } from '../../src/parse/humanSize';
import { alertsFiringFor } from '../helpers/alertsFor';
import { Metrics } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';
import { TestVm, vmMissing } from '../helpers/vm';

/**
 * devicemapper on a real kernel: Debian's dockerd 20.10 in a Debian 12 guest under qemu (this
 * machine's kernel has no device-mapper). The exporter runs in the guest as built here. What
 * the replays could not show: the pool's figures as the daemon and the kernel give them, and
 * which alerts a real loop-lvm host fires (the first real host paged DataSpaceExhausted falsely).
 */
const MINUTES = 60000;

/** The storage section of the daemon's own answer, by key. */
function driverStatus(json: string): Map<string, string> {
  return new Map((JSON.parse(json) as [string, string][]).map(([k, v]) => [k, v]));
}

/** `dmsetup status` of a thin pool: used/total metadata blocks (4 KiB) and data blocks, and the pool's mode. */
function poolStatus(line: string): { metadataUsed: number; metadataTotal: number; dataUsed: number; dataTotal: number; mode: string } {
  const m = /thin-pool \d+ (\d+)\/(\d+) (\d+)\/(\d+) \S+ (\S+)/.exec(line);
  if (!m) throw new Error(`not a thin-pool status: ${line}`);
  return { metadataUsed: Number(m[1]), metadataTotal: Number(m[2]), dataUsed: Number(m[3]), dataTotal: Number(m[4]), mode: m[5] ?? '' };
}

/** Each figure as `docker info` shows it (four significant digits): the exporter's must equal it. */
const AS_DOCKER_INFO: [string, string][] = [
  ['docker_devicemapper_data_space_used_bytes', 'Data Space Used'],
  ['docker_devicemapper_data_space_total_bytes', 'Data Space Total'],
  ['docker_devicemapper_data_space_available_bytes', 'Data Space Available'],
  ['docker_devicemapper_metadata_space_used_bytes', 'Metadata Space Used'],
  ['docker_devicemapper_metadata_space_total_bytes', 'Metadata Space Total'],
  ['docker_devicemapper_metadata_space_available_bytes', 'Metadata Space Available'],
  ['docker_devicemapper_thin_pool_minimum_free_space_bytes', 'Thin Pool Minimum Free Space'],
];

describe('devicemapper on a real kernel: loop-lvm (dockerd 20.10 in a Debian 12 guest)', () => {
  const dir = tempDir('vm-loop-lvm');
  const vm = new TestVm(dir);

  /** One moment: the exporter's metrics, the daemon's DriverStatus and the kernel's pool status. */
  async function moment(): Promise<{
    metrics: Metrics;
    status: Map<string, string>;
    pool: ReturnType<typeof poolStatus>;
    blockBytes: number;
  }> {
    const out = await vm.ssh(
      [
        'node /project/dist/src/main.js textfile --no-scan --output /tmp/metrics.prom >/dev/null 2>&1',
        "docker info --format '{{json .DriverStatus}}'",
        'pool=$(docker info --format "{{range .DriverStatus}}{{if eq (index . 0) \\"Pool Name\\"}}{{index . 1}}{{end}}{{end}}")',
        'dmsetup status "$pool"',
        'dmsetup table "$pool"',
        'echo ---',
        'cat /tmp/metrics.prom',
      ].join(' && '),
    );
    const [head = '', prom = ''] = out.split('\n---\n');
    const [statusJson = '', statusLine = '', tableLine = ''] = head.split('\n');
    // thin-pool table: <metadata dev> <data dev> <data block size in sectors> <low water mark> …
    const blockSectors = Number(/thin-pool \S+ \S+ (\d+)/.exec(tableLine)?.[1]);
    return { metrics: new Metrics(prom), status: driverStatus(statusJson), pool: poolStatus(statusLine), blockBytes: blockSectors * 512 };
  }

  const devicemapperAlerts = (metrics: Metrics) =>
    alertsFiringFor(metrics, dir)
      .filter((name) => name.startsWith('DockerDevicemapper'))
      .sort();

  beforeAll(async () => {
    const missing = vmMissing();
    if (missing) throw new Error(`the devicemapper tests need a qemu guest: ${missing}`);
    await vm.start();
    await vm.ssh(
      [
        'mkdir -p /etc/docker',
        `echo '{"storage-driver": "devicemapper"}' > /etc/docker/daemon.json`,
        'systemctl start docker',
        'mkdir -p /tmp/bb && cp /bin/busybox /tmp/bb/ && tar -C /tmp/bb -c . | docker import -c \'CMD ["/busybox","sh"]\' - busybox:test >/dev/null',
        'docker run -d --name web busybox:test /busybox sleep 100000 >/dev/null',
      ].join(' && '),
    );
  }, 30 * MINUTES);
  afterAll(() => vm.stop());

  it('every docker_devicemapper_* figure equals docker info of the same moment, and the kernel block counts within its rounding', async () => {
    const { metrics, status, pool, blockBytes } = await moment();
    expect(status.get('Data loop file')).toBe('/var/lib/docker/devicemapper/devicemapper/data');
    expect(metrics.value('docker_devicemapper_loop_lvm')).toBe(1);
    for (const [metric, key] of AS_DOCKER_INFO) {
      expect([metric, metrics.value(metric)]).toEqual([metric, parseHumanSize(status.get(key) ?? '')]);
    }
    // docker info rounds to four significant digits; the kernel counts blocks.
    const close = (figure: number | undefined, exact: number) => Math.abs((figure ?? NaN) - exact) <= exact * 5e-4;
    expect(close(metrics.value('docker_devicemapper_data_space_used_bytes'), pool.dataUsed * blockBytes)).toBe(true);
    expect(close(metrics.value('docker_devicemapper_data_space_total_bytes'), pool.dataTotal * blockBytes)).toBe(true);
    expect(close(metrics.value('docker_devicemapper_metadata_space_used_bytes'), pool.metadataUsed * 4096)).toBe(true);
    expect(close(metrics.value('docker_devicemapper_metadata_space_total_bytes'), pool.metadataTotal * 4096)).toBe(true);
    expect(pool.mode).toBe('rw');
    // Free, as dockerd compares it with the minimum: total − used, far above "available" on a small root.
    const free = metrics.value('docker_devicemapper_data_space_free_bytes') ?? NaN;
    expect(free).toBe(
      (parseHumanSize(status.get('Data Space Total') ?? '') ?? NaN) - (parseHumanSize(status.get('Data Space Used') ?? '') ?? NaN),
    );
    expect(free).toBeGreaterThan(metrics.value('docker_devicemapper_data_space_available_bytes') ?? Infinity);
  });

  it('a new loop-lvm pool on a small root pages nothing but loop-lvm itself, though "available" is far below the minimum free space', async () => {
    const { metrics } = await moment();
    const available = metrics.value('docker_devicemapper_data_space_available_bytes') ?? NaN;
    const minimum = metrics.value('docker_devicemapper_thin_pool_minimum_free_space_bytes') ?? NaN;
    // The shape that paged falsely: available (the root's free space) below the pool's minimum.
    expect(available).toBeLessThan(minimum);
    // …while the daemon creates containers all the same.
    await vm.ssh('docker create --name proof busybox:test /busybox true >/dev/null && docker rm proof >/dev/null');
    expect(devicemapperAlerts(metrics)).toEqual(['DockerDevicemapperLoopLvm']);
    const report = JSON.parse(await vm.ssh('node /project/dist/src/main.js check --no-scan --format json || true')) as {
      verdict: { warnings: { reason: string }[] };
    };
    const reasons = report.verdict.warnings.map((w) => w.reason);
    expect(reasons).toContain('loop_lvm');
    expect(reasons.filter((r) => r.startsWith('thin_pool'))).toEqual([]);
  });

  it('the filesystem holding the loop file nearly full: LoopFilesystemFull and DataSpaceLow page, not DataSpaceExhausted; freed, they stop', async () => {
    // Leave 150 MB free on the guest's root, where the sparse loop files live. Free as dockerd counts it
    // (statfs f_bfree: root's reserved blocks too, which df's "avail" leaves out).
    const fsFree = async () => {
      const [blocks = NaN, size = NaN] = (await vm.ssh("stat -f -c '%f %S' /var/lib/docker/devicemapper/devicemapper"))
        .trim()
        .split(' ')
        .map(Number);
      return blocks * size;
    };
    await vm.ssh(`fallocate -l ${(await fsFree()) - 150e6} /var/lib/filler`);
    try {
      const { metrics, status } = await moment();
      const available = metrics.value('docker_devicemapper_data_space_available_bytes') ?? NaN;
      expect(available).toBe(parseHumanSize(status.get('Data Space Available') ?? ''));
      // dockerd's "available" is that filesystem's free space now (four significant digits).
      expect(Math.abs(available - (await fsFree()))).toBeLessThan(1e6);
      expect(available).toBeLessThan(200e6);
      // The daemon still creates containers: its refusal looks at total − used, not at the filesystem.
      await vm.ssh('docker create --name proof busybox:test /busybox true >/dev/null && docker rm proof >/dev/null');
      expect(devicemapperAlerts(metrics)).toEqual([
        'DockerDevicemapperDataSpaceLow',
        'DockerDevicemapperLoopFilesystemFull',
        'DockerDevicemapperLoopLvm',
      ]);
      const report = JSON.parse(await vm.ssh('node /project/dist/src/main.js check --no-scan --format json || true')) as {
        verdict: { warnings: { reason: string }[] };
      };
      expect(report.verdict.warnings.map((w) => w.reason).filter((r) => r.startsWith('thin_pool'))).toEqual([
        'thin_pool_loop_filesystem_full',
      ]);
    } finally {
      await vm.ssh('rm -f /var/lib/filler');
    }
    expect(devicemapperAlerts((await moment()).metrics)).toEqual(['DockerDevicemapperLoopLvm']);
  });
});
