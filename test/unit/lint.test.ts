import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DASHBOARDS } from '../../dashboards/generate';
import { ALERT_RULES, DASHBOARD_RULES, Exclusions, lintAlerts, lintDashboard, LintAlert, LintDashboard, LintPanel } from '../helpers/lint';

const root = path.join(__dirname, '../..');
const dashboardExclusions = parse(readFileSync(path.join(root, 'dashboards/.lint'), 'utf8')) as Exclusions;
const alertExclusions = parse(readFileSync(path.join(root, 'alerts/.lint'), 'utf8')) as Exclusions;
const dashboards = Object.keys(DASHBOARDS).map((file) => ({
  file,
  json: JSON.parse(readFileSync(path.join(root, 'dashboards', file), 'utf8')) as LintDashboard,
}));
const alerts = (
  parse(readFileSync(path.join(root, 'alerts/docker-daemon-exporter.rules.yml'), 'utf8')) as { groups: { rules: LintAlert[] }[] }
).groups.flatMap((g) => g.rules);
const host = () => structuredClone((dashboards.find((d) => d.file === 'docker-host.json') as { json: LintDashboard }).json);
const firstPanel = (d: LintDashboard) => (d.panels ?? [])[0] as LintPanel;
/** The first panel's first query replaced by `expr`, on the dashboard's data source. */
const plantTarget = (d: LintDashboard, expr: string) => {
  (firstPanel(d).targets ?? [])[0] = { expr, datasource: { uid: '${datasource}' } };
};

describe('the lint rules over the shipped dashboards and alerts', () => {
  it.each(dashboards.map((d) => d.file))('find nothing in %s but what .lint excludes, with its reason', (file) => {
    const d = dashboards.find((x) => x.file === file) as { json: LintDashboard };
    expect(lintDashboard(file, d.json, dashboardExclusions)).toEqual([]);
  });

  it('find nothing in the alert rules but what .lint excludes', () => {
    expect(lintAlerts(alerts, alertExclusions)).toEqual([]);
  });

  it('keep no exclusion that excludes nothing, and none without a reason', () => {
    const everything = [...dashboards.flatMap((d) => lintDashboard(d.file, d.json)), ...lintAlerts(alerts)];
    for (const [rule, exclusion] of [...Object.entries(dashboardExclusions), ...Object.entries(alertExclusions)]) {
      expect([rule, exclusion.reason.length > 20]).toEqual([rule, true]);
      for (const entry of exclusion.entries) {
        const used = everything.some(
          (f) =>
            f.rule === rule &&
            f.where === entry.where &&
            (entry.what === undefined || entry.what === f.what) &&
            (entry.message === undefined || f.message.includes(entry.message)),
        );
        expect([rule, entry, used]).toEqual([rule, entry, true]);
      }
    }
  });
});

/** A fault planted in the host dashboard, and the rule that must name it. */
const PLANTED: Record<string, (d: LintDashboard) => void> = {
  'template-datasource': (d) => {
    d.templating = { list: (d.templating?.list ?? []).filter((v) => v.name !== 'datasource') };
  },
  'template-job': (d) => {
    for (const v of d.templating?.list ?? []) if (v.name === 'job') v.datasource = { uid: 'prometheus-prod' };
  },
  'template-instance': (d) => {
    d.templating = { list: (d.templating?.list ?? []).filter((v) => v.name !== 'instance') };
  },
  'template-label-promql': (d) => {
    for (const v of d.templating?.list ?? []) if (v.name === 'job') v.query = { query: 'label_values(docker_up{, job)' };
  },
  'panel-datasource': (d) => {
    firstPanel(d).datasource = { uid: 'prometheus-prod' };
  },
  'panel-title-description': (d) => {
    firstPanel(d).description = '';
  },
  'panel-units': (d) => {
    firstPanel(d).fieldConfig = { defaults: {} };
  },
  'panel-no-targets': (d) => {
    firstPanel(d).targets = [];
  },
  'target-promql': (d) => {
    plantTarget(d, 'sum(docker_up{job=~"$job",instance=~"$instance"}');
  },
  'target-rate-interval': (d) => {
    plantTarget(d, 'rate(docker_exporter_parse_errors_total{job=~"$job",instance=~"$instance"}[5m])');
  },
  'target-job': (d) => {
    plantTarget(d, 'docker_up{instance=~"$instance"}');
  },
  'target-instance': (d) => {
    plantTarget(d, 'docker_up{job=~"$job"}');
  },
  'target-counter-agg': (d) => {
    plantTarget(d, 'docker_containers_restarts_total{job=~"$job",instance=~"$instance"}');
  },
  'uneditable-dashboard': (d) => {
    d.editable = true;
  },
  'dashboard-title-uid': (d) => {
    delete d.uid;
  },
};

describe('each dashboard rule', () => {
  it('has a planted fault of its own', () => {
    expect(Object.keys(PLANTED).sort()).toEqual(Object.keys(DASHBOARD_RULES).sort());
  });

  it.each(Object.keys(PLANTED))('%s catches its planted fault, with a message', (rule) => {
    const d = host();
    expect(lintDashboard('docker-host.json', d, dashboardExclusions)).toEqual([]);
    (PLANTED[rule] as (d: LintDashboard) => void)(d);
    const findings = lintDashboard('docker-host.json', d, dashboardExclusions).filter((f) => f.rule === rule);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.message.length > 5)).toBe(true);
  });
});

describe('each alert rule', () => {
  const base: LintAlert = alerts.find((a) => a.alert === 'DockerDaemonDown') as LintAlert;
  const planted: Record<string, LintAlert> = {
    'alert-name-camelcase': { ...base, alert: 'docker_daemon_down' },
    'alert-severity': { ...base, labels: { severity: 'page' } },
    'alert-summary': { ...base, annotations: { ...base.annotations, summary: 'The daemon on {{ $labels.instance }} is down' } },
    'alert-description-labels': { ...base, annotations: { ...base.annotations, description: 'The daemon is down.' } },
  };

  it('has a planted fault of its own', () => {
    expect(Object.keys(planted).sort()).toEqual(Object.keys(ALERT_RULES).sort());
  });

  it.each(Object.keys(planted))('%s catches its planted fault', (rule) => {
    expect(lintAlerts([base])).toEqual([]);
    expect(lintAlerts([planted[rule] as LintAlert]).map((f) => f.rule)).toContain(rule);
  });
});
