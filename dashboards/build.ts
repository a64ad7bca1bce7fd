// Turns the panel specs of dashboards/fleet.ts and dashboards/host.ts into Grafana dashboards with
// Grafana's own builders (@grafana/grafana-foundation-sdk, the Grafana 11.6 schema): the types check
// every field at build time. What comes out is a template: queries, texts and colour steps still carry
// the mixin's placeholders (mixin/placeholders.ts), which mixin/dashboards.ts (and mixin/mixin.libsonnet)
// fill from _config.
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as grafana from '@grafana/grafana-foundation-sdk/dashboard';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { placeholder } from '../mixin/placeholders';
import type { ThresholdName } from '../src/upgrade/thresholds';

/** A threshold of the mixin's _config: its value, or (used) one minus it, for a share in use against a share available. */
export interface ThresholdRef {
  threshold: ThresholdName;
  used?: boolean;
}

export interface Step {
  value: number | null | ThresholdRef;
  color: string;
}

export interface Target {
  expr: string;
  legend?: string;
  instant?: boolean;
  table?: boolean;
}

export interface PanelSpec {
  title: string;
  description: string;
  type: 'stat' | 'timeseries' | 'table' | 'bargauge' | 'piechart';
  unit: string;
  targets: Target[];
  w: number;
  h: number;
  thresholds?: Step[];
  max?: number;
  transformations?: grafana.DataTransformerConfig[];
  stacking?: boolean;
  /** What a stat shows: its value, or the series' name (a label rendered by the legend) for info metrics. */
  textMode?: 'auto' | 'value' | 'name';
  /** Words for values, such as up/down for 1/0. */
  mappings?: grafana.ValueMapping[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** Whether the host labels outside the aggregation labels (instance) take several values, or one host at a time. */
  hosts: 'many' | 'one';
  panels: PanelSpec[];
}

/** The data source variable every panel, query and host variable uses: Grafana's own syntax, nothing to fill in. */
export const DATASOURCE: grafana.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

/** A value mapping that shows words (and colours) for the values of a 0/1 gauge. */
export function booleanMapping(zero: string, one: string, zeroColor = 'red', oneColor = 'green'): grafana.ValueMapping[] {
  return [
    {
      type: grafana.MappingType.ValueToText,
      options: { '0': { text: zero, color: zeroColor, index: 0 }, '1': { text: one, color: oneColor, index: 1 } },
    },
  ];
}

/** What every panel builder of the SDK has in common, as far as these dashboards use it. */
interface CommonPanelBuilder {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: grafana.DataSourceRef): this;
  gridPos(gridPos: grafana.GridPos): this;
  unit(unit: string): this;
  max(max: number): this;
  mappings(mappings: grafana.ValueMapping[]): this;
  thresholds(thresholds: cog.Builder<grafana.ThresholdsConfig>): this;
  colorScheme(color: cog.Builder<grafana.FieldColor>): this;
  transformations(transformations: grafana.DataTransformerConfig[]): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  build(): grafana.Panel;
}

const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false);

function builderFor(spec: PanelSpec): CommonPanelBuilder {
  switch (spec.type) {
    case 'stat':
      return new stat.PanelBuilder()
        .reduceOptions(lastValue())
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .textMode(
          spec.textMode === 'name'
            ? common.BigValueTextMode.Name
            : spec.textMode === 'value'
              ? common.BigValueTextMode.Value
              : common.BigValueTextMode.Auto,
        );
    case 'timeseries':
      return new timeseries.PanelBuilder()
        .drawStyle(common.GraphDrawStyle.Line)
        .lineWidth(1)
        .fillOpacity(spec.stacking ? 30 : 0)
        .stacking(new common.StackingConfigBuilder().mode(spec.stacking ? common.StackingMode.Normal : common.StackingMode.None).group('A'))
        .showPoints(common.VisibilityMode.Never)
        .legend(
          new common.VizLegendOptionsBuilder()
            .displayMode(common.LegendDisplayMode.Table)
            .placement(common.LegendPlacement.Right)
            .showLegend(true)
            .calcs(['lastNotNull', 'max']),
        )
        .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
    case 'bargauge':
      return new bargauge.PanelBuilder()
        .displayMode(common.BarGaugeDisplayMode.Gradient)
        .orientation(common.VizOrientation.Horizontal)
        .reduceOptions(lastValue())
        .showUnfilled(true);
    case 'piechart':
      return new piechart.PanelBuilder()
        .reduceOptions(lastValue())
        .legend(
          new piechart.PieChartLegendOptionsBuilder()
            .displayMode(common.LegendDisplayMode.Table)
            .placement(common.LegendPlacement.Right)
            .showLegend(true)
            .values([piechart.PieChartLegendValues.Value]),
        )
        .pieType(piechart.PieChartType.Donut);
    case 'table':
      return new table.PanelBuilder().showHeader(true).cellHeight(common.TableCellHeight.Sm);
  }
}

