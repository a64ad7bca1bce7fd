import { Registry } from 'prom-client';
import type { DaemonCollector } from './collectDaemon';
import { DaemonMetrics, registerExporterMetrics } from './metrics';

/** Turns a collection into the text Prometheus reads; one per process, one registry of its own. */
export class Exporter {
  readonly registry = new Registry();
  private readonly daemonMetrics: DaemonMetrics;

  constructor(
    private readonly collector: DaemonCollector,
    version: string,
  ) {
    registerExporterMetrics(this.registry, version);
    this.daemonMetrics = new DaemonMetrics(this.registry);
  }

  async scrape(): Promise<string> {
    const snapshot = await this.collector.collect();
    this.daemonMetrics.update(snapshot);
    return this.registry.metrics();
  }
}
