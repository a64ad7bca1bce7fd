import { registerMetricAreas } from './exporter';
import { SortedRegistry } from './sortedRegistry';

export interface MetricDescription {
  name: string;
  type: string;
  labels: readonly string[];
  help: string;
}

/**
 * Every metric the exporter registers, as it registers them: name, type, label names and HELP,
 * in the order of the areas (daemon, engine, storage driver, …). prom-client's process metrics,
 * registered only where they belong (the serving exporter), are left out: prom-client documents them.
 */
export function metricCatalog(): MetricDescription[] {
  const registry = new SortedRegistry();
  registerMetricAreas(
    registry,
    {
      version: '',
      processMetrics: false,
      hostNetworkMaxSeries: 1,
      unhealthyMaxSeries: 1,
      restartsMaxSeries: 1,
      oomKillsMaxSeries: 1,
      upgradeTargets: [],
    },
    true,
  );
  return registry.getMetricsAsArray().map((metric) => {
    const m = metric as unknown as { name: string; help: string; type: string; labelNames?: readonly string[] };
    return { name: m.name, type: m.type, labels: m.labelNames ?? [], help: m.help };
  });
}

/** docs/metrics.md's table of every metric, made from the registered metrics (a test keeps the file equal to it). */
export function metricTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| metric | type | labels | help |',
    '|---|---|---|---|',
    ...metricCatalog().map((m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ')} | ${cell(m.help)} |`),
  ].join('\n');
}
