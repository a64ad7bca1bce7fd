import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import winston from 'winston';
import { parseConfig } from '../../src/config/config';
import { exporterFor } from '../../src/metrics/exporter';
import { buildParts } from '../../src/wiring';
import { TestDaemon } from '../helpers/dockerd';
import { repoRoot, TestExporter } from '../helpers/exporter';
import { ENGINE_HOSTS } from '../fixtures/engines/engineHosts';
import { startEngineReplay, type EngineReplay } from '../helpers/engineReplay';
import { startFakeDockerd, stopPid, waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

/** Where the golden files live: the whole /metrics of each golden host, volatile values masked. */
export const GOLDEN_DIR = path.join(repoRoot(), 'test', 'fixtures', 'golden');

const VOLATILE = '<volatile>';

/** Families whose values change from run to run or machine to machine (durations, times, sizes the filesystem decides). */
const VOLATILE_VALUES = new Set([
  'docker_exporter_collector_duration_seconds',
  'docker_exporter_info_timestamp_seconds',
  'docker_data_root_scan_duration_seconds',
  'docker_data_root_scan_timestamp_seconds',
  'docker_data_root_bytes',
  'docker_data_root_filesystem_size_bytes',
  'docker_data_root_filesystem_free_bytes',
  'docker_daemon_warnings',
  'docker_upgrade_writable_layer_bytes',
]);

/** Label values that name this machine or this run (kernel, paths, versions of the test's tools). */
const VOLATILE_LABELS: Record<string, readonly string[]> = {
  docker_exporter_build_info: ['version', 'nodejs_version'],
  docker_engine_info: ['kernel_version', 'operating_system', 'data_root'],
  docker_storage_driver_info: ['backing_filesystem'],
};

/** Families whose samples depend on the machine (the kernel's cgroup support decides the daemon's warnings). */
const MACHINE_SAMPLES = new Set(['docker_daemon_warning_info']);

/**
 * /metrics with what varies between runs masked, and prom-client's process and
 * Node.js metrics left out, as node_exporter's end-to-end test strips them.
 */
export function maskVolatile(text: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    const family = /^# (?:HELP|TYPE) (\S+)/.exec(line)?.[1];
    if (family) skipping = family.startsWith('process_') || family.startsWith('nodejs_');
    if (skipping) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!sample) {
      out.push(line);
      continue;
    }
    const [, name = '', rawLabels = '', value = ''] = sample;
    if (MACHINE_SAMPLES.has(name)) continue;
    let labels = rawLabels;
    for (const label of VOLATILE_LABELS[name] ?? [])
      labels = labels.replace(new RegExp(`${label}="(?:[^"\\\\]|\\\\.)*"`), `${label}="${VOLATILE}"`);
    const masked = `${name}${labels} ${VOLATILE_VALUES.has(name) ? VOLATILE : value}`;
    // Masking can make two samples alike (two warnings); keep one.
    if (out[out.length - 1] !== masked) out.push(masked);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

export interface GoldenHost {
  name: string;
  /** Starts the host and an exporter on it, scrapes once it is settled, and stops everything. */
  metrics(): Promise<string>;
  /**
   * The same host read by the exporter's parts in this process (parseConfig, buildParts, one
   * scrape): no build, no root, no HTTP server. Only hosts that need neither a real daemon nor a scan.
   */
  inProcess?(): Promise<string>;
}

/** The first scrape of the exporter built in this process from `args`, as the binary would be. */
async function scrapeInProcess(args: string[]): Promise<string> {
  const parsed = parseConfig([...args, '--web.disable-exporter-metrics'], {});
  if (parsed.kind !== 'run') throw new Error("expected the exporter's flags");
  const parts = buildParts(parsed.config, winston.createLogger({ silent: true }), 'serve');
  try {
    return await exporterFor(parsed.config, parts.collector, parts.scanner, 'serve').scrape();
  } finally {
    parts.collector.stop();
    parts.scanner?.stop();
  }
}

/** A host served by `start`, read either by the built binary or in this process. */
function replayedGoldenHost(
  name: string,
  prefix: string,
  start: (dir: string) => Promise<{ args: string[]; stop(): Promise<void> }>,
): GoldenHost {
  const run = async (read: (args: string[], dir: string) => Promise<string>) => {
    const dir = tempDir(prefix);
    const host = await start(dir);
    try {
      return maskVolatile(await read(host.args, dir));
    } finally {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return {
    name,
    metrics: () =>
      run(async (args, dir) => {
        const exporter = new TestExporter(path.join(dir, 'exporter.log'));
        try {
          await exporter.start(args);
          return (await exporter.scrape()).text;
        } finally {
          await exporter.stop();
        }
      }),
    inProcess: () => run((args) => scrapeInProcess(args)),
  };
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'devicemapper', `${name}.json`), 'utf8')) as Record<string, unknown>;

/** A loop-lvm devicemapper host (captured /info), replayed with containers in several states and two volumes. */
const devicemapperReplay = replayedGoldenHost('devicemapper-replay', 'golden-dm', async (dir) => {
  const containers = [
    { Id: 'a'.repeat(64), Names: ['/web'], Image: 'nginx:1.25', State: 'running', HostConfig: { NetworkMode: 'default' } },
    { Id: 'b'.repeat(64), Names: ['/proxy'], Image: 'haproxy:2.8', State: 'running', HostConfig: { NetworkMode: 'host' } },
    { Id: 'c'.repeat(64), Names: ['/batch'], Image: 'busybox', State: 'exited', HostConfig: { NetworkMode: 'none' } },
    {
      Id: 'd'.repeat(64),
      Names: ['/sidecar'],
      Image: 'busybox',
      State: 'paused',
      HostConfig: { NetworkMode: `container:${'a'.repeat(64)}` },
    },
    { Id: 'e'.repeat(64), Names: ['/api'], Image: 'api:3', State: 'created', HostConfig: { NetworkMode: 'shop_default' } },
  ];
  const info = {
    ...fixture('loop-lvm-17.03'),
    ServerVersion: '17.03.1-ce',
    OperatingSystem: 'CentOS Linux 7 (Core)',
    OSType: 'linux',
    KernelVersion: '3.10.0-514.el7.x86_64',
    Architecture: 'x86_64',
    DockerRootDir: '/var/lib/docker',
    Images: 7,
  };
  const server = new ReplayServer(
    path.join(dir, 'docker.sock'),
    daemonRoutes(info, containers, [{ Name: 'db' }, { Name: 'cache' }]),
    '1.26',
  );
  await server.start();
  return { args: ['--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan'], stop: () => server.stop() };
});

/** A real dockerd on overlay2 with containers in every state and network mode, a volume, and a data-root scan. */
const overlay2Dockerd: GoldenHost = {
  name: 'overlay2-dockerd',
  async metrics() {
    const dir = tempDir('golden-o2');
    const daemon = new TestDaemon(path.join(dir, 'daemon'));
    const exporter = new TestExporter(path.join(dir, 'exporter.log'));
    try {
      await daemon.start({ args: ['--storage-driver', 'overlay2'] });
      await daemon.importBusybox();
      await daemon.docker('network', 'create', 'appnet');
      await daemon.docker('run', '-d', '--name', 'web', 'busybox:test', 'sleep', '1000');
      await daemon.docker('run', '--name', 'job', 'busybox:test', 'true');
      await daemon.docker('create', '--name', 'later', 'busybox:test', 'sleep', '1000');
      await daemon.docker('run', '-d', '--name', 'frozen', '--network', 'none', 'busybox:test', 'sleep', '1000');
      await daemon.docker('pause', 'frozen');
      await daemon.docker('run', '-d', '--name', 'edge', '--network', 'host', 'busybox:test', 'sleep', '1000');
      await daemon.docker('run', '-d', '--name', 'app', '--network', 'appnet', 'busybox:test', 'sleep', '1000');
      await daemon.docker('volume', 'create', 'data');
      await exporter.start([
        '--docker.host',
        daemon.host,
        '--docker.pid-file',
        daemon.pidFile,
        '--docker.daemon-config',
        path.join(dir, 'absent.json'),
      ]);
      const text = await waitFor('the data-root scan and the event stream', async () => {
        const m = await exporter.scrape();
        return m.value('docker_data_root_scan_success') === 1 && m.value('docker_exporter_event_stream_up') === 1 ? m.text : undefined;
      });
      return maskVolatile(text);
    } finally {
      await exporter.stop();
      await daemon.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Scrapes until the background data-root scan has finished, so the figures it feeds are in; for a real
 * daemon (`streaming`), until the exporter follows its event stream too (a scrape before that said 0).
 */
async function settled(exporter: TestExporter, streaming = false): Promise<string> {
  return waitFor('the data-root scan', async () => {
    const m = await exporter.scrape();
    if (streaming && m.value('docker_exporter_event_stream_up') !== 1) return undefined;
    return m.value('docker_data_root_scan_success') !== undefined ? m.text : undefined;
  });
}

/**
 * A real dockerd on the legacy overlay driver that nothing configures: started once with
 * --storage-driver overlay, then again with no driver, so it picks its prior driver itself (the
 * host Docker 23+ refuses to start on).
 */
const legacyOverlayDockerd: GoldenHost = {
  name: 'legacy-overlay-dockerd',
  async metrics() {
    const dir = tempDir('golden-ov');
    const daemon = new TestDaemon(path.join(dir, 'daemon'));
    const exporter = new TestExporter(path.join(dir, 'exporter.log'));
    try {
      await daemon.start({ args: ['--storage-driver', 'overlay'] });
      await daemon.importBusybox();
      await daemon.docker('run', '-d', '--name', 'app', 'busybox:test', 'sleep', '1000');
      await daemon.docker('create', '--name', 'later', 'busybox:test', 'true');
      await daemon.stop();
      await daemon.start();
      const driver = (await daemon.docker('info', '--format', '{{.Driver}}')).trim();
      if (driver !== 'overlay') throw new Error(`the daemon picked ${driver}, not its prior driver overlay`);
      await exporter.start([
        '--docker.host',
        daemon.host,
        '--docker.pid-file',
        daemon.pidFile,
        '--docker.daemon-config',
        path.join(dir, 'absent.json'),
      ]);
      return maskVolatile(await settled(exporter, true));
    } finally {
      await exporter.stop();
      await daemon.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** A direct-lvm devicemapper host (captured /info of 18.06), its driver pinned on dockerd's command line. */
const directLvmReplay = replayedGoldenHost('direct-lvm-replay', 'golden-dl', async (dir) => {
  const containers = [
    { Id: 'a'.repeat(64), Names: ['/shop'], Image: 'shop:7', State: 'running', HostConfig: { NetworkMode: 'default' } },
    { Id: 'b'.repeat(64), Names: ['/worker'], Image: 'shop:7', State: 'running', HostConfig: { NetworkMode: 'default' } },
    { Id: 'c'.repeat(64), Names: ['/migrate'], Image: 'shop:7', State: 'exited', HostConfig: { NetworkMode: 'default' } },
  ];
  const info = {
    ...fixture('direct-lvm-18.06'),
    ServerVersion: '18.06.3-ce',
    OperatingSystem: 'CentOS Linux 7 (Core)',
    OSType: 'linux',
    KernelVersion: '3.10.0-957.el7.x86_64',
    Architecture: 'x86_64',
    DockerRootDir: '/var/lib/docker',
    Images: 3,
  };
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info, containers, [{ Name: 'shopdata' }]), '1.38');
  const pidFile = path.join(dir, 'docker.pid');
  await server.start();
  const pid = startFakeDockerd(dir, [
    '--storage-driver',
    'devicemapper',
    '--storage-opt',
    'dm.thinpooldev=/dev/mapper/docker-thinpool',
  ]).pid;
  writeFileSync(pidFile, `${pid}\n`);
  return {
    // No daemon.json: the system one it would read is absent (a --config-file naming a missing file is a daemon that cannot start).
    args: [
      '--docker.host',
      server.host,
      '--docker.pid-file',
      pidFile,
      '--docker.daemon-config',
      path.join(dir, 'absent.json'),
      '--no-scan',
    ],
    stop: async () => {
      await stopPid(pid);
      await server.stop();
    },
  };
});

/** A host whose daemon does not answer: nothing listens on its socket. */
const daemonDown = replayedGoldenHost('daemon-down', 'golden-dd', async (dir) => ({
  args: ['--docker.host', `unix://${path.join(dir, 'docker.sock')}`, '--docker.pid-file', path.join(dir, 'docker.pid')],
  stop: async () => undefined,
}));

/** A host of another engine from test/fixtures/engines/engineHosts.ts, replayed. */
function engineReplay(name: string, engine: string, situation: string): GoldenHost {
  return {
    name,
    async metrics() {
      const host = ENGINE_HOSTS.find((h) => h.engine === engine && h.situation === situation);
      if (!host) throw new Error(`no engine host ${engine}: ${situation}`);
      const dir = tempDir('golden-en');
      const exporter = new TestExporter(path.join(dir, 'exporter.log'));
      let replay: EngineReplay | undefined;
      try {
        replay = await startEngineReplay(host, dir);
        await exporter.start(replay.flags);
        return maskVolatile(await settled(exporter));
      } finally {
        await exporter.stop();
        await replay?.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const GOLDEN_HOSTS: readonly GoldenHost[] = [
  devicemapperReplay,
  overlay2Dockerd,
  legacyOverlayDockerd,
  directLvmReplay,
  daemonDown,
  engineReplay('docker23-devicemapper-not-explicit', 'Docker 23.0', 'devicemapper, picked by the daemon'),
  engineReplay('docker24-devicemapper-pinned', 'Docker 24.0', 'devicemapper, pinned in daemon.json'),
  engineReplay('docker25-devicemapper-data-left', 'Docker 25.0', 'overlay2, devicemapper data left, nothing pinned'),
  engineReplay('docker29-containerd-store', 'Docker 29.0', 'containerd image store, fresh install'),
  engineReplay('podman49', 'Podman 4.9', 'overlay (containers/storage)'),
];
