import { exporterOptions } from './snapshots';
import { registerMetricAreas } from '../../src/metrics/exporter';
import { Exposition } from '../../src/metrics/exposition';

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Metric names a PromQL expression reads: identifiers outside label matchers, groupings, ranges and strings, not called as functions. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\w+/g, ' ')
    // Numbers and durations (5m, 1e9, 0.4) before identifiers, so their letters are not names.
    .replace(/(?<![\w:])\d+(\.\d+)?(e[+-]?\d+)?(ms|[smhdwy])*(?![\w:])/gi, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name = '', call] = match;
    if (call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Every metric name the exporter can export, from its own registry. */
export function exportedMetricNames(): Set<string> {
  const exposition = new Exposition();
  registerMetricAreas(exposition, exporterOptions({ processMetrics: true }), true);
  return new Set(exposition.descriptions().map((m) => m.name));
}
