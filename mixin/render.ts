import { INHIBIT_RULES, type InhibitRule } from './inhibit';
import { ALERT_GROUPS } from './alerts';
import type { MixinConfig } from './config';
import type { AlertRule, RecordingRule, RuleGroup } from './model';
import { RECORDING_GROUPS } from './recording';

type Rendered = { groups: { name: string; rules: Record<string, unknown>[] }[] };

/**
 * An expression with the configuration applied: the selector in every selector, the host and
 * aggregation labels in every grouping, each threshold's value. mixin/mixin.libsonnet does the same
 * replacements, in the same order, on the same templates; a test keeps the two equal.
 */
export function applyConfig(expr: string, config: MixinConfig): string {
  const selector = config.selector;
  return expr
    .split('{SEL}')
    .join(`{${selector}}`)
    .split('{SEL,')
    .join(selector === '' ? '{' : `{${selector},`)
    .split('(HOST')
    .join(`(${config.hostLabels}`)
    .split('(AGG')
    .join(`(${config.aggregationLabels}`)
    .replace(/THRESHOLD\((\w+)\)/g, (_m, name: string) => {
      const value = (config.thresholds as Record<string, number>)[name];
      if (value === undefined) throw new Error(`no threshold ${name}`);
      return formatNumber(value);
    });
}

/** A number as PromQL reads it, written as jsonnet's std.toString writes integers and std.format('%g') the rest. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function alert(rule: AlertRule, config: MixinConfig): Record<string, unknown> {
  return {
    alert: rule.alert,
    expr: applyConfig(rule.expr, config),
    for: rule.for,
    labels: { severity: config.severities[rule.alert] ?? rule.severity },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: config.runbookURLPattern.replace('%s', rule.runbook),
    },
  };
}

export function prometheusAlerts(config: MixinConfig): Rendered {
  return { groups: ALERT_GROUPS.map((g: RuleGroup<AlertRule>) => ({ name: g.name, rules: g.rules.map((r) => alert(r, config)) })) };
}

export function prometheusRules(config: MixinConfig): Rendered {
  return {
    groups: RECORDING_GROUPS.map((g: RuleGroup<RecordingRule>) => ({
      name: g.name,
      rules: g.rules.map((r) => ({ record: r.record, expr: applyConfig(r.expr, config) })),
    })),
  };
}

/** What the jsonnet mixin starts from: the rules with their placeholders, for _config to fill in. */
export function templates(): { alerts: RuleGroup<AlertRule>[]; rules: RuleGroup<RecordingRule>[]; inhibit: InhibitRule[] } {
  return { alerts: ALERT_GROUPS, rules: RECORDING_GROUPS, inhibit: INHIBIT_RULES };
}
