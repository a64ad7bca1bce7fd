import { registerMetricAreas } from './exporter';
import { Exposition, FamilyDescription } from './exposition';

export type MetricDescription = FamilyDescription;

/**
 * Every metric the exporter registers: name, type, label names and HELP, in name order.
 * prom-client's process metrics,
 * registered only where they belong (the serving exporter), are left out: prom-client documents them.
 */
export function metricCatalog(): MetricDescription[] {
  const exposition = new Exposition();
  registerMetricAreas(
    exposition,
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
  return exposition.descriptions();
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
