import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { dashboardQueries } from '../test/helpers/dashboardQueries';
import { repoRoot } from '../test/helpers/exporter';
import { FleetSimulator, planFleet, type FleetHost } from '../test/helpers/fleetSimulator';
import { TestPrometheus } from '../test/helpers/monitoring';
import { TestVictoriaMetrics } from '../test/helpers/victoriaMetrics';
import { fmt, median, rssMiB } from './stats';

/**
 * The shipped rules and the fleet dashboard at 1,000 and 10,000 hosts (BENCH_FLEET_SIZES), timed
 * where a live run on this machine cannot tell them apart from the simulator sharing its two cores:
 * over data backfilled into the backend before any query, each rule expression and each fleet panel
 * query run as the backend runs it, at a time inside the data.
 *
 * What is backfilled (promtool tsdb create-blocks-from openmetrics for Prometheus 2.42; the same
 * samples through /api/v1/import/prometheus for VictoriaMetrics 1.79):
 * - every series every host exposes (the golden /metrics of its kind, as the fleet simulator serves
 *   them, values moving) plus `up`, every 60 s for the last 15 minutes: what the alert rules read
 *   (instant vectors, increase over 15m);
 * - the thin pools' data space for 6 hours (DockerDevicemapperDataSpaceFillingUp's predict_linear
 *   reads [6h]);
 * - what the fleet recording rules record, every 15 s for the 6 hours before that window (the fleet
 *   panels' range queries read them), and for the window itself the recording rules evaluated over the
 *   backfilled series by promtool tsdb create-blocks-from rules, then copied to VictoriaMetrics.
 *
 * A rule group's evaluation time is the sum of its rules' (Prometheus and vmalert evaluate a group's
 * rules one after another); each rule is an instant query at the end of the data, the median of 3.
 * Panels: instant queries at the end, range queries over the 6 h with a 20 s step, as Grafana sends
 * them for a half-width panel; the median of 3. Goals at 10,000 hosts: every group ≤ 1 s, every
 * fleet panel ≤ 500 ms.
 */

const HISTORY_SECONDS = 6 * 3600;
const RAW_WINDOW_SECONDS = 15 * 60;
const RAW_STEP_SECONDS = 60;
const RECORD_STEP_SECONDS = 15;
const RANGE_STEP_SECONDS = 20;
const RUNS = 3;
/** What DockerDevicemapperDataSpaceFillingUp reads over 6 h. */
const POOL_SERIES: ReadonlySet<string> = new Set([
  'docker_devicemapper_data_space_available_bytes',
  'docker_devicemapper_data_space_total_bytes',
]);

/** Appends lines to a file through a buffer: millions of lines, written a megabyte at a time. */
class LineFile {
  private readonly fd: number;
  private chunks: string[] = [];
  private size = 0;
  lines = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  add(line: string): void {
    this.chunks.push(line);
    this.size += line.length + 1;
    this.lines++;
    if (this.size > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.chunks.length) writeSync(this.fd, `${this.chunks.join('\n')}\n`);
    this.chunks = [];
    this.size = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** A host's /metrics at `t` as samples with its job and instance, timestamped (OpenMetrics seconds). */
function hostSamples(simulator: FleetSimulator, host: FleetHost, t: number, out: LineFile, only?: ReadonlySet<string>): void {
  const target = `job="docker",instance="${host.instance}"`;
  if (!only) out.add(`up{${target}} ${host.exporterDown ? 0 : 1} ${t}`);
  if (host.exporterDown) return;
  for (const line of simulator.render(host, t * 1000, only).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    out.add(`${m[1] ?? ''}{${target}${m[2] ? `,${m[2]}` : ''}} ${m[3] ?? ''} ${t}`);
  }
}

/** The golden samples of one metric of a profile, as label objects (value 0 left out). */
function labelSets(text: string, metric: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    if (m[2] === '0') continue;
    out.push(Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1] ?? '', l[2] ?? ''])));
  }
  return out;
}

/**
 * What the aggregating fleet recording rules record over [start, end): hosts by driver, by upgrade
 * outcome, down and so on. One host in ten migrates to overlay2 at a time of its own, so the series
 * are not flat. Hosts of one kind and state count alike: they are counted by kind, not one by one.
 */
