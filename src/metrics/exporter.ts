import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DaemonCollector } from '../collector/daemonCollector';
import type { Config } from '../config/config';
import { VERSION } from '../util/version';
import type { DaemonSnapshot } from '../collector/snapshot';
import type { ScanScheduler } from '../scan/scheduler';
import { upgradeVerdict } from '../upgrade/verdict';
import { ContainerActivityMetrics } from './containerActivity';
import { ContainerMetrics } from './containers';
import { DaemonMetrics } from './daemon';
import { DataRootMetrics } from './dataRoot';
import { DevicemapperMetrics } from './devicemapper';
import { EngineMetrics } from './engine';
import { ExporterSelfMetrics } from './exporterSelf';
import { Exposition, ProcessFamilies } from './exposition';
import { dataRootViewOf } from '../scan/dataRootView';
import { StorageDriverMetrics } from './storageDriver';
import { UpgradeMetrics } from './upgrade';

export interface ExporterOptions {
  version: string;
  /** prom-client's process and Node.js metrics: right for a long-running exporter, wrong in a textfile. */
  processMetrics: boolean;
  hostNetworkMaxSeries: number;
  unhealthyMaxSeries: number;
  exitCodesMaxSeries?: number;
  /** At most this many docker_volume_bytes series (--collector.volumes.max-series; 20 when not said). */
  volumesMaxSeries?: number;
  /** Container labels copied onto every per-container series (--collector.container-labels). */
  containerLabels?: readonly string[];
  restartsMaxSeries: number;
  oomKillsMaxSeries: number;
  /** Docker versions to tell the outcome of (--upgrade.target-version). */
  upgradeTargets: readonly number[];
  /** containerd's config.toml (--containerd.config): the root of an external containerd is measured with the data root. */
  containerdConfigFile?: string;
}

/** Every metric area, registered in `exposition`: each file of this folder owns its metrics and how a snapshot sets them. */
export interface MetricAreas {
  daemon: { update(snapshot: DaemonSnapshot): void }[];
  /** docker_daemon_*: set from the snapshot, and from the verdict for daemon.json. */
  daemonSelf: DaemonMetrics;
  /** Only when the data root is scanned. */
  dataRoot: DataRootMetrics | undefined;
  upgrade: UpgradeMetrics;
}

export function registerMetricAreas(exposition: Exposition, options: ExporterOptions, withDataRoot: boolean): MetricAreas {
  const daemonSelf = new DaemonMetrics(exposition);
  return {
    daemonSelf,
    daemon: [
      new ExporterSelfMetrics(exposition, options),
      new EngineMetrics(exposition),
      daemonSelf,
      new StorageDriverMetrics(exposition),
      new DevicemapperMetrics(exposition),
      new ContainerMetrics(exposition, options),
      new ContainerActivityMetrics(exposition, options),
    ],
    dataRoot: withDataRoot ? new DataRootMetrics(exposition, options.volumesMaxSeries) : undefined,
    upgrade: new UpgradeMetrics(exposition),
  };
}

/** Turns a collection and the last data-root scan into the text Prometheus reads; one exposition of its own. */
export class Exporter {
  readonly exposition = new Exposition();
  private readonly areas: MetricAreas;
  private readonly upgradeTargets: readonly number[];
  private readonly containerdConfigFile: string | undefined;

  constructor(
    private readonly collector: DaemonCollector,
    private readonly scanner: ScanScheduler | undefined,
    options: ExporterOptions,
  ) {
    this.areas = registerMetricAreas(this.exposition, options, scanner !== undefined);
    this.upgradeTargets = options.upgradeTargets;
    this.containerdConfigFile = options.containerdConfigFile;
  }

  /** One collection, handing the scanner what it needs to know of the daemon. */
  async collect(): Promise<DaemonSnapshot> {
    const snapshot = await this.collector.collect();
    this.scanner?.noteDaemon(
      dataRootViewOf(snapshot, this.containerdConfigFile ? { containerdConfigFile: this.containerdConfigFile } : {}),
    );
    return snapshot;
  }

  /** The metrics text for a snapshot and the last complete scan (with the process's families when rendered ahead). */
  render(snapshot: DaemonSnapshot, processFamilies?: ProcessFamilies): Promise<string> {
    const scan = this.scanner?.latest();
    for (const area of this.areas.daemon) area.update(snapshot);
    this.areas.dataRoot?.update(scan);
    const verdict = upgradeVerdict(snapshot, scan?.result, this.upgradeTargets);
    this.areas.daemonSelf.updateVerdict(verdict);
    this.areas.upgrade.update(verdict);
    return this.exposition.metrics(processFamilies);
  }

  /**
   * One scrape. Scrapes that share a collection (they arrived while it was in flight) and a scan
   * share its rendering too: the exposition is rendered once for all of them. The process's own
   * metrics (0.4 ms of CPU at each scrape: memory, open files, heap spaces) are rendered while the
   * daemon answers the collection's ping, once the ping has been sent: a turn of the event loop
   * lets the request reach the socket first.
   */
  async scrape(): Promise<string> {
    const collected = this.collect();
    const processFamilies = nextTurn().then(() => this.exposition.processFamilies());
    // Awaited below unless the scrape shares a rendering; a failure then is the shared one's to report.
    processFamilies.catch(() => undefined);
    const snapshot = await collected;
    const scan = this.scanner?.latest();
    const last = this.lastRender;
    if (last?.snapshot === snapshot && last.scan === scan) return last.text;
    const text = processFamilies.then((families) => this.render(snapshot, families));
    this.lastRender = { snapshot, scan, text };
    return text;
  }

  private lastRender: { snapshot: DaemonSnapshot; scan: ReturnType<ScanScheduler['latest']>; text: Promise<string> } | undefined;
}

/** The exporter over `collector` and `scanner`, its options from the configuration; `serve` adds the process's own metrics. */
export function exporterFor(
  config: Config,
  collector: DaemonCollector,
  scanner: ScanScheduler | undefined,
  mode: 'serve' | 'once',
): Exporter {
  return new Exporter(collector, scanner, {
    version: VERSION,
    // Process metrics describe a long-running exporter; in a textfile they would describe a process gone, and clash with node_exporter's own.
    processMetrics: mode === 'serve' && config.exporterMetrics,
    hostNetworkMaxSeries: config.hostNetworkMaxSeries,
    unhealthyMaxSeries: config.unhealthyMaxSeries,
    exitCodesMaxSeries: config.exitCodesMaxSeries,
    volumesMaxSeries: config.volumesMaxSeries,
    containerLabels: config.containerLabels,
    restartsMaxSeries: config.restartsMaxSeries,
    oomKillsMaxSeries: config.oomKillsMaxSeries,
    upgradeTargets: config.upgradeTargets,
    containerdConfigFile: config.containerdConfigFile,
  });
}
