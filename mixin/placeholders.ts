// The mixin's one placeholder syntax, node-mixin's: `%(name)s` in a rule or dashboard template stands
// for an entry of the table below, made from _config, and `%%` for a percent sign. jsonnet formats it
// natively (`template % table`); mixin/mixin.libsonnet builds the same table, and a test keeps the two
// renderings equal.
import type { MixinConfig } from './config';

export const labelsOf = (list: string): string[] =>
  list
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** The labels that get a template variable: the aggregation labels (coarse, such as job), then the other host labels. */
export function variableLabels(config: MixinConfig): string[] {
  const aggregation = labelsOf(config.aggregationLabels);
  return [...aggregation, ...labelsOf(config.hostLabels).filter((l) => !aggregation.includes(l))];
}

/** A matcher per label on the dashboard variable of the same name. */
export const matchers = (labels: string[]): string => labels.map((l) => `${l}=~"$${l}"`).join(',');

/** A number as PromQL reads it, written as jsonnet's std.toString writes integers and std.format('%g') the rest. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** Thresholds that are shares get a second entry, `<name>Used`: one minus the share, for panels that show the share in use. */
const isShare = (name: string): boolean => name.endsWith('Ratio');

/**
 * What each placeholder becomes at a configuration. Worked out once per rendering (as the jsonnet does:
 * std.format is slow there).
 *
 * - `selector`: the exporter's selector; `selectorAnd`: the selector and a comma, for more matchers after
 *   it (nothing when the selector is empty);
 * - `hostLabels`, `aggregationLabels`: label lists as _config writes them, for `by (…)` and `on (…)`;
 *   as an object key (a table's columns), one key per label;
 * - `hostMatchers`, `aggregationMatchers`: a matcher per dashboard variable;
 * - `hostLegend`: the legend naming one host: the host labels outside the aggregation labels (instance), else all of them;
 * - each threshold by its name, and `<name>Used` for a share.
 */
export function placeholderTable(config: MixinConfig): Record<string, string> {
  const hostLabels = labelsOf(config.hostLabels);
  const aggregationLabels = labelsOf(config.aggregationLabels);
  const own = hostLabels.filter((l) => !aggregationLabels.includes(l));
  const thresholds = Object.entries(config.thresholds);
  return {
    selector: config.selector,
    selectorAnd: config.selector === '' ? '' : `${config.selector},`,
    hostLabels: config.hostLabels,
    aggregationLabels: config.aggregationLabels,
    hostMatchers: matchers(variableLabels(config)),
    aggregationMatchers: matchers(aggregationLabels),
    hostLegend: (own.length ? own : hostLabels).map((l) => `{{${l}}}`).join('/'),
    ...Object.fromEntries(thresholds.map(([name, value]) => [name, formatNumber(value)])),
    ...Object.fromEntries(
      thresholds.filter(([name]) => isShare(name)).map(([name, value]) => [`${name}Used`, formatNumber(Number((1 - value).toFixed(6)))]),
    ),
  };
}

/** The placeholder standing for a name of the table. */
export const placeholder = (name: string): string => `%(${name})s`;

/**
 * A template with its placeholders filled, as jsonnet's `template % table` fills it: `%(name)s` by the
 * table, `%%` as `%`; a name the table lacks or any other `%` is an error, as in jsonnet.
 */
export function format(template: string, table: Record<string, string>): string {
  return template.replace(/%(?:\((\w+)\)s|(%))?/g, (_whole, name: string | undefined, percent: string | undefined) => {
    if (percent) return '%';
    if (name === undefined) throw new Error(`a % that is no placeholder in ${JSON.stringify(template)}: write %% for a percent sign`);
    const value = table[name];
    if (value === undefined) throw new Error(`no placeholder ${placeholder(name)} in _config (in ${JSON.stringify(template)})`);
    return value;
  });
}

/** Object keys standing for a list of labels (a table's columns): one key per label of _config. */
export function keysOf(key: string, config: MixinConfig): string[] {
  if (key === placeholder('hostLabels')) return labelsOf(config.hostLabels);
  if (key === placeholder('aggregationLabels')) return labelsOf(config.aggregationLabels);
  return [key];
}