function recordedHistory(simulator: FleetSimulator, hosts: FleetHost[], start: number, end: number, out: LineFile): void {
  const kinds = new Map<string, { text: string; count: number; migrated: boolean; down: boolean }>();
  for (let t = start; t < end; t += RECORD_STEP_SECONDS) {
    kinds.clear();
    for (const h of hosts) {
      const migrated = h.seed % 10 === 0 && t > start + (h.seed % 360) * 60;
      const key = `${h.profile}/${migrated}/${h.exporterDown}`;
      const kind = kinds.get(key);
      if (kind) kind.count++;
      else kinds.set(key, { text: simulator.profileText(h.profile), count: 1, migrated, down: h.exporterDown });
    }
    const sums = new Map<string, number>();
    const add = (name: string, labels: string, value: number) => {
      const key = `${name}{job="docker"${labels}}`;
      sums.set(key, (sums.get(key) ?? 0) + value);
    };
    for (const k of kinds.values()) {
      add('docker:hosts:count', '', k.count);
      add('docker:hosts_exporter_down:count', '', k.down ? k.count : 0);
      if (k.down) continue;
      add('docker:hosts_daemon_down:count', '', /^docker_up 0$/m.test(k.text) ? k.count : 0);
      const driver = k.migrated ? 'overlay2' : labelSets(k.text, 'docker_storage_driver_info')[0]?.['driver'];
      if (driver) add('docker:hosts_by_driver:count', `,driver="${driver}"`, k.count);
      for (const o of labelSets(k.text, 'docker_upgrade_outcome')) {
        const outcome = k.migrated && o['restart'] === 'false' ? 'starts' : (o['outcome'] ?? '');
        add(
          'docker:hosts_by_outcome:count',
          `,outcome="${outcome}",restart="${o['restart'] ?? ''}",target_version="${o['target_version'] ?? ''}"`,
          k.count,
        );
      }
    }
    for (const [series, value] of sums) out.add(`${series} ${value} ${t}`);
  }
}

interface Query {
  what: string;
  expr: string;
  range: boolean;
}

/** Every alert and recording rule, by group, as the files have them. */
function ruleQueries(): { group: string; rules: Query[] }[] {
  const root = repoRoot();
  return ['docker-daemon-exporter.rules.yml', 'docker-daemon-exporter.recording.yml'].flatMap((file) =>
    (
      parse(readFileSync(path.join(root, 'alerts', file), 'utf8')) as {
        groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
      }
    ).groups.map((g) => ({
      group: g.name,
      rules: g.rules.map((r) => ({ what: r.alert ?? r.record ?? '', expr: r.expr, range: false })),
    })),
  );
}

/** Every query of the fleet dashboard, as Grafana sends it with "All" selected over the 6 h. */
function panelQueries(): Query[] {
  return dashboardQueries('6h')
    .filter((q) => q.file === 'docker-fleet.json')
    .map((q) => ({ what: `${q.title} ${q.refId}`, expr: q.expr, range: q.range }));
}

