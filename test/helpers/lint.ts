/**
 * The rules grafana/dashboard-linter and monitoring-mixins' mixtool lint check,
 * written again in TypeScript (both are Go tools, not installable here) for
 * test/unit/lint.test.ts: each rule a function from a dashboard or the alert
 * rules to findings, each finding with a message.
 */

export interface Finding {
  rule: string;
  /** The dashboard file or "alerts". */
  where: string;
  /** The panel title, variable name or alert name. */
  what: string;
  message: string;
}

export interface LintTarget {
  expr: string;
  datasource?: { uid?: string };
}

export interface LintPanel {
  title?: string;
  type: string;
  description?: string;
  datasource?: { uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: LintTarget[];
}

export interface LintVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: { uid?: string };
  multi?: boolean;
}

export interface LintDashboard {
  uid?: string;
  title?: string;
  editable?: boolean;
  templating?: { list?: LintVariable[] };
  panels?: LintPanel[];
}

export interface LintAlert {
  alert: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const DATASOURCE = '${datasource}';
const RATE_LIKE = /\b(rate|irate|increase)\s*\(/g;
/** Template variables a query may hold: the dashboard's and Grafana's own. */
const KNOWN_VARIABLES = new Set(['$job', '$instance', '$__rate_interval', '$__range', '$__interval']);

type DashboardRule = (file: string, dashboard: LintDashboard) => Finding[];

const variableQuery = (v: LintVariable): string => (typeof v.query === 'string' ? v.query : (v.query?.query ?? ''));

/** Selectors of an expression: `name{matchers}`, or a bare `{matchers}`. */
function selectors(expr: string): { name: string; matchers: string }[] {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)?\{([^}]*)\}/g)].map((m) => ({ name: m[1] ?? '', matchers: m[2] ?? '' }));
}

/** Delimiters and quotes balanced: the part of a PromQL parse that can fail without a server (the live ones parse the rest). */
function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quoted = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return !quoted && stack.length === 0;
}

function panelsWithTargets(dashboard: LintDashboard): LintPanel[] {
  return (dashboard.panels ?? []).filter((p) => p.type !== 'row' && p.type !== 'text');
}

function queryVariable(rule: string, label: 'job' | 'instance'): DashboardRule {
  return (file, dashboard) => {
    const v = dashboard.templating?.list?.find((x) => x.name === label);
    const found = (message: string): Finding[] => [{ rule, where: file, what: label, message }];
    if (!v) return found(`the dashboard has no ${label} variable`);
    if (v.type !== 'query') return found(`the ${label} variable is of type ${v.type}, not query`);
    if (v.datasource?.uid !== DATASOURCE) return found(`the ${label} variable does not use ${DATASOURCE}`);
    if (!new RegExp(`^label_values\\(.*,\\s*${label}\\s*\\)$`).test(variableQuery(v)))
      return found(`the ${label} variable is not label_values(…, ${label})`);
    if (label === 'instance' && !variableQuery(v).includes('job=~"$job"')) return found('the instance variable does not follow $job');
    if (v.multi !== true) return found(`the ${label} variable is not multi-valued`);
    return [];
  };
}

