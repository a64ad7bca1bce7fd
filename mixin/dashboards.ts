// The dashboards at a configuration of the mixin. dashboards/*.ts build each dashboard once, typed,
// with Grafana's SDK, as a template with placeholders (mixin/placeholders.ts); this fills them from
// _config as the rules are filled: the selector and a matcher per host variable in every query, the
// host and aggregation labels in groupings, legends and table columns, the thresholds in colours and
// texts, and one template variable per host label. mixin/mixin.libsonnet does the same on mixin/dashboards.json; a test keeps
// the two renderings equal, at the defaults and at an overridden _config.
import * as grafana from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, DATASOURCE, type DashboardSpec } from '../dashboards/build';
import { FLEET } from '../dashboards/fleet';
import { HOST } from '../dashboards/host';
import type { MixinConfig } from './config';
import { format, keysOf, labelsOf, matchers, placeholderTable, variableLabels } from './placeholders';

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
      { hosts: spec.hosts, dashboard: JSON.parse(JSON.stringify(buildDashboard(spec))) as Record<string, unknown> },
    ]),
  );
}

/**
 * The fields whose strings carry placeholders: queries, legends, descriptions and colour steps. Only
 * they are filled, here as in the jsonnet (where filling every string costs seconds); a test finds no
 * placeholder left anywhere in the rendered dashboards.
 */
export const FILLED = new Set(['expr', 'legendFormat', 'description', 'value']);

function fill(value: unknown, config: MixinConfig, table: Record<string, string>, key: string): unknown {
  if (typeof value === 'string') {
    if (!FILLED.has(key)) return value;
    // A colour step is a number in Grafana: its placeholder (a threshold) is one until rendered.
    return key === 'value' ? Number(format(value, table)) : format(value, table);
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, config, table, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [field, v] of Object.entries(value)) for (const k of keysOf(field, config)) out[k] = fill(v, config, table, field);
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
  const dashboard = fill(template.dashboard, config, placeholderTable(config), '') as Record<string, unknown>;
  return { ...dashboard, templating: { list: templateVariables(config, template.hosts) } };
}

/** Every dashboard at a configuration of the mixin, by file name (the jsonnet mixin's grafanaDashboards). */
export function grafanaDashboards(config: MixinConfig): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(dashboardTemplates()).map(([file, t]) => [file, renderDashboard(t, config)]));
}
