import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { GOLDEN_DIR } from '../golden/goldenHosts';
import { waitFor } from './processes';

/**
 * A fleet of simulated hosts for one Prometheus to scrape: each host serves the /metrics the exporter
 * itself produced on one kind of host (the golden files, which a test keeps equal to the exporter's
 * output on real and replayed daemons), with the values the golden files mask filled in per host and
 * some values moving over time: thin pools filling up, orphaned data, containers coming and going,
 * scan timestamps. One HTTP server serves every host: Prometheus reaches host `h` at
 * /metrics?target=h and relabels it to instance `h` (the blackbox-exporter pattern).
 */

/** The kinds of host, each a golden file, and what its setup makes the shipped alerts say of it. */
export const PROFILES = {
  'overlay2-dockerd': ['DockerHostNetworkContainers'],
  'legacy-overlay-dockerd': [
    'DockerStorageDriverDeprecated',
    'DockerStorageDriverNotExplicit',
    'DockerUpgradeFails/25',
    'DockerUpgradeFails/29',
  ],
  'devicemapper-replay': [
    'DockerStorageDriverDeprecated',
    'DockerStorageDriverConfigUnknown',
    'DockerDevicemapperLoopLvm',
    'DockerHostNetworkContainers',
  ],
  'direct-lvm-replay': ['DockerStorageDriverDeprecated', 'DockerUpgradeFails/25', 'DockerUpgradeFails/29'],
  'docker23-devicemapper-not-explicit': [
    'DockerStorageDriverDeprecated',
    'DockerStorageDriverNotExplicit',
    'DockerDevicemapperLoopLvm',
    'DockerRestartFails/23',
    'DockerUpgradeFails/25',
    'DockerUpgradeFails/29',
  ],
  'docker24-devicemapper-pinned': [
    'DockerStorageDriverDeprecated',
    'DockerDevicemapperLoopLvm',
    'DockerUpgradeFails/25',
    'DockerUpgradeFails/29',
  ],
  'docker25-devicemapper-data-left': [],
  'docker29-containerd-store': [],
  podman49: [],
  'daemon-down': ['DockerDaemonDown'],
} as const satisfies Record<string, readonly string[]>;

export type ProfileName = keyof typeof PROFILES;

export interface FleetHost {
  instance: string;
  profile: ProfileName;
  /** A devicemapper host whose thin pool data space is low and falling. */
  filling: boolean;
  /** Bytes of orphaned data, on hosts whose profile reports some (the golden value is scaled to it). */
  orphanedBytes: number;
  /** The exporter does not answer (HTTP 503): Prometheus records up 0. */
  exporterDown: boolean;
  /** A number of its own, for values that differ between hosts. */
  seed: number;
}

/** How many hosts of each kind, per 1,000. */
const MIX: [ProfileName, number][] = [
  ['overlay2-dockerd', 380],
  ['docker29-containerd-store', 150],
  ['docker25-devicemapper-data-left', 80],
  ['legacy-overlay-dockerd', 60],
  ['direct-lvm-replay', 90],
  ['devicemapper-replay', 40],
  ['docker23-devicemapper-not-explicit', 50],
  ['docker24-devicemapper-pinned', 60],
  ['podman49', 70],
  ['daemon-down', 20],
];

const DEVICEMAPPER: ReadonlySet<ProfileName> = new Set([
  'devicemapper-replay',
  'direct-lvm-replay',
  'docker23-devicemapper-not-explicit',
  'docker24-devicemapper-pinned',
]);

/**
 * A fleet of `size` hosts in the proportions of MIX (at least one of each kind): every third
 * devicemapper host filling up, every second host with orphaned data over 1 GB (the others under),
 * one host in a hundred (at least one) whose exporter is down.
 */
