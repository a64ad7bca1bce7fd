import { Registry } from 'prom-client';
import { SnapshotGauge } from './snapshotGauge';
import { byName } from '../util/order';

/**
 * A registry that exposes metric families sorted by name, as Prometheus' Go
 * client does: the text depends on what is measured, not on the order the
 * code happens to register things in, so a golden file survives refactoring.
 * It speaks the Prometheus text format only (never OpenMetrics).
 *
 * The exporter's own gauges render themselves, from text kept while their
 * samples stay the same (most of them, most of the time); prom-client's
 * metrics (the process's) render as prom-client renders them.
 */
export class SortedRegistry extends Registry {
  override getMetricsAsArray(): ReturnType<Registry['getMetricsAsArray']> {
    return super.getMetricsAsArray().sort(byName);
  }

  override async metrics(): Promise<string> {
    const families = await Promise.all(
      this.getMetricsAsArray().map((metric): Promise<string> => {
        const own: unknown = metric;
        return own instanceof SnapshotGauge ? Promise.resolve(own.text()) : this.getSingleMetricAsString(metric.name);
      }),
    );
    return `${families.join('\n\n')}\n`;
  }
}