/** A colour step's placeholder: the threshold, or (used) its `<name>Used` entry, one minus it. */
const stepPlaceholder = (ref: ThresholdRef): string => placeholder(ref.used ? `${ref.threshold}Used` : ref.threshold);

/**
 * Each colour step that is a threshold of _config set in place on the built panel to its placeholder,
 * which the mixin fills when it renders. Grafana's types want a number there, so the builder was given
 * null; a template is not yet a dashboard.
 */
function withThresholdPlaceholders(built: grafana.Panel, steps: Step[] | undefined): grafana.Panel {
  const builtSteps = built.fieldConfig?.defaults.thresholds?.steps ?? [];
  (steps ?? []).forEach((step, i) => {
    const target = builtSteps[i] as { value: unknown } | undefined;
    if (step.value !== null && typeof step.value === 'object' && target) target.value = stepPlaceholder(step.value);
  });
  return built;
}

function panel(spec: PanelSpec, x: number, y: number): grafana.Panel {
  const builder = builderFor(spec)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .gridPos({ x, y, w: spec.w, h: spec.h })
    .unit(spec.unit)
    .thresholds(
      new grafana.ThresholdsConfigBuilder().mode(grafana.ThresholdsMode.Absolute).steps(
        (spec.thresholds ?? [{ value: null, color: 'green' }]).map((s) => ({
          color: s.color,
          value: typeof s.value === 'number' ? s.value : null,
        })),
      ),
    )
    .colorScheme(
      new grafana.FieldColorBuilder().mode(
        spec.type === 'timeseries' && !spec.thresholds ? grafana.FieldColorModeId.PaletteClassic : grafana.FieldColorModeId.Thresholds,
      ),
    )
    .transformations(spec.transformations ?? []);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.mappings) builder.mappings(spec.mappings);
  spec.targets.forEach((t, i) => {
    const instant = t.instant ?? spec.type !== 'timeseries';
    const query = new prometheus.DataqueryBuilder()
      .refId(String.fromCharCode(65 + i))
      .datasource(DATASOURCE)
      .expr(t.expr)
      .legendFormat(t.legend ?? '__auto')
      .format(t.table ? prometheus.PromQueryFormat.Table : prometheus.PromQueryFormat.TimeSeries);
    builder.withTarget(instant ? query.instant() : query.range());
  });
  return withThresholdPlaceholders(builder.build(), spec.thresholds);
}

/** Lays panels out left to right in rows of 24 columns. */
function layout(specs: PanelSpec[]): grafana.Panel[] {
  const panels: grafana.Panel[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const spec of specs) {
    if (x + spec.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    panels.push(panel(spec, x, y));
    x += spec.w;
    rowHeight = Math.max(rowHeight, spec.h);
  }
  return panels;
}

/** The dashboard as Grafana's types have it, before the host variables (they follow _config) are added. */
export function buildDashboard(spec: DashboardSpec): grafana.Dashboard {
  const builder = new grafana.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['docker', 'docker-daemon-exporter'])
    .timezone('browser')
    // Provisioned from this file: an edit in Grafana would be lost at the next provisioning (dashboard-linter's uneditable-dashboard).
    .readonly()
    .tooltip(grafana.DashboardCursorSync.Crosshair)
    .refresh('1m')
    .version(1)
    .time({ from: 'now-24h', to: 'now' });
  for (const p of layout(spec.panels)) builder.withPanel({ build: () => p });
  return builder.build();
}