export function planFleet(size: number): FleetHost[] {
  const hosts: FleetHost[] = [];
  const counts = MIX.map(([profile, perMille]) => [profile, Math.max(1, Math.round((size * perMille) / 1000))] as const);
  let seed = 0;
  for (const [profile, count] of counts) {
    for (let i = 0; i < count; i++) {
      seed++;
      hosts.push({
        instance: `${profile}-${String(i + 1).padStart(3, '0')}:9326`,
        profile,
        filling: DEVICEMAPPER.has(profile) && i % 3 === 0,
        orphanedBytes: i % 2 === 0 ? 3 * 1024 ** 3 : 200 * 1024 ** 2,
        exporterDown: false,
        seed,
      });
    }
  }
  const down = Math.max(1, Math.round(size / 100));
  // The exporter-down hosts are healthy overlay2 hosts otherwise: nothing else should fire for them.
  hosts
    .filter((h) => h.profile === 'overlay2-dockerd')
    .slice(-down)
    .forEach((h) => (h.exporterDown = true));
  return hosts;
}

interface Sample {
  name: string;
  labels: string;
  value: string;
}

/** A golden file as comment lines and samples, ready to render again and again. */
function template(text: string): (Sample | string)[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
      return m ? { name: m[1] ?? '', labels: m[2] ?? '', value: m[3] ?? '' } : line;
    });
}

const GiB = 1024 ** 3;

