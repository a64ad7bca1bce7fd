import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DASHBOARDS } from '../dashboards/generate';
import { FleetSimulator, planFleet, type FleetHost } from '../test/helpers/fleetSimulator';
import { repoRoot } from '../test/helpers/exporter';
import { TestPrometheus } from '../test/helpers/monitoring';
import { sleep } from '../test/helpers/processes';
import { fmt, median } from './stats';

/**
 * 1,000 simulated hosts (BENCH_FLEET_HOSTS) scraped every 15 s by the Debian Prometheus with the
 * shipped alert and recording rules, for BENCH_FLEET_SECONDS (default 120). Before it starts, 6 hours
 * of the recorded fleet series are backfilled with promtool tsdb create-blocks-from openmetrics, so
 * that the fleet dashboard's range queries read a full 6 h. Prints: samples ingested per second,
 * each rule group's evaluation time, and the latency of every query of the fleet dashboard as Grafana
 * sends it (instant queries at now; range queries over 6 h with a 20 s step, what Grafana picks for
 * a half-width panel on 6 h: 21,600 s over ~900 px, rounded to a nice interval). Goals: every panel
 * ≤ 500 ms, rule evaluation ≤ 1 s.
 */

const HISTORY_SECONDS = 6 * 3600;
const STEP_SECONDS = 20;
const EVALUATION_SECONDS = 15;

/** Labels of the golden file's samples of one metric, as objects. */
function samplesOf(text: string, metric: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (m[2] === '0') continue;
    out.push(Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1] ?? '', l[2] ?? ''])));
  }
  return out;
}

/**
 * What the recording rules would have recorded for this fleet over the past, as OpenMetrics: the
 * counts the fleet dashboard's range queries read. Hosts migrate off deprecated drivers over the 6
 * hours (one in ten of them moves at a time of its own), so the series are not flat.
 */
export function fleetHistory(simulator: FleetSimulator, hosts: FleetHost[], endSeconds: number): string {
  const series = new Map<string, Map<number, number>>();
  const add = (name: string, labels: Record<string, string>, t: number, value = 1) => {
    const key = `${name}{${Object.entries({ job: 'docker', ...labels })
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`;
    const points = series.get(key) ?? new Map<number, number>();
    points.set(t, (points.get(t) ?? 0) + value);
    series.set(key, points);
  };
  const start = endSeconds - HISTORY_SECONDS;
  for (let t = start; t <= endSeconds; t += EVALUATION_SECONDS) {
    for (const h of hosts) {
      const text = simulator.profileText(h.profile);
      add('docker:hosts:count', {}, t);
      add('docker:hosts_exporter_down:count', {}, t, h.exporterDown ? 1 : 0);
      if (h.exporterDown) continue;
      const migrated = h.seed % 10 === 0 && t > start + (h.seed % 360) * 60;
      const driver = migrated ? 'overlay2' : samplesOf(text, 'docker_storage_driver_info')[0]?.['driver'];
      const up = !/^docker_up 0$/m.test(text);
      add('docker:hosts_daemon_down:count', {}, t, up ? 0 : 1);
      if (driver) add('docker:hosts_by_driver:count', { driver }, t);
      for (const o of samplesOf(text, 'docker_upgrade_outcome')) {
        const outcome = migrated && o['restart'] === 'false' ? 'starts' : (o['outcome'] ?? '');
        add('docker:hosts_by_outcome:count', { target_version: o['target_version'] ?? '', restart: o['restart'] ?? '', outcome }, t);
      }
    }
  }
  const families = new Map<string, string[]>();
  for (const [key, points] of series) {
    const family = key.slice(0, key.indexOf('{'));
    const lines = families.get(family) ?? [];
    for (const [t, v] of [...points].sort((a, b) => a[0] - b[0])) lines.push(`${key} ${v} ${t}`);
    families.set(family, lines);
  }
  return [...[...families].flatMap(([family, lines]) => [`# TYPE ${family} gauge`, ...lines]), '# EOF', ''].join('\n');
}

interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
  range: boolean;
}

/** Every query of the fleet dashboard, its variables as Grafana fills them with "All" selected. */
function dashboardQueries(): PanelQuery[] {
  const panels = (
    (DASHBOARDS['docker-fleet.json'] as () => unknown)() as { panels: { title: string; targets: { expr: string; range: boolean }[] }[] }
  ).panels;
  return panels.flatMap((p) =>
    p.targets.map((t, i) => ({
      panel: p.title,
      refId: String.fromCharCode(65 + i),
      expr: t.expr.replace(/\$job|\$instance/g, '.+'),
      range: t.range,
    })),
  );
}

async function timedQuery(url: string, q: PanelQuery, nowSeconds: number): Promise<{ ms: number; series: number; points: number }> {
  const params = new URLSearchParams({ query: q.expr });
  if (q.range) {
    params.set('start', String(nowSeconds - HISTORY_SECONDS));
    params.set('end', String(nowSeconds));
    params.set('step', String(STEP_SECONDS));
  } else {
    params.set('time', String(nowSeconds));
  }
  const started = process.hrtime.bigint();
  const res = await fetch(`${url}/api/v1/${q.range ? 'query_range' : 'query'}`, {
    method: 'POST',
    body: params,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: { values?: unknown[] }[] } };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (body.status !== 'success') throw new Error(`${q.panel}: ${q.expr}: ${body.error ?? res.status}`);
  const result = body.data?.result ?? [];
  return { ms, series: result.length, points: result.reduce((sum, r) => sum + (r.values?.length ?? 1), 0) };
}

