import type { DaemonSnapshot } from '../../src/collector/snapshot';
import type { ExporterOptions } from '../../src/metrics/exporter';
import { Exposition } from '../../src/metrics/exposition';
import { Metrics } from './exporter';

/** A Docker 24 host on overlay2 with a web container on a bridge and a proxy on the host network, its driver pinned in daemon.json. */
export function snapshotOf(over: Partial<DaemonSnapshot> = {}): DaemonSnapshot {
  return {
    up: true,
    engine: 'docker',
    apiVersion: '1.43',
    info: {
      serverVersion: '24.0.7',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      osType: 'linux',
      kernelVersion: '6.1.0-13-amd64',
      architecture: 'x86_64',
      dockerRootDir: '/var/lib/docker',
      driver: 'overlay2',
      backingFilesystem: 'extfs',
      dTypeSupported: true,
      containerdSnapshotter: false,
      images: 3,
      warnings: ['WARNING: No swap limit support'],
    },
    infoTimestamp: 1795671211,
    containers: [
      { id: 'a'.repeat(64), name: 'web', image: 'nginx:1.25', state: 'running', networkMode: 'bridge', health: 'healthy' },
      { id: 'b'.repeat(64), name: 'proxy', image: 'haproxy:2.8', state: 'exited', networkMode: 'host', health: 'none' },
    ],
    volumes: 2,
    localOnlyImages: 1,
    storageConfig: {
      known: true,
      source: 'config_file',
      driver: 'overlay2',
      pid: 42,
      configFile: '/etc/docker/daemon.json',
      rootless: false,
      dataRoot: '/var/lib/docker',
      configuration: {
        commandLine: new Map(),
        daemonJson: { file: '/etc/docker/daemon.json', bytes: Buffer.from('{"storage-driver": "overlay2"}') },
      },
    },
    eventStreamConnected: true,
    collectors: [
      { collector: 'info', success: true, durationSeconds: 0.002 },
      { collector: 'ping', success: false, durationSeconds: 0.001 },
    ],
    parseErrors: new Map([['info.Images', 2]]),
    ...over,
  };
}

/** One metrics area registered alone, set by `update`, rendered and read back. */
export async function render(register: (exposition: Exposition) => (exposition: Exposition) => void): Promise<Metrics> {
  const exposition = new Exposition();
  register(exposition)(exposition);
  return new Metrics(await exposition.metrics());
}

/** The exporter's options at their defaults, for tests that build metric areas without flags. */
export function exporterOptions(over: Partial<ExporterOptions> = {}): ExporterOptions {
  return {
    version: 'test',
    processMetrics: false,
    hostNetworkMaxSeries: 50,
    unhealthyMaxSeries: 50,
    restartsMaxSeries: 50,
    oomKillsMaxSeries: 50,
    upgradeTargets: [25, 29],
    ...over,
  };
}
