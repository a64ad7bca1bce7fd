import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Metrics, repoRoot } from './exporter';

export const RULES_FILE = path.join(repoRoot(), 'alerts', 'docker-daemon-exporter.rules.yml');

export function alertNames(): string[] {
  return [...readFileSync(RULES_FILE, 'utf8').matchAll(/^\s+- alert: (\w+)/gm)].map((m) => m[1] as string);
}

/**
 * The shipped alerts that fire for a host whose /metrics stay as `metrics` for
 * two hours, as promtool evaluates the shipped rules: an empty list when none.
 */
export function alertsFiringFor(metrics: Metrics, dir: string, instance = 'host:9326'): string[] {
  const series = metrics.samples
    .filter((s) => !s.name.startsWith('process_') && !s.name.startsWith('nodejs_') && Number.isFinite(s.value))
    .map((s) => {
      const labels = { ...s.labels, instance, job: 'docker' };
      const selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      return `  - series: '${s.name}{${selector.replace(/'/g, "''")}}'\n    values: '${s.value}x24'`;
    });
  // The scrape that read these metrics succeeded: Prometheus records up 1 for it.
  series.push(`  - series: 'up{instance=${JSON.stringify(instance)},job="docker"}'\n    values: '1x24'`);
  const tests = alertNames().map((name) => `  - eval_time: 2h\n    alertname: ${name}\n    exp_alerts: []`);
  const file = path.join(dir, 'scraped.test.yml');
  writeFileSync(
    file,
    `rule_files:\n  - ${RULES_FILE}\nevaluation_interval: 1m\ntests:\n- interval: 5m\n  input_series:\n${series.join('\n')}\n  alert_rule_test:\n${tests.join('\n')}\n`,
  );
  const result = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  if (result.status === 0) return [];
  const firing = [...`${result.stdout}${result.stderr}`.matchAll(/alertname: (\w+)[\s\S]*?got:\s*\[(?!\])/g)].map((m) => m[1] as string);
  if (firing.length === 0) throw new Error(`promtool failed:\n${result.stdout}${result.stderr}`);
  return [...new Set(firing)];
}