/** Prometheus's own metrics, read from its /metrics: name{labels} → value. */
async function ownMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/gm)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

async function instant(url: string, expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return ((await res.json()) as { data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data?.result ?? [];
}

export async function benchFleet(): Promise<Record<string, string>> {
  const size = Number(process.env['BENCH_FLEET_HOSTS'] ?? 1000);
  const seconds = Number(process.env['BENCH_FLEET_SECONDS'] ?? 120);
  const dir = path.join(os.tmpdir(), `dde-bench-fleet-${process.pid}`);
  const hosts = planFleet(size);
  const simulator = new FleetSimulator(hosts);
  const prometheus = new TestPrometheus(path.join(dir, 'prometheus'));
  const figures: Record<string, string> = {};
  try {
    const root = repoRoot();
    const nowSeconds = Math.floor(Date.now() / 1000);
    // History ends a few minutes back so that the blocks stay clear of what the head will hold.
    const history = path.join(dir, 'history.om');
    mkdirSync(path.join(dir, 'prometheus', 'data'), { recursive: true });
    writeFileSync(history, fleetHistory(simulator, hosts, nowSeconds - 300));
    const backfillStarted = Date.now();
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', history, path.join(dir, 'prometheus', 'data')], {
      stdio: 'ignore',
    });
    figures['backfill of 6 h of fleet series (promtool)'] = `${fmt((Date.now() - backfillStarted) / 1000)} s`;

    for (const file of ['docker-daemon-exporter.rules.yml', 'docker-daemon-exporter.recording.yml'])
      copyFileSync(path.join(root, 'alerts', file), path.join(dir, file));
    const address = await simulator.start();
    await prometheus.start(`global:
  scrape_interval: 15s
  evaluation_interval: ${EVALUATION_SECONDS}s
rule_files: [${JSON.stringify(path.join(dir, '*.yml'))}]
scrape_configs:
${simulator.scrapeConfig(address)}
`);
    const ruleDurations = new Map<string, number[]>();
    const deadline = Date.now() + seconds * 1000;
    // Samples appended over the last stretch, once every target has been scraped a few times.
    let appended: { at: number; total: number } | undefined;
    let ingestRate = NaN;
    while (Date.now() < deadline) {
      await sleep(EVALUATION_SECONDS * 1000);
      const own = await ownMetrics(prometheus.url);
      for (const [key, value] of own) {
        const group = /^prometheus_rule_group_last_duration_seconds\{rule_group="[^"]*;([^"]+)"\}$/.exec(key)?.[1];
        if (group) ruleDurations.set(group, [...(ruleDurations.get(group) ?? []), value]);
      }
      const total =
        own.get('prometheus_tsdb_head_samples_appended_total') ??
        [...own].filter(([k]) => k.startsWith('prometheus_tsdb_head_samples_appended_total{')).reduce((sum, [, v]) => sum + v, 0);
      const at = Date.now();
      if (appended && at - appended.at > 0) ingestRate = ((total - appended.total) * 1000) / (at - appended.at);
      appended = { at, total };
    }
    const up = await instant(prometheus.url, 'count(up{job="docker"} == 1)');
    const scraped = await instant(prometheus.url, 'sum(scrape_samples_scraped{job="docker"})');
    const headSeries = (await ownMetrics(prometheus.url)).get('prometheus_tsdb_head_series');
    figures['hosts (targets up / planned)'] = `${up[0]?.value[1] ?? 0} / ${size}`;
    figures['samples per scrape of the fleet'] = scraped[0]?.value[1] ?? '?';
    figures['samples ingested per second (scrapes and rules)'] = fmt(ingestRate, 0);
    figures['head series'] = `${headSeries ?? '?'}`;
    for (const [group, values] of ruleDurations) {
      const worst = Math.max(...values);
      figures[`rule group ${group}: evaluation, max (goal ≤ 1000 ms)`] = `${fmt(worst * 1000, 2)} ms, ratio ${fmt(worst / 1, 4)}`;
    }
    let worstPanel = 0;
    for (const q of dashboardQueries()) {
      const runs: number[] = [];
      let series = 0;
      let points = 0;
      for (let i = 0; i < 5; i++) {
        const r = await timedQuery(prometheus.url, q, Math.floor(Date.now() / 1000));
        runs.push(r.ms);
        series = r.series;
        points = r.points;
      }
      const ms = median(runs);
      worstPanel = Math.max(worstPanel, ms);
      figures[
        `panel "${q.panel}" ${q.refId} (${q.range ? `6 h range, ${series} series, ${points} points` : `instant, ${series} series`})`
      ] = `${fmt(ms, 1)} ms`;
    }
    figures['slowest panel query, median of 5 (goal ≤ 500 ms)'] = `${fmt(worstPanel, 1)} ms, ratio ${fmt(worstPanel / 500, 3)}`;
    return figures;
  } finally {
    await prometheus.stop();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