/** One query as Grafana (or the rule evaluator) sends it, at `end`: its time in ms and how much it answered. */
async function timed(url: string, q: Query, end: number): Promise<{ ms: number; series: number }> {
  const params = new URLSearchParams({ query: q.expr });
  if (q.range) {
    params.set('start', String(end - HISTORY_SECONDS));
    params.set('end', String(end));
    params.set('step', String(RANGE_STEP_SECONDS));
  } else params.set('time', String(end));
  const started = process.hrtime.bigint();
  const res = await fetch(`${url}/api/v1/${q.range ? 'query_range' : 'query'}`, {
    method: 'POST',
    body: params,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (body.status !== 'success') throw new Error(`${q.what}: ${q.expr}: ${body.error ?? res.status}`);
  return { ms, series: body.data?.result.length ?? 0 };
}

async function medianOf(url: string, q: Query, end: number): Promise<{ ms: number; series: number }> {
  const runs: number[] = [];
  let series = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(url, q, end);
    runs.push(r.ms);
    series = r.series;
  }
  return { ms: median(runs), series };
}

/** Times every rule and panel on one backend; the figures under `label`. */
async function timeBackend(label: string, url: string, end: number, figures: Record<string, string>): Promise<void> {
  let worstGroup = 0;
  for (const { group, rules } of ruleQueries()) {
    let total = 0;
    for (const rule of rules) {
      const r = await medianOf(url, rule, end);
      total += r.ms;
      figures[`${label} rule ${rule.what} (${r.series} series)`] = `${fmt(r.ms, 1)} ms`;
    }
    worstGroup = Math.max(worstGroup, total);
    figures[`${label} group ${group}: evaluation (goal ≤ 1000 ms)`] = `${fmt(total, 1)} ms`;
  }
  let worstPanel = 0;
  for (const q of panelQueries()) {
    const r = await medianOf(url, q, end);
    worstPanel = Math.max(worstPanel, r.ms);
    figures[`${label} panel "${q.what}" (${q.range ? '6 h range' : 'instant'}, ${r.series} series)`] = `${fmt(r.ms, 1)} ms`;
  }
  figures[`${label} slowest group (goal ≤ 1000 ms)`] = `${fmt(worstGroup, 1)} ms, ratio ${fmt(worstGroup / 1000, 3)}`;
  figures[`${label} slowest fleet panel (goal ≤ 500 ms)`] = `${fmt(worstPanel, 1)} ms, ratio ${fmt(worstPanel / 500, 3)}`;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/** OpenMetrics (timestamps in seconds) as the Prometheus text VictoriaMetrics imports (milliseconds), 16 MiB at a time. */
async function importIntoVictoriaMetrics(url: string, file: string): Promise<void> {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(16 << 20);
  let carry = '';
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      const text = carry + buffer.toString('utf8', 0, read);
      const cut = read === 0 ? text.length : text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      const body = text
        .slice(0, cut)
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => {
          const space = l.lastIndexOf(' ');
          return `${l.slice(0, space)} ${Number(l.slice(space + 1)) * 1000}`;
        })
        .join('\n');
      if (body !== '') {
        const res = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body });
        if (!res.ok) throw new Error(`VictoriaMetrics import: ${res.status} ${await res.text()}`);
      }
      if (read === 0) break;
    }
  } finally {
    closeSync(fd);
  }
}

