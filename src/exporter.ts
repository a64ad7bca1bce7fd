import { Registry } from 'prom-client';
import type { DaemonCollector, DaemonSnapshot } from './collectDaemon';
import { DaemonMetrics, registerExporterMetrics } from './metrics';
import type { ScanScheduler } from './scan/scheduler';
import { ScanMetrics } from './scanMetrics';

/** Turns a collection and the last data-root scan into the text Prometheus reads; one registry of its own. */
export class Exporter {
  readonly registry = new Registry();
  private readonly daemonMetrics: DaemonMetrics;
  private readonly scanMetrics: ScanMetrics | undefined;

  constructor(
    private readonly collector: DaemonCollector,
    private readonly scanner: ScanScheduler | undefined,
    version: string,
  ) {
    registerExporterMetrics(this.registry, version);
    this.daemonMetrics = new DaemonMetrics(this.registry);
    this.scanMetrics = scanner ? new ScanMetrics(this.registry) : undefined;
  }

  /** One collection, handing the scanner what it needs to know of the daemon. */
  async collect(): Promise<DaemonSnapshot> {
    const snapshot = await this.collector.collect();
    const info = snapshot.info;
    this.scanner?.noteDaemon(info?.dockerRootDir, info?.driver, info?.containerdSnapshotter ?? false);
    return snapshot;
  }

  async scrape(): Promise<string> {
    const snapshot = await this.collect();
    this.daemonMetrics.update(snapshot);
    this.scanMetrics?.update(this.scanner?.latest());
    return this.registry.metrics();
  }
}
