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

  /**
   * Starts rendering the families that describe this process (prom-client's process and Node.js
   * metrics, every family not named docker_*): they do not depend on the daemon, so a scrape renders
   * them while the daemon answers. All are collected in this one tick, as a scrape of the registry would.
   */
  async processFamilies(): Promise<ProcessFamilies> {
    const names = this.getMetricsAsArray()
      .map((metric) => metric.name)
      .filter((name) => !name.startsWith('docker_'));
    const texts = await Promise.all(names.map((name) => this.getSingleMetricAsString(name)));
    return new Map(names.map((name, i) => [name, texts[i] ?? '']));
  }

  /** Every family in name order; the process's from `processFamilies` when rendered ahead. */
  override async metrics(processFamilies?: ProcessFamilies): Promise<string> {
    const families = await Promise.all(
      this.getMetricsAsArray().map((metric): Promise<string> => {
        const own: unknown = metric;
        if (own instanceof SnapshotGauge) return Promise.resolve(own.text());
        const ahead = processFamilies?.get(metric.name);
        return ahead !== undefined ? Promise.resolve(ahead) : this.getSingleMetricAsString(metric.name);
      }),
    );
    return `${families.join('\n\n')}\n`;
  }
}

/** The process's families by name, rendered. */
export type ProcessFamilies = ReadonlyMap<string, string>;
