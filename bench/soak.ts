import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runOomKilled, runWithHealthCheck } from '../test/helpers/containerTroubles';
import { TestDaemon } from '../test/helpers/dockerd';
import { TestExporter } from '../test/helpers/exporter';
import { fmt, rssMiB } from './stats';

const MINUTES = Number(process.env['BENCH_SOAK_MINUTES'] ?? 60);
/** Containers kept at once; older ones are destroyed as new ones come. */
const KEEP = 30;

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] ?? 0) - mx) * ((ys[i] ?? 0) - my);
    den += ((xs[i] ?? 0) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * An hour (BENCH_SOAK_MINUTES) of container churn on a real dockerd: containers created, started, dying,
 * restarting by policy, flipping health, OOM-killed and destroyed, at most 30 at once; the exporter
 * scraped every second and its data root rescanned every minute. Each minute: its RSS, its heap (the
 * lowest of the minute's scrapes: after a collection), its series and its open descriptors; at the end,
 * each one's slope per hour over the second half (after the first containers came and went). They must
 * stay flat.
 */
export async function benchSoak(): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-soak-'));
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const rows: { minute: number; rss: number; heap: number; series: number; fds: number; containers: number }[] = [];
  let churned = 0;
  try {
    await daemon.start();
    await daemon.importBusybox();
    await exporter.start([
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--scan.interval',
      '1m',
      '--docker.min-interval',
      '0s',
    ]);
    const pid = exporter.child?.pid ?? 0;
    const started = Date.now();
    const end = started + MINUTES * 60000;
    const names: string[] = [];
    const state = { stop: false };
    // The churn: one change every ~2 seconds, in turn.
    const churn = (async () => {
      const kinds = ['exits', 'loops', 'healthy', 'sick', 'oom', 'sleeps'] as const;
      while (!state.stop) {
        const name = `c${churned}`;
        const kind = kinds[churned % kinds.length];
        churned++;
        try {
          if (kind === 'exits') await daemon.docker('run', '--name', name, 'busybox:test', 'true');
          else if (kind === 'loops')
            await daemon.docker('run', '-d', '--name', name, '--restart', 'on-failure:3', 'busybox:test', 'sh', '-c', 'sleep 1; exit 1');
          else if (kind === 'healthy') await runWithHealthCheck(daemon, name, 'true');
          else if (kind === 'sick') await runWithHealthCheck(daemon, name, 'false');
          else if (kind === 'oom') await runOomKilled(daemon, name);
          else await daemon.docker('run', '-d', '--name', name, 'busybox:test', 'sleep', '100000');
          names.push(name);
          while (names.length > KEEP) await daemon.docker('rm', '-f', names.shift() ?? '');
        } catch {
          // A container that failed to start is churn too; go on.
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();
    let minute = 0;
    let heapLow = Infinity;
    let series = 0;
    while (Date.now() < end) {
      const res = await fetch(`${exporter.url}/metrics`);
      const text = await res.text();
      series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
      const heap = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
      heapLow = Math.min(heapLow, heap);
      const elapsed = Math.floor((Date.now() - started) / 60000);
      if (elapsed > minute || Date.now() + 1000 >= end) {
        minute = elapsed;
        rows.push({
          minute,
          rss: rssMiB(pid),
          heap: heapLow / 1048576,
          series,
          fds: readdirSync(`/proc/${pid}/fd`).length,
          containers: names.length,
        });
        process.stderr.write(`soak: minute ${minute}: rss ${fmt(rssMiB(pid))} MiB, heap ${fmt(heapLow / 1048576)} MiB, ${series} series\n`);
        heapLow = Infinity;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    state.stop = true;
    await churn;
    const second = rows.slice(Math.floor(rows.length / 2));
    const xs = second.map((r) => r.minute / 60);
    const out: Record<string, string> = {
      minutes: String(MINUTES),
      'containers churned': String(churned),
    };
    for (const r of rows)
      out[`minute ${String(r.minute).padStart(3)}: rss MiB / heap MiB / series / fds`] =
        `${fmt(r.rss)} / ${fmt(r.heap)} / ${r.series} / ${r.fds}`;
    const figures: [string, (r: (typeof rows)[number]) => number][] = [
      ['rss MiB', (r) => r.rss],
      ['heap MiB', (r) => r.heap],
      ['series', (r) => r.series],
      ['open descriptors', (r) => r.fds],
    ];
    for (const [name, of] of figures) out[`slope over the second half, per hour: ${name}`] = fmt(slope(xs, second.map(of)), 2);
    return out;
  } finally {
    await exporter.stop();
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
