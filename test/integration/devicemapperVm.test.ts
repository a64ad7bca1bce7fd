import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseHumanSize } from '../../src/parse/humanSize';
import { alertsFiringFor } from '../helpers/alertsFor';
import { Metrics } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/processes';
import { TestVm } from '../helpers/vm';

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

/** The thin pool's device-mapper name, as the daemon gives it ("Pool Name"), in a shell variable. */
const POOL = 'pool=$(docker info --format "{{range .DriverStatus}}{{if eq (index . 0) \\"Pool Name\\"}}{{index . 1}}{{end}}{{end}}")';

/**
 * With DDE_RECORD_FIXTURES=<dir>: the daemon's own GET /info answer, its storage part (the fields the
 * replays use), written to <dir>/<name>.json. How test/fixtures/devicemapper/*-20.10-guest.json were made.
 */
async function recordInfo(vm: TestVm, name: string): Promise<void> {
  const dir = process.env['DDE_RECORD_FIXTURES'];
  if (!dir) return;
  const info = JSON.parse(
    await vm.ssh(
      `node -e "require('http').get({ socketPath: '/var/run/docker.sock', path: '/v1.41/info' }, (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => process.stdout.write(b)); })"`,
    ),
  ) as Record<string, unknown>;
  const kept = Object.fromEntries(
    ['ServerVersion', 'Driver', 'DriverStatus', 'DockerRootDir', 'KernelVersion', 'OperatingSystem', 'Warnings'].map((k) => [k, info[k]]),
  );
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(kept, null, 2)}\n`);
}

/** docker info rounds every pool figure to four significant digits: `figure` is `exact` within that. */
const withinRounding = (figure: number | undefined, exact: number) => Math.abs((figure ?? NaN) - exact) <= exact * 5e-4;

/** The shipped devicemapper alerts that fire for `metrics` held two hours (promtool, in `dir`), sorted. */
const devicemapperAlerts = (metrics: Metrics, dir: string) =>
  alertsFiringFor(metrics, dir)
    .filter((name) => name.startsWith('DockerDevicemapper'))
    .sort();

/** daemon.json for dockerd's own direct-lvm setup on the guest's second disk, with `more` storage options. */
const directLvm = (more: string[]) => ({
  'storage-driver': 'devicemapper',
  'storage-opts': ['dm.directlvm_device=/dev/vdb', ...more, 'dm.thinp_metapercent=1', 'dm.directlvm_device_force=true'],
});

/** A container that only sleeps, whose writable layer the tests write into. */
const FILLER = 'docker run -d --name filler busybox:test /busybox sleep 100000 >/dev/null';

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

  /**
   * One moment: the daemon's DriverStatus and the kernel's pool status just before and just after the
   * exporter's collection (the pool moves by a block now and then: a figure must equal one of the two).
   */
  async function moment(): Promise<{
    metrics: Metrics;
    status: Map<string, string>[];
    pool: ReturnType<typeof poolStatus>[];
    blockBytes: number;
  }> {
    const readings = ["docker info --format '{{json .DriverStatus}}'", 'dmsetup status "$pool"'];
    const out = await vm.ssh(
      [
        POOL,
        ...readings,
        'node /project/dist/src/main.js textfile --no-scan --output /tmp/metrics.prom >/dev/null 2>&1',
        ...readings,
        'dmsetup table "$pool"',
        'echo ---',
        'cat /tmp/metrics.prom',
      ].join(' && '),
    );
    const [head = '', prom = ''] = out.split('\n---\n');
    const [status1 = '', pool1 = '', status2 = '', pool2 = '', tableLine = ''] = head.split('\n');
    // thin-pool table: <metadata dev> <data dev> <data block size in sectors> <low water mark> …
    const blockSectors = Number(/thin-pool \S+ \S+ (\d+)/.exec(tableLine)?.[1]);
    return {
      metrics: new Metrics(prom),
      status: [driverStatus(status1), driverStatus(status2)],
      pool: [poolStatus(pool1), poolStatus(pool2)],
      blockBytes: blockSectors * 512,
    };
  }

  beforeAll(async () => {
    await vm.start();
    await vm.startDocker({ 'storage-driver': 'devicemapper' }, ['docker run -d --name web busybox:test /busybox sleep 100000 >/dev/null']);
    await recordInfo(vm, 'loop-lvm-20.10-guest');
  }, 30 * MINUTES);
  afterAll(() => vm.stop());

  it(
    'every docker_devicemapper_* figure equals docker info of the same moment, the kernel figures dmsetup status exactly, the mode rw',
    async () => {
      const { metrics, status, pool, blockBytes } = await moment();
      const [info] = status;
      expect(info?.get('Data loop file')).toBe('/var/lib/docker/devicemapper/devicemapper/data');
      expect(metrics.value('docker_devicemapper_loop_lvm')).toBe(1);
      for (const [metric, key] of AS_DOCKER_INFO) {
        const value = metrics.value(metric);
        const seen = status.map((s) => parseHumanSize(s.get(key) ?? ''));
        expect([metric, seen.includes(value) ? value : { value, seen }]).toEqual([metric, value]);
      }
      // The kernel's figures: block counts × block size, exact.
      expect(metrics.value('docker_devicemapper_kernel_status_success')).toBe(1);
      const kernel = (metric: string, of: (p: ReturnType<typeof poolStatus>) => number) =>
        expect(pool.map(of)).toContain(metrics.value(`docker_devicemapper_kernel_${metric}`));
      kernel('data_used_bytes', (p) => p.dataUsed * blockBytes);
      kernel('data_total_bytes', (p) => p.dataTotal * blockBytes);
      kernel('metadata_used_bytes', (p) => p.metadataUsed * 4096);
      kernel('metadata_total_bytes', (p) => p.metadataTotal * 4096);
      expect(pool[0]?.mode).toBe('rw');
      expect(Object.fromEntries(metrics.all('docker_devicemapper_pool_mode').map((m) => [m.labels['mode'], m.value]))).toEqual({
        rw: 1,
        ro: 0,
        out_of_data_space: 0,
        fail: 0,
      });
      expect(metrics.value('docker_devicemapper_pool_needs_check')).toBe(0);
      // docker info rounds to four significant digits: within that of the kernel's.
      expect(withinRounding(metrics.value('docker_devicemapper_data_space_total_bytes'), (pool[0]?.dataTotal ?? NaN) * blockBytes)).toBe(
        true,
      );
      expect(withinRounding(metrics.value('docker_devicemapper_metadata_space_total_bytes'), (pool[0]?.metadataTotal ?? NaN) * 4096)).toBe(
        true,
      );
      // Free, as dockerd compares it with the minimum: total − used, far above "available" on a small root.
      const free = metrics.value('docker_devicemapper_data_space_free_bytes') ?? NaN;
      expect(
        status.map(
          (s) => (parseHumanSize(s.get('Data Space Total') ?? '') ?? NaN) - (parseHumanSize(s.get('Data Space Used') ?? '') ?? NaN),
        ),
      ).toContain(free);
      expect(free).toBeGreaterThan(metrics.value('docker_devicemapper_data_space_available_bytes') ?? Infinity);
      // The loop file's filesystem, statfs'd by the exporter: the guest's root.
      const [blocks = NaN, bsize = NaN] = (await vm.ssh("stat -f -c '%b %S' /var/lib/docker/devicemapper/devicemapper"))
        .trim()
        .split(' ')
        .map(Number);
      expect(metrics.value('docker_devicemapper_loop_filesystem_size_bytes')).toBe(blocks * bsize);
    },
    10 * MINUTES,
  );

  it(
    'a new loop-lvm pool on a small root pages nothing but loop-lvm itself, though "available" is far below the minimum free space',
    async () => {
      const { metrics } = await moment();
      const available = metrics.value('docker_devicemapper_data_space_available_bytes') ?? NaN;
      const minimum = metrics.value('docker_devicemapper_thin_pool_minimum_free_space_bytes') ?? NaN;
      // The shape that paged falsely: available (the root's free space) below the pool's minimum.
      expect(available).toBeLessThan(minimum);
      // …while the daemon creates containers all the same.
      await vm.ssh('docker create --name proof busybox:test /busybox true >/dev/null && docker rm proof >/dev/null');
      expect(devicemapperAlerts(metrics, dir)).toEqual(['DockerDevicemapperLoopLvm']);
      const report = JSON.parse(await vm.ssh('node /project/dist/src/main.js check --no-scan --format json || true')) as {
        verdict: { warnings: { reason: string }[] };
      };
      const reasons = report.verdict.warnings.map((w) => w.reason);
      expect(reasons).toContain('loop_lvm');
      expect(reasons.filter((r) => r.startsWith('thin_pool'))).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    'the filesystem holding the loop file nearly full: LoopFilesystemFull pages, not DataSpaceExhausted; freed, it stops',
    async () => {
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
        expect(status.map((s) => parseHumanSize(s.get('Data Space Available') ?? ''))).toContain(available);
        // dockerd's "available" is that filesystem's free space now (four significant digits); the exporter's
        // own statfs of it is exact.
        const free = await fsFree();
        expect(Math.abs(available - free)).toBeLessThan(1e6);
        expect(available).toBeLessThan(200e6);
        expect(Math.abs((metrics.value('docker_devicemapper_loop_filesystem_free_bytes') ?? NaN) - free)).toBeLessThan(1e6);
        // The daemon still creates containers: its refusal looks at total − used, not at the filesystem.
        await vm.ssh('docker create --name proof busybox:test /busybox true >/dev/null && docker rm proof >/dev/null');
        // DataSpaceLow stays quiet: 150 MB left is still most of what this nearly empty pool can take.
        expect(devicemapperAlerts(metrics, dir)).toEqual(['DockerDevicemapperLoopFilesystemFull', 'DockerDevicemapperLoopLvm']);
        const report = JSON.parse(await vm.ssh('node /project/dist/src/main.js check --no-scan --format json || true')) as {
          verdict: { warnings: { reason: string }[] };
        };
        expect(report.verdict.warnings.map((w) => w.reason).filter((r) => r.startsWith('thin_pool'))).toEqual([
          'thin_pool_loop_filesystem_full',
        ]);
      } finally {
        await vm.ssh('rm -f /var/lib/filler');
      }
      expect(devicemapperAlerts((await moment()).metrics, dir)).toEqual(['DockerDevicemapperLoopLvm']);
    },
    10 * MINUTES,
  );
});

describe('devicemapper on a real kernel: direct-lvm, filled until the daemon refuses, then until the pool is out of space', () => {
  const dir = tempDir('vm-direct-lvm');
  const vm = new TestVm(dir);

  /** The exporter's metrics and the kernel's pool status and table, one moment. */
  async function moment(): Promise<{ metrics: Metrics; pool: ReturnType<typeof poolStatus>; blockBytes: number; lvs: string }> {
    const out = await vm.ssh(
      [
        'node /project/dist/src/main.js textfile --no-scan --output /tmp/metrics.prom >/dev/null 2>&1',
        POOL,
        'dmsetup status "$pool"',
        'dmsetup table "$pool"',
        'lvs --noheadings --units b --nosuffix -o lv_size docker/thinpool',
        'echo ---',
        'cat /tmp/metrics.prom',
      ].join(' && '),
    );
    const [head = '', prom = ''] = out.split('\n---\n');
    const [statusLine = '', tableLine = '', lvs = ''] = head.split('\n');
    const blockBytes = Number(/thin-pool \S+ \S+ (\d+)/.exec(tableLine)?.[1]) * 512;
    return { metrics: new Metrics(prom), pool: poolStatus(statusLine), blockBytes, lvs: lvs.trim() };
  }

  /** Writes zeros into the filler container's writable layer (its thin device) until the pool's used share reaches `share`. */
  async function fillTo(share: number): Promise<void> {
    const { pool, blockBytes } = await moment();
    const megabytes = Math.ceil(((share * pool.dataTotal - pool.dataUsed) * blockBytes) / 1048576);
    if (megabytes > 0)
      await vm.ssh(
        `docker exec filler /busybox dd if=/dev/zero of=/fill-$(date +%s%N) bs=1M count=${megabytes} conv=fsync 2>/dev/null; sync`,
      );
  }

  beforeAll(async () => {
    await vm.start({ disks: [1] });
    await vm.startDocker(directLvm(['dm.thinp_percent=95']), [FILLER]);
    await recordInfo(vm, 'direct-lvm-20.10-guest');
  }, 30 * MINUTES);
  afterAll(() => vm.stop());

  it(
    'the figures equal the kernel block counts and lvs, within docker info rounding; nothing fires on a new pool',
    async () => {
      const { metrics, pool, blockBytes, lvs } = await moment();
      expect(metrics.value('docker_devicemapper_loop_lvm')).toBe(0);
      expect(metrics.value('docker_devicemapper_kernel_data_total_bytes')).toBe(pool.dataTotal * blockBytes);
      expect(withinRounding(metrics.value('docker_devicemapper_data_space_total_bytes'), pool.dataTotal * blockBytes)).toBe(true);
      expect(withinRounding(metrics.value('docker_devicemapper_data_space_used_bytes'), pool.dataUsed * blockBytes)).toBe(true);
      // lvs: the thin pool's size in bytes, as LVM made it (95% of the disk's volume group).
      expect(withinRounding(metrics.value('docker_devicemapper_data_space_total_bytes'), Number(lvs))).toBe(true);
      // direct-lvm: nothing caps "available"; it is total − used (within rounding), and no loop filesystem is reported.
      expect(
        withinRounding(
          metrics.value('docker_devicemapper_data_space_available_bytes'),
          metrics.value('docker_devicemapper_data_space_free_bytes') ?? NaN,
        ),
      ).toBe(true);
      expect(metrics.value('docker_devicemapper_loop_filesystem_free_bytes')).toBeUndefined();
      expect(devicemapperAlerts(metrics, dir)).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    'filled to 75%: quiet; to 85%: DataSpaceLow only, containers still created; past 90%: DataSpaceExhausted, and the daemon refuses',
    async () => {
      await fillTo(0.75);
      expect(devicemapperAlerts((await moment()).metrics, dir)).toEqual([]);

      await fillTo(0.85);
      expect(devicemapperAlerts((await moment()).metrics, dir)).toEqual(['DockerDevicemapperDataSpaceLow']);
      await vm.ssh('docker create --name proof busybox:test /busybox true >/dev/null && docker rm proof >/dev/null');

      await fillTo(0.93);
      const { metrics, pool } = await moment();
      expect(pool.dataUsed / pool.dataTotal).toBeGreaterThan(0.9);
      expect(devicemapperAlerts(metrics, dir)).toEqual(['DockerDevicemapperDataSpaceExhausted', 'DockerDevicemapperDataSpaceLow']);
      const refused = await vm.ssh('docker create --name refused busybox:test /busybox true 2>&1 || true');
      expect(refused).toMatch(/Thin Pool has \d+ free data blocks which is less than minimum required \d+ free data blocks/);
      const report = JSON.parse(await vm.ssh('node /project/dist/src/main.js check --no-scan --format json || true')) as {
        verdict: { warnings: { reason: string }[] };
      };
      expect(report.verdict.warnings.map((w) => w.reason).filter((r) => r.startsWith('thin_pool'))).toEqual([
        'thin_pool_data_exhausted',
        'thin_pool_data_low',
      ]);
    },
    20 * MINUTES,
  );

  it(
    'written on past the last block: the kernel says out_of_data_space, DockerDevicemapperPoolNotWritable pages and check says so',
    async () => {
      // The running container can still write: only new devices are refused. Past the pool's end its writes
      // queue (queue_if_no_space) until the kernel's no_space_timeout, so dd runs in the background.
      await vm.ssh('(timeout 300 docker exec filler /busybox dd if=/dev/zero of=/overflow bs=1M conv=fsync >/dev/null 2>&1 &) ; true');
      const { metrics, pool } = await waitFor(
        'the pool to run out of data space',
        async () => {
          const m = await moment();
          return m.pool.mode === 'out_of_data_space' ? m : undefined;
        },
        10 * MINUTES,
        5000,
      );
      expect(pool.dataUsed).toBe(pool.dataTotal);
      expect(metrics.value('docker_devicemapper_pool_mode', { mode: 'out_of_data_space' })).toBe(1);
      expect(metrics.value('docker_devicemapper_pool_mode', { mode: 'rw' })).toBe(0);
      expect(devicemapperAlerts(metrics, dir)).toContain('DockerDevicemapperPoolNotWritable');
      const report = JSON.parse(await vm.ssh('node /project/dist/src/main.js check --no-scan --format json || true')) as {
        verdict: { warnings: { reason: string }[] };
      };
      expect(report.verdict.warnings.map((w) => w.reason)).toContain('thin_pool_not_writable');
    },
    20 * MINUTES,
  );
});

describe('devicemapper on a real kernel: direct-lvm growing by LVM autoextend, with no false page', () => {
  const dir = tempDir('vm-autoextend');
  const vm = new TestVm(dir);

  const pool = async () => {
    const out = await vm.ssh(
      [
        'node /project/dist/src/main.js textfile --no-scan --output /tmp/metrics.prom >/dev/null 2>&1',
        'lvs --noheadings --units b --nosuffix -o lv_size,data_percent docker/thinpool',
        'echo ---',
        'cat /tmp/metrics.prom',
      ].join(' && '),
    );
    const [head = '', prom = ''] = out.split('\n---\n');
    const [size = NaN, percent = NaN] = head.trim().split(/\s+/).map(Number);
    return { metrics: new Metrics(prom), size, percent };
  };

  beforeAll(async () => {
    await vm.start({ disks: [1] });
    // Half the volume group for the pool; dmeventd grows it by 20% whenever it passes 60% full.
    await vm.startDocker(directLvm(['dm.thinp_percent=40', 'dm.thinp_autoextend_threshold=60', 'dm.thinp_autoextend_percent=20']), [
      FILLER,
    ]);
  }, 30 * MINUTES);
  afterAll(() => vm.stop());

  it(
    'written into past the threshold, the pool grows; every step pages nothing',
    async () => {
      const first = await pool();
      const seen: { size: number; percent: number; alerts: string[] }[] = [];
      for (let step = 0; step < 6; step++) {
        // 10% of the pool's first size at a time, then a moment for dmeventd (it looks every 10 s).
        await vm.ssh(
          `docker exec filler /busybox dd if=/dev/zero of=/fill-${step} bs=1M count=${Math.floor(first.size / 10 / 1048576)} conv=fsync 2>/dev/null; sync; sleep 25`,
        );
        const now = await pool();
        seen.push({
          size: now.size,
          percent: now.percent,
          alerts: devicemapperAlerts(now.metrics, dir),
        });
      }
      // It grew (LVM's own figure), and the exporter followed it.
      const last = await pool();
      expect(last.size).toBeGreaterThan(first.size * 1.15);
      expect(withinRounding(last.metrics.value('docker_devicemapper_data_space_total_bytes'), last.size)).toBe(true);
      expect({ seen, alerts: seen.flatMap((s) => s.alerts) }).toEqual({ seen, alerts: [] });
    },
    30 * MINUTES,
  );
});
