// The dashboards at a configuration of the mixin. dashboards/*.ts build each dashboard once, typed,
// with Grafana's SDK, as a template with placeholders; this fills them from _config as the rules are
// filled: the selector and a matcher per host variable in every query, the host and aggregation labels
// in groupings, legends and table columns, the thresholds in colours and texts, and one template
// variable per host label. mixin/mixin.libsonnet does the same on mixin/dashboards.json; a test keeps
// the two renderings equal, at the defaults and at an overridden _config.
import * as grafana from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, DATASOURCE, type DashboardSpec, templateOf } from '../dashboards/build';
import { FLEET } from '../dashboards/fleet';
import { HOST } from '../dashboards/host';
import type { MixinConfig } from './config';
import { applyConfig } from './render';

/** Every dashboard by its file name. */
export const DASHBOARD_SPECS: Record<string, DashboardSpec> = {
  'docker-fleet.json': FLEET,
  'docker-host.json': HOST,
};

export interface DashboardTemplate {
  hosts: DashboardSpec['hosts'];
  dashboard: Record<string, unknown>;
}

/** What mixin/dashboards.json holds: each dashboard with its placeholders, for _config to fill in. */
export function dashboardTemplates(): Record<string, DashboardTemplate> {
  return Object.fromEntries(
    Object.entries(DASHBOARD_SPECS).map(([file, spec]) => [
      file,
      { hosts: spec.hosts, dashboard: templateOf(buildDashboard(spec)) as Record<string, unknown> },
    ]),
  );
}

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

const matchers = (labels: string[]): string => labels.map((l) => `${l}=~"$${l}"`).join(',');

/** What the dashboards' placeholders become at a configuration: worked out once per rendering, as the jsonnet does. */
interface Placeholders {
  hostMatchers: string;
  aggMatchers: string;
  /** The legend naming one host: the host labels outside the aggregation labels (instance), else all of them. */
  hostLegend: string;
  hostLabels: string[];
  aggregationLabels: string[];
}

function placeholdersOf(config: MixinConfig): Placeholders {
  const hostLabels = labelsOf(config.hostLabels);
  const aggregationLabels = labelsOf(config.aggregationLabels);
  const own = hostLabels.filter((l) => !aggregationLabels.includes(l));
  return {
    hostMatchers: matchers(variableLabels(config)),
    aggMatchers: matchers(aggregationLabels),
    hostLegend: (own.length ? own : hostLabels).map((l) => `{{${l}}}`).join('/'),
    hostLabels,
    aggregationLabels,
  };
}

/** A text of a template with _config applied: the dashboards' placeholders first, then the rules'. */
function applyDashboardConfig(text: string, config: MixinConfig, p: Placeholders): string {
  return applyConfig(
    text.split('HOST_MATCHERS').join(p.hostMatchers).split('AGG_MATCHERS').join(p.aggMatchers).split('HOST_LEGEND').join(p.hostLegend),
    config,
  );
}

/** A value that is a threshold of _config as a whole (a colour step), as a number. */
function thresholdValue(text: string, config: MixinConfig): number | undefined {
  const m = /^(1-)?THRESHOLD\((\w+)\)$/.exec(text);
  if (!m) return undefined;
  const value = (config.thresholds as Record<string, number>)[m[2] ?? ''];
  if (value === undefined) throw new Error(`no threshold ${m[2] ?? ''}`);
  return m[1] ? Number((1 - value).toFixed(6)) : value;
}

/** Column keys standing for a list of labels: one key per label of _config. */
function keysOf(key: string, p: Placeholders): string[] {
  if (key === 'HOST_LABELS') return p.hostLabels;
  if (key === 'AGG_LABELS') return p.aggregationLabels;
  return [key];
}

/**
 * The fields whose strings carry placeholders: queries, legends, descriptions, the data source's uid and
 * colour steps. Only they are filled, here as in the jsonnet (where filling every string costs seconds);
 * a test finds no placeholder left anywhere in the rendered dashboards.
 */
export const FILLED = new Set(['expr', 'legendFormat', 'description', 'uid', 'value']);

function fill(value: unknown, config: MixinConfig, p: Placeholders, key: string): unknown {
  if (typeof value === 'string') return FILLED.has(key) ? (thresholdValue(value, config) ?? applyDashboardConfig(value, config, p)) : value;
  if (Array.isArray(value)) return value.map((v) => fill(v, config, p, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [field, v] of Object.entries(value)) for (const k of keysOf(field, p)) out[k] = fill(v, config, p, field);
    return out;
  }
  return value;
}

/** The datasource variable, then one per host label, each offering the values left by the ones before it. */
export function templateVariables(config: MixinConfig, hosts: DashboardSpec['hosts']): grafana.VariableModel[] {
  const aggregation = labelsOf(config.aggregationLabels);
  const labels = variableLabels(config);
  const datasource = new grafana.DatasourceVariableBuilder('datasource')
    .label('Data source')
    .type('prometheus')
    .regex(config.datasourceFilterRegex)
    .current({ selected: true, text: config.datasourceName, value: config.datasourceName })
    .build();
  const hostVariables = labels.map((label, i) => {
    const selector = [config.selector, matchers(labels.slice(0, i))].filter((s) => s !== '').join(',');
    const query = `label_values(docker_up${selector === '' ? '' : `{${selector}}`}, ${label})`;
    const multi = hosts === 'many' || aggregation.includes(label);
    const variable = new grafana.QueryVariableBuilder(label)
      .label(label)
      .datasource(DATASOURCE)
      .query(query)
      .refresh(grafana.VariableRefresh.OnTimeRangeChanged)
      .sort(grafana.VariableSort.AlphabeticalAsc)
      .multi(multi)
      .includeAll(multi);
    return (multi ? variable.allValue('.+') : variable).build();
  });
  return [datasource, ...hostVariables];
}

/** A dashboard at a configuration of the mixin. */
export function renderDashboard(template: DashboardTemplate, config: MixinConfig): Record<string, unknown> {
  const dashboard = fill(template.dashboard, config, placeholdersOf(config), '') as Record<string, unknown>;
  return { ...dashboard, templating: { list: templateVariables(config, template.hosts) } };
}

/** Every dashboard at a configuration of the mixin, by file name (the jsonnet mixin's grafanaDashboards). */
export function grafanaDashboards(config: MixinConfig): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(dashboardTemplates()).map(([file, t]) => [file, renderDashboard(t, config)]));
}
