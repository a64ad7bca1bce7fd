import { INHIBIT_RULES, type InhibitRule } from './inhibit';
import { ALERT_GROUPS } from './alerts';
import type { MixinConfig } from './config';
import type { AlertRule, RecordingRule, RuleGroup } from './model';
import { format, placeholderTable } from './placeholders';
import { RECORDING_GROUPS } from './recording';

type Rendered = { groups: { name: string; rules: Record<string, unknown>[] }[] };

function alert(rule: AlertRule, config: MixinConfig, table: Record<string, string>): Record<string, unknown> {
  return {
    alert: rule.alert,
    expr: format(rule.expr, table),
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
  const table = placeholderTable(config);
  return { groups: ALERT_GROUPS.map((g: RuleGroup<AlertRule>) => ({ name: g.name, rules: g.rules.map((r) => alert(r, config, table)) })) };
}

export function prometheusRules(config: MixinConfig): Rendered {
  const table = placeholderTable(config);
  return {
    groups: RECORDING_GROUPS.map((g: RuleGroup<RecordingRule>) => ({
      name: g.name,
      rules: g.rules.map((r) => ({ record: r.record, expr: format(r.expr, table) })),
    })),
  };
}

/** What the jsonnet mixin starts from: the rules with their placeholders, for _config to fill in. */
export function templates(): { alerts: RuleGroup<AlertRule>[]; rules: RuleGroup<RecordingRule>[]; inhibit: InhibitRule[] } {
  return { alerts: ALERT_GROUPS, rules: RECORDING_GROUPS, inhibit: INHIBIT_RULES };
}
