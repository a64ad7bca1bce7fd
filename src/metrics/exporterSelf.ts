import { collectDefaultMetrics, Gauge } from 'prom-client';
import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import { PROM_CLIENT_EVENT_LOOP_METRICS, registerEventLoopLag } from './eventLoopLag';
import { GaugeSet } from './gaugeSet';

export interface ExporterSelfOptions {
  version: string;
  /** prom-client's process and Node.js metrics: right for a long-running exporter, wrong in a textfile. */
  processMetrics: boolean;
}

/** The exporter itself: its build, its collectors, the event stream, the age of /info, the answers it could not use. */
export class ExporterSelfMetrics {
  private readonly set: GaugeSet;
  private readonly eventStream;
  private readonly infoTimestamp;
  private readonly collectorDuration;
  private readonly collectorSuccess;
  private readonly parseErrors;

  constructor(exposition: Exposition, options: ExporterSelfOptions) {
    const registry = exposition.process;
    new Gauge({
      name: 'docker_exporter_build_info',
      help: "The exporter's version and the Node.js running it; always 1.",
      labelNames: ['version', 'nodejs_version'],
      registers: [registry],
    }).set({ version: options.version, nodejs_version: process.version }, 1);
    if (options.processMetrics) {
      collectDefaultMetrics({ register: registry });
      // Gauges with a _total suffix break Prometheus naming (promtool check metrics
      // refuses them); nodejs_active_{handles,requests,resources} by type say the same.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        registry.removeSingleMetric(name);
      }
      // Its event-loop metrics cost more than all the others (the standard deviation): ours leave that one out.
      for (const name of PROM_CLIENT_EVENT_LOOP_METRICS) registry.removeSingleMetric(name);
      registerEventLoopLag(registry);
    }
    const set = (this.set = new GaugeSet(exposition));
    this.eventStream = set.gauge(
      'docker_exporter_event_stream_up',
      '1 while the exporter follows the daemon event stream (containers kept current from events), else 0 (containers listed at each scrape).',
    );
    this.infoTimestamp = set.gauge(
      'docker_exporter_info_timestamp_seconds',
      'Unix time of the GET /info answer the engine, storage driver and thin pool figures come from (cached up to --docker.info-max-age).',
    );
    this.collectorDuration = set.gauge(
      'docker_exporter_collector_duration_seconds',
      'How long each collector took in the last collection.',
      ['collector'],
    );
    this.collectorSuccess = set.gauge(
      'docker_exporter_collector_success',
      '1 when the collector succeeded in the last collection, else 0.',
      ['collector'],
    );
    // A counter of problems found whenever they were found (at start, from events, at a scrape), not only at scrapes.
    this.parseErrors = set.gauge(
      'docker_exporter_parse_errors_total',
      'Values in the daemon answers that the exporter could not use and left out, by field, since the exporter started.',
      ['field'],
      'counter',
    );
  }

  update(snapshot: DaemonSnapshot): void {
    this.set.reset();
    this.eventStream.set({}, snapshot.eventStreamConnected ? 1 : 0);
    if (snapshot.infoTimestamp !== undefined) this.infoTimestamp.set({}, snapshot.infoTimestamp);
    for (const status of snapshot.collectors) {
      this.collectorDuration.set({ collector: status.collector }, status.durationSeconds);
      this.collectorSuccess.set({ collector: status.collector }, status.success ? 1 : 0);
    }
    for (const [field, count] of snapshot.parseErrors) this.parseErrors.set({ field }, count);
  }
}
