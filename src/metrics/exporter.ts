import type { DaemonCollector, DaemonSnapshot } from '../collector/daemonCollector';
import { DaemonMetrics, registerExporterMetrics } from './daemon';
import { SortedRegistry } from './sortedRegistry';
import type { ScanScheduler } from '../scan/scheduler';
import { ScanMetrics } from './dataRoot';
import { UpgradeMetrics } from './upgrade';
import { upgradeVerdict } from '../upgrade/verdict';

export interface ExporterOptions {
  version: string;
  /** prom-client's process and Node.js metrics: right for a long-running exporter, wrong in a textfile. */
  processMetrics?: boolean;
  hostNetworkMaxSeries: number;
}

/** Turns a collection and the last data-root scan into the text Prometheus reads; one registry of its own. */
export class Exporter {
  readonly registry = new SortedRegistry();
  private readonly daemonMetrics: DaemonMetrics;
  private readonly scanMetrics: ScanMetrics | undefined;
  private readonly upgradeMetrics: UpgradeMetrics;

  constructor(
    private readonly collector: DaemonCollector,
    private readonly scanner: ScanScheduler | undefined,
    options: ExporterOptions,
  ) {
    registerExporterMetrics(this.registry, options.version, options.processMetrics ?? true);
    this.daemonMetrics = new DaemonMetrics(this.registry, { hostNetworkMaxSeries: options.hostNetworkMaxSeries });
    this.scanMetrics = scanner ? new ScanMetrics(this.registry) : undefined;
    this.upgradeMetrics = new UpgradeMetrics(this.registry);
  }

  /** One collection, handing the scanner what it needs to know of the daemon. */
  async collect(): Promise<DaemonSnapshot> {
    const snapshot = await this.collector.collect();
    const info = snapshot.info;
    this.scanner?.noteDaemon(info?.dockerRootDir, info?.driver, info?.containerdSnapshotter ?? false);
    return snapshot;
  }

  /** The metrics text for a snapshot and the last complete scan. */
  render(snapshot: DaemonSnapshot): Promise<string> {
    const scan = this.scanner?.latest();
    this.daemonMetrics.update(snapshot);
    this.scanMetrics?.update(scan);
    this.upgradeMetrics.update(upgradeVerdict(snapshot, scan?.result));
    return this.registry.metrics();
  }

  async scrape(): Promise<string> {
    return this.render(await this.collect());
  }
}