export const DASHBOARD_RULES: Record<string, DashboardRule> = {
  'template-datasource': (file, d) => {
    const v = d.templating?.list?.find((x) => x.name === 'datasource');
    return v?.type === 'datasource' && variableQuery(v) === 'prometheus'
      ? []
      : [
          {
            rule: 'template-datasource',
            where: file,
            what: 'datasource',
            message: 'no datasource variable of type datasource for prometheus',
          },
        ];
  },
  'template-job': queryVariable('template-job', 'job'),
  'template-instance': queryVariable('template-instance', 'instance'),
  'template-label-promql': (file, d) =>
    (d.templating?.list ?? [])
      .filter((v) => v.type === 'query')
      .filter(
        (v) =>
          !/^label_values\(\s*[a-zA-Z_:][\w:]*(\{[^}]*\})?\s*,\s*[a-zA-Z_]\w*\s*\)$/.test(variableQuery(v)) || !balanced(variableQuery(v)),
      )
      .map((v) => ({
        rule: 'template-label-promql',
        where: file,
        what: v.name,
        message: `not a valid label_values query: ${variableQuery(v)}`,
      })),
  'panel-datasource': (file, d) =>
    panelsWithTargets(d)
      .filter((p) => p.datasource?.uid !== DATASOURCE || (p.targets ?? []).some((t) => t.datasource?.uid !== DATASOURCE))
      .map((p) => ({
        rule: 'panel-datasource',
        where: file,
        what: p.title ?? '',
        message: `the panel or a target does not use ${DATASOURCE}`,
      })),
  'panel-title-description': (file, d) =>
    (d.panels ?? [])
      .filter((p) => !p.title?.trim() || !p.description?.trim())
      .map((p) => ({
        rule: 'panel-title-description',
        where: file,
        what: p.title ?? '',
        message: 'a panel without a title or a description',
      })),
  'panel-units': (file, d) =>
    panelsWithTargets(d)
      .filter((p) => !p.fieldConfig?.defaults?.unit)
      .map((p) => ({ rule: 'panel-units', where: file, what: p.title ?? '', message: 'no unit' })),
  'panel-no-targets': (file, d) =>
    panelsWithTargets(d)
      .filter((p) => (p.targets ?? []).length === 0)
      .map((p) => ({ rule: 'panel-no-targets', where: file, what: p.title ?? '', message: 'a panel with no query' })),
  'target-promql': (file, d) =>
    panelsWithTargets(d).flatMap((p) =>
      (p.targets ?? []).flatMap((t): Finding[] => {
        const unknown = [...t.expr.matchAll(/\$\w+/g)].map((m) => m[0]).filter((v) => !KNOWN_VARIABLES.has(v));
        if (!balanced(t.expr)) return [{ rule: 'target-promql', where: file, what: p.title ?? '', message: `unbalanced: ${t.expr}` }];
        if (unknown.length > 0)
          return [{ rule: 'target-promql', where: file, what: p.title ?? '', message: `unknown variables ${unknown.join(', ')}` }];
        return [];
      }),
    ),
  'target-rate-interval': (file, d) =>
    panelsWithTargets(d).flatMap((p) =>
      (p.targets ?? []).flatMap((t) =>
        [...t.expr.matchAll(RATE_LIKE)].flatMap((m) => {
          const range = /\[([^\]]*)\]/.exec(t.expr.slice(m.index))?.[1];
          return range === '$__rate_interval'
            ? []
            : [
                {
                  rule: 'target-rate-interval',
                  where: file,
                  what: p.title ?? '',
                  message: `${m[1] ?? ''}() over [${range ?? ''}], not [$__rate_interval]`,
                },
              ];
        }),
      ),
    ),
  'target-job': (file, d) =>
    panelsWithTargets(d).flatMap((p) =>
      (p.targets ?? []).flatMap((t) =>
        selectors(t.expr)
          .filter((s) => !/(^|,)\s*job=~"\$job"/.test(s.matchers))
          .map((s) => ({ rule: 'target-job', where: file, what: p.title ?? '', message: `${s.name || 'a selector'} without job=~"$job"` })),
      ),
    ),
  'target-instance': (file, d) =>
    panelsWithTargets(d).flatMap((p) =>
      (p.targets ?? []).flatMap((t) =>
        selectors(t.expr)
          .filter((s) => !/(^|,)\s*instance=~"\$instance"/.test(s.matchers))
          .map((s) => ({
            rule: 'target-instance',
            where: file,
            what: p.title ?? '',
            message: `${s.name || 'a selector'} without instance=~"$instance"`,
          })),
      ),
    ),
  'target-counter-agg': (file, d) =>
    panelsWithTargets(d).flatMap((p) =>
      (p.targets ?? []).flatMap((t) =>
        selectors(t.expr)
          .filter((s) => s.name.endsWith('_total'))
          .filter((s) => {
            const at = t.expr.indexOf(`${s.name}{`);
            return !/\b(rate|irate|increase)\s*\(\s*$/.test(t.expr.slice(0, at));
          })
          .map((s) => ({
            rule: 'target-counter-agg',
            where: file,
            what: p.title ?? '',
            message: `counter ${s.name} read without rate() or increase()`,
          })),
      ),
    ),
  'uneditable-dashboard': (file, d) =>
    d.editable === false ? [] : [{ rule: 'uneditable-dashboard', where: file, what: d.title ?? '', message: 'the dashboard is editable' }],
  'dashboard-title-uid': (file, d) =>
    d.title?.trim() && d.uid?.trim()
      ? []
      : [{ rule: 'dashboard-title-uid', where: file, what: d.title ?? '', message: 'no title or no uid' }],
};

type AlertRuleCheck = (alert: LintAlert) => string | undefined;

export const ALERT_RULES: Record<string, AlertRuleCheck> = {
  'alert-name-camelcase': (a) => (/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$/.test(a.alert) ? undefined : 'the name is not CamelCase'),
  'alert-severity': (a) =>
    ['critical', 'warning', 'info'].includes(a.labels?.['severity'] ?? '')
      ? undefined
      : `severity ${a.labels?.['severity'] ?? '(none)'} is not critical, warning or info`,
  'alert-summary': (a) => {
    const summary = a.annotations?.['summary'] ?? '';
    if (summary === '') return 'no summary';
    if (summary.includes('{{')) return 'the summary holds a template';
    return summary.endsWith('.') ? undefined : 'the summary does not end with a period';
  },
  'alert-description-labels': (a) =>
    (a.annotations?.['description'] ?? '').includes('$labels') ? undefined : 'the description uses no label',
};

/** Every finding of every rule, less those excluded. */
export function lintDashboard(file: string, dashboard: LintDashboard, exclusions: Exclusions = {}): Finding[] {
  return Object.values(DASHBOARD_RULES)
    .flatMap((rule) => rule(file, dashboard))
    .filter((f) => !excluded(f, exclusions));
}

export function lintAlerts(alerts: LintAlert[], exclusions: Exclusions = {}): Finding[] {
  return alerts
    .flatMap((a) =>
      Object.entries(ALERT_RULES).flatMap(([rule, check]) => {
        const message = check(a);
        return message ? [{ rule, where: 'alerts', what: a.alert, message }] : [];
      }),
    )
    .filter((f) => !excluded(f, exclusions));
}

/** As dashboard-linter's .lint file: per rule, a reason and the places it does not apply to. */
export type Exclusions = Record<string, { reason: string; entries: { where: string; what?: string; message?: string }[] }>;

function excluded(f: Finding, exclusions: Exclusions): boolean {
  return (exclusions[f.rule]?.entries ?? []).some(
    (e) => e.where === f.where && (e.what === undefined || e.what === f.what) && (e.message === undefined || f.message.includes(e.message)),
  );
}