/** The recorded series Prometheus holds over [start, end], as OpenMetrics lines for VictoriaMetrics to import too. */
async function recordedWindow(url: string, start: number, end: number, out: LineFile): Promise<void> {
  const params = new URLSearchParams({
    query: '{__name__=~"docker:.+"}',
    start: String(start),
    end: String(end),
    step: String(RAW_STEP_SECONDS),
  });
  const res = (await (await fetch(`${url}/api/v1/query_range`, { method: 'POST', body: params })).json()) as {
    data?: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  for (const { metric, values } of res.data?.result ?? []) {
    const { __name__: name, ...labels } = metric;
    const series = `${name ?? ''}{${Object.entries(labels)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    for (const [t, v] of values) out.add(`${series} ${v} ${t}`);
  }
}

async function benchSize(size: number, figures: Record<string, string>): Promise<void> {
  const dir = path.join(os.tmpdir(), `dde-bench-fleet-backfill-${process.pid}-${size}`);
  const label = `${size.toLocaleString('en')} hosts:`;
  const prometheus = new TestPrometheus(path.join(dir, 'prometheus'));
  const vm = new TestVictoriaMetrics(path.join(dir, 'vm'));
  try {
    mkdirSync(path.join(dir, 'prometheus', 'data'), { recursive: true });
    // The data ends a minute back: every timestamp in the past, and queries run at `end`.
    const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
    const windowStart = end - RAW_WINDOW_SECONDS;
    const hosts = planFleet(size);
    // The simulator's clock starts with the 6 h of history: its thin pools fill from there.
    const simulator = new FleetSimulator(hosts, () => (end - HISTORY_SECONDS) * 1000);

    let started = Date.now();
    const raw = new LineFile(path.join(dir, 'raw.om'));
    const pools = hosts.filter((h) => h.filling || /docker_devicemapper_data_space/.test(simulator.profileText(h.profile)));
    for (let t = end - HISTORY_SECONDS; t < windowStart; t += RAW_STEP_SECONDS)
      for (const h of pools) hostSamples(simulator, h, t, raw, POOL_SERIES);
    for (let t = windowStart; t <= end; t += RAW_STEP_SECONDS) for (const h of hosts) hostSamples(simulator, h, t, raw);
    raw.add('# EOF');
    raw.close();
    const history = new LineFile(path.join(dir, 'history.om'));
    recordedHistory(simulator, hosts, end - HISTORY_SECONDS, windowStart, history);
    history.add('# EOF');
    history.close();
    figures[`${label} samples backfilled (hosts' series; recorded history)`] =
      `${(raw.lines - 1).toLocaleString('en')}; ${(history.lines - 1).toLocaleString('en')}`;
    figures[`${label} OpenMetrics written`] =
      `${fmt((statSync(raw.file).size + statSync(history.file).size) / 2 ** 20, 0)} MiB in ${fmt((Date.now() - started) / 1000, 1)} s`;

    started = Date.now();
    for (const file of [raw.file, history.file])
      execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, path.join(dir, 'prometheus', 'data')], {
        stdio: 'ignore',
      });
    figures[`${label} Prometheus 2.42: promtool blocks`] = `${fmt((Date.now() - started) / 1000, 1)} s`;

    const config = 'global:\n  scrape_interval: 15s\n';
    await prometheus.start(config);
    started = Date.now();
    const recording = path.join(repoRoot(), 'alerts', 'docker-daemon-exporter.recording.yml');
    const rulesOut = path.join(dir, 'recorded');
    execFileSync(
      'promtool',
      [
        'tsdb',
        'create-blocks-from',
        'rules',
        `--start=${windowStart}`,
        `--end=${end}`,
        `--url=${prometheus.url}`,
        `--output-dir=${rulesOut}`,
        `--eval-interval=${RAW_STEP_SECONDS}s`,
        recording,
      ],
      { stdio: 'ignore' },
    );
    figures[`${label} recording rules over the window (promtool create-blocks-from rules)`] = `${fmt((Date.now() - started) / 1000, 1)} s`;
    await prometheus.stop();
    for (const block of readdirSync(rulesOut)) renameSync(path.join(rulesOut, block), path.join(dir, 'prometheus', 'data', block));
    await prometheus.start(config);
    figures[`${label} Prometheus 2.42: TSDB on disk`] = `${fmt(dirBytes(path.join(dir, 'prometheus', 'data')) / 2 ** 20, 0)} MiB`;

    const recordedFile = new LineFile(path.join(dir, 'recorded.om'));
    await recordedWindow(prometheus.url, windowStart, end, recordedFile);
    recordedFile.close();

    await timeBackend(`${label} Prometheus 2.42`, prometheus.url, end, figures);
    figures[`${label} Prometheus 2.42: resident memory after the queries`] = `${fmt(rssMiB(prometheus.child?.pid ?? 0), 0)} MiB`;
    await prometheus.stop();

    await vm.server.launch([`-storageDataPath=${path.join(vm.server.dir, 'data')}`, '-retentionPeriod=1d', '-search.latencyOffset=0s']);
    started = Date.now();
    for (const file of [raw.file, history.file, recordedFile.file]) await importIntoVictoriaMetrics(vm.server.url, file);
    await fetch(`${vm.server.url}/internal/force_flush`);
    figures[`${label} VictoriaMetrics 1.79: import`] = `${fmt((Date.now() - started) / 1000, 1)} s`;
    await timeBackend(`${label} VictoriaMetrics 1.79`, vm.server.url, end, figures);
    figures[`${label} VictoriaMetrics 1.79: resident memory after the queries`] = `${fmt(rssMiB(vm.server.child?.pid ?? 0), 0)} MiB`;
  } finally {
    await prometheus.stop();
    await vm.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFleetBackfill(): Promise<Record<string, string>> {
  const sizes = (process.env['BENCH_FLEET_SIZES'] ?? '1000,10000').split(',').map(Number);
  const figures: Record<string, string> = {};
  for (const size of sizes) await benchSize(size, figures);
  return figures;
}