/** The alerts a host is set up to fire, as `alertname/target_version` where the alert carries one. */
export function expectedAlerts(host: FleetHost, profileText: (p: ProfileName) => string): string[] {
  if (host.exporterDown) return ['DockerExporterDown'];
  const alerts: string[] = [...PROFILES[host.profile]];
  if (host.filling) alerts.push('DockerDevicemapperDataSpaceLow', 'DockerDevicemapperDataSpaceFillingUp');
  if (host.orphanedBytes > 1e9 && /^docker_data_root_orphaned_bytes\{/m.test(profileText(host.profile)))
    alerts.push('DockerDataRootOrphanedData');
  return alerts.sort();
}

export class FleetSimulator {
  private readonly templates = new Map<ProfileName, (Sample | string)[]>();
  private readonly texts = new Map<ProfileName, string>();
  private readonly byInstance: Map<string, FleetHost>;
  private server: http.Server | undefined;
  /** Bodies rendered ahead (prerender): a scrape then costs the simulator no work but the write. */
  private bodies: Map<string, Buffer> | undefined;
  readonly startedMs: number;
  scrapes = 0;

  constructor(
    readonly hosts: FleetHost[],
    private readonly now: () => number = Date.now,
  ) {
    this.byInstance = new Map(hosts.map((h) => [h.instance, h]));
    this.startedMs = now();
    for (const profile of Object.keys(PROFILES) as ProfileName[]) {
      const text = readFileSync(path.join(GOLDEN_DIR, `${profile}.prom`), 'utf8');
      this.texts.set(profile, text);
      this.templates.set(profile, template(text));
    }
  }

  profileText = (profile: ProfileName): string => this.texts.get(profile) ?? '';

  expected(host: FleetHost): string[] {
    return expectedAlerts(host, this.profileText);
  }

  /** What the whole fleet should fire, as "instance alertname[/target_version]", sorted. */
  expectedFiring(): string[] {
    return this.hosts.flatMap((h) => this.expected(h).map((a) => `${h.instance} ${a}`)).sort();
  }

  /**
   * Waits (up to two minutes) until `firing` reads exactly the expected alerts, says which are missing
   * or unexpected if it never does, then checks that five more seconds change nothing.
   */
  async expectFiringExactly(firing: () => Promise<string[]>): Promise<void> {
    const expected = this.expectedFiring();
    let last: string[] = [];
    await waitFor(
      'the firing alerts to be the expected ones',
      async () => {
        last = await firing();
        return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined;
      },
      120000,
      1000,
    ).catch(() => undefined);
    expect({ missing: expected.filter((e) => !last.includes(e)), unexpected: last.filter((e) => !expected.includes(e)) }).toEqual({
      missing: [],
      unexpected: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(await firing()).toEqual(expected);
  }

  /**
   * Renders every host's /metrics at `atMs` now, to be served as they are until the next call: the
   * fleet bench's live run, where rendering at each scrape would make the simulator, not Prometheus,
   * the limit on two cores.
   */
  prerender(atMs: number = this.now()): void {
    const bodies = new Map<string, Buffer>();
    for (const h of this.hosts) if (!h.exporterDown) bodies.set(h.instance, Buffer.from(this.render(h, atMs)));
    this.bodies = bodies;
  }

  /** The host's /metrics at `atMs`; only the samples of the metrics named in `only`, when given (no comments then). */
  render(host: FleetHost, atMs: number = this.now(), only?: ReadonlySet<string>): string {
    const elapsed = (atMs - this.startedMs) / 1000;
    const out: string[] = [];
    const samples = this.templates.get(host.profile) ?? [];
    for (const s of samples) {
      if (typeof s === 'string') {
        if (!only) out.push(s);
        continue;
      }
      if (only && !only.has(s.name)) continue;
      const labels = s.labels.replace(/="<volatile>"/g, () => `="${s.name === 'docker_exporter_build_info' ? '0.1.0' : 'simulated'}"`);
      let value = s.value;
      switch (s.name) {
        case 'docker_exporter_info_timestamp_seconds':
        case 'docker_data_root_scan_timestamp_seconds':
          value = String(Math.floor(atMs / 1000) - (host.seed % 300));
          break;
        // A direct-lvm pool: nothing caps "available", so it is the free space (total − used) too.
        case 'docker_devicemapper_data_space_available_bytes':
        case 'docker_devicemapper_data_space_free_bytes':
          if (host.filling) value = String(Math.round(dataAvailable(host, elapsed) * Number(samples.find(isTotal)?.value ?? 0)));
          break;
        case 'docker_devicemapper_data_space_used_bytes':
          if (host.filling) value = String(Math.round((1 - dataAvailable(host, elapsed)) * Number(samples.find(isTotal)?.value ?? 0)));
          break;
        case 'docker_data_root_orphaned_bytes':
          if (Number(value) > 0) value = String(host.orphanedBytes);
          break;
        case 'docker_containers':
          // Short jobs come and go on bridge networks; host-network and other counts stay as set up.
          if (labels.includes('state="exited"') && labels.includes('network_mode="bridge"'))
            value = String(Number(value) + ((host.seed + Math.floor(elapsed / 60)) % 4));
          break;
        default:
          if (value === '<volatile>') value = volatileValue(s.name, host, elapsed);
      }
      out.push(`${s.name}${labels} ${value}`);
    }
    return `${out.join('\n')}\n`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      const host = this.byInstance.get(target);
      this.scrapes++;
      if (!host) {
        res.statusCode = 404;
        return void res.end(`no host ${target}\n`);
      }
      if (host.exporterDown) {
        res.statusCode = 503;
        return void res.end('exporter down\n');
      }
      res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end(this.bodies?.get(host.instance) ?? this.render(host));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The scrape job for Prometheus: every host a target, relabelled to its own instance. */
  scrapeConfig(address: string, job = 'docker', interval = '15s'): string {
    return `  - job_name: ${job}
    scrape_interval: ${interval}
    scrape_timeout: ${interval === '15s' ? '10s' : interval}
    metrics_path: /metrics
    static_configs:
      - targets: [${this.hosts.map((h) => JSON.stringify(h.instance)).join(', ')}]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: ${address}
`;
  }
}

const isTotal = (s: Sample | string): s is Sample => typeof s !== 'string' && s.name === 'docker_devicemapper_data_space_total_bytes';

/** A filling pool: 17% of its data space available at the start, one point less every 10 minutes, never below 11% (above the minimum free space, 10%). */
function dataAvailable(host: FleetHost, elapsedSeconds: number): number {
  return Math.max(0.11, 0.17 - (elapsedSeconds / 600) * 0.01 - (host.seed % 5) * 0.001);
}

function volatileValue(name: string, host: FleetHost, elapsed: number): string {
  switch (name) {
    case 'docker_exporter_collector_duration_seconds':
      return String(0.002 + ((host.seed * 7 + Math.floor(elapsed / 15)) % 10) / 1000);
    case 'docker_data_root_scan_duration_seconds':
      return String(1 + (host.seed % 30));
    case 'docker_data_root_bytes':
      return String((1 + (host.seed % 40)) * GiB);
    case 'docker_data_root_filesystem_size_bytes':
      return String(200 * GiB);
    case 'docker_data_root_filesystem_free_bytes':
      return String((60 + (host.seed % 100)) * GiB);
    case 'docker_daemon_warnings':
      return '0';
    case 'docker_upgrade_writable_layer_bytes':
      return String((host.seed % 50) * 1024 ** 2);
    default:
      return '0';
  }
}
