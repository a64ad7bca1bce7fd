import { copyFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FleetSimulator, planFleet } from '../test/helpers/fleetSimulator';
import { repoRoot } from '../test/helpers/exporter';
import { TestPrometheus } from '../test/helpers/monitoring';
import { sleep } from '../test/helpers/processes';
import { fmt, ownMetrics } from './stats';

/**
 * Live ingestion: simulated hosts (BENCH_FLEET_LIVE_HOSTS, default 1,000 and 10,000) scraped every 15 s
 * by the Debian Prometheus 2.42 with the shipped alert and recording rules, for BENCH_FLEET_SECONDS
 * (default 300) each. The simulator serves bodies rendered ahead (FleetSimulator.prerender, again every
 * minute so that values move): a scrape costs it only the write, so that on two cores shared with
 * Prometheus the figures are Prometheus's. Prints: targets up against planned (the limit this machine
 * holds), samples ingested per second, head series, Prometheus's resident memory, the slowest scrape,
 * each rule group's evaluation time and the iterations it missed. The rules and panels over 10,000
 * hosts' worth of data are timed by bench/fleetBackfill.ts, where the simulator takes no CPU.
 */

const EVALUATION_SECONDS = 15;

async function instant(url: string, expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return ((await res.json()) as { data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data?.result ?? [];
}

const sumOf = (own: Map<string, number>, name: string) =>
  [...own].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((sum, [, v]) => sum + v, 0);

async function liveSize(size: number, seconds: number, figures: Record<string, string>): Promise<void> {
  const label = `live, ${size.toLocaleString('en')} hosts:`;
  const dir = path.join(os.tmpdir(), `dde-bench-fleet-${process.pid}-${size}`);
  const simulator = new FleetSimulator(planFleet(size));
  const prometheus = new TestPrometheus(path.join(dir, 'prometheus'));
  let refresh: NodeJS.Timeout | undefined;
  try {
    const root = repoRoot();
    for (const file of ['docker-daemon-exporter.rules.yml', 'docker-daemon-exporter.recording.yml'])
      copyFileSync(path.join(root, 'alerts', file), path.join(dir, file));
    simulator.prerender();
    refresh = setInterval(() => simulator.prerender(), 60000);
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
    let appended: { at: number; total: number } | undefined;
    let ingestRate = NaN;
    let fewestUp = Infinity;
    while (Date.now() < deadline) {
      await sleep(EVALUATION_SECONDS * 1000);
      const own = await ownMetrics(prometheus.url);
      for (const [key, value] of own) {
        const group = /^prometheus_rule_group_last_duration_seconds\{rule_group="[^"]*;([^"]+)"\}$/.exec(key)?.[1];
        if (group) ruleDurations.set(group, [...(ruleDurations.get(group) ?? []), value]);
      }
      const total = sumOf(own, 'prometheus_tsdb_head_samples_appended_total');
      const at = Date.now();
      if (appended && at - appended.at > 0) ingestRate = ((total - appended.total) * 1000) / (at - appended.at);
      appended = { at, total };
      // After the first minute every target has had its first scrapes.
      if (deadline - Date.now() < (seconds - 60) * 1000)
        fewestUp = Math.min(fewestUp, Number((await instant(prometheus.url, 'count(up{job="docker"} == 1)'))[0]?.value[1] ?? 0));
    }
    const own = await ownMetrics(prometheus.url);
    const slowestScrape = await instant(prometheus.url, 'max(scrape_duration_seconds{job="docker"})');
    const planned = simulator.hosts.filter((h) => !h.exporterDown).length;
    figures[`${label} targets up, fewest after the first minute / planned up`] =
      `${Number.isFinite(fewestUp) ? fewestUp : '?'} / ${planned}`;
    figures[`${label} samples ingested per second (scrapes and rules)`] = fmt(ingestRate, 0);
    figures[`${label} head series`] = `${own.get('prometheus_tsdb_head_series') ?? '?'}`;
    figures[`${label} Prometheus resident memory`] = `${fmt((own.get('process_resident_memory_bytes') ?? NaN) / 2 ** 20, 0)} MiB`;
    figures[`${label} slowest scrape`] = `${fmt(Number(slowestScrape[0]?.value[1] ?? NaN) * 1000, 1)} ms`;
    figures[`${label} rule group iterations missed`] = `${sumOf(own, 'prometheus_rule_group_iterations_missed_total')}`;
    // The first minutes create every series (717,000 at 10,000 hosts): the last minute says how it holds after.
    for (const [group, values] of ruleDurations) {
      const worst = Math.max(...values);
      const last = Math.max(...values.slice(-4));
      figures[`${label} rule group ${group}: evaluation, max over the run; max over the last minute (goal ≤ 1000 ms)`] =
        `${fmt(worst * 1000, 1)} ms; ${fmt(last * 1000, 1)} ms, ratio ${fmt(last, 3)}`;
    }
  } finally {
    clearInterval(refresh);
    await prometheus.stop();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchFleet(): Promise<Record<string, string>> {
  const sizes = (process.env['BENCH_FLEET_LIVE_HOSTS'] ?? '1000,10000').split(',').map(Number);
  const seconds = Number(process.env['BENCH_FLEET_SECONDS'] ?? 300);
  const figures: Record<string, string> = {};
  for (const size of sizes) await liveSize(size, seconds, figures);
  return figures;
}
