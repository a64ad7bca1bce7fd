import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TestDaemon } from '../test/helpers/dockerd';
import { TestExporter } from '../test/helpers/exporter';
import { fmt, median, rssMiB, timeGet } from './stats';

const run = promisify(execFile);

const CONTAINERS = Number(process.env['BENCH_CONTAINERS'] ?? 1000);
const RUNNING = 40;
const SCRAPES = Number(process.env['BENCH_SCRAPES'] ?? 200);

/**
 * Scrape latency of the exporter against dockerd's own /metrics on a daemon
 * with many containers, measured side by side in one run; exporter RSS; and
 * the Docker API calls each scrape costs, with one scraper and with ten.
 */
export async function benchDaemonScrape(): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-'));
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  try {
    await daemon.start({ args: ['--storage-driver', 'overlay2', '--metrics-addr', '127.0.0.1:19323', '--experimental'] });
    await daemon.importBusybox();
    await daemon.docker('network', 'create', 'benchnet');
    const modes = ['default', 'host', 'none', 'benchnet'];
    process.stderr.write(`creating ${CONTAINERS} containers (${RUNNING} running)…\n`);
    // Created in parallel batches through the CLI; only the running ones start a process.
    const script = `
      i=0
      while [ $i -lt ${CONTAINERS} ]; do
        for j in 0 1 2 3 4 5 6 7; do
          n=$((i + j)); [ $n -ge ${CONTAINERS} ] && break
          case $((n % 4)) in 0) net=${modes[0]};; 1) net=${modes[1]};; 2) net=${modes[2]};; 3) net=${modes[3]};; esac
          if [ $n -lt ${RUNNING} ]; then
            docker --host '${daemon.host}' run -d --network $net --name c$n busybox:test sleep 100000 >/dev/null &
          else
            docker --host '${daemon.host}' create --network $net --name c$n busybox:test true >/dev/null &
          fi
        done
        wait; i=$((i + 8))
      done`;
    await run('sh', ['-c', script], { maxBuffer: 16 * 1024 * 1024 });
    // --docker.min-interval 0s: every scrape asks the daemon, the cost Prometheus sees at any scrape interval.
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, '--docker.min-interval', '0s']);
    const exporterPid = exporter.child?.pid as number;

    // Warm both, then alternate so that both see the same machine state.
    for (let i = 0; i < 20; i++) {
      await timeGet(`${exporter.url}/metrics`);
      await timeGet('http://127.0.0.1:19323/metrics');
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < SCRAPES; i++) {
      ours.push(await timeGet(`${exporter.url}/metrics`));
      theirs.push(await timeGet('http://127.0.0.1:19323/metrics'));
    }
    const rss = rssMiB(exporterPid);

    const callsFor = async (scrapers: number, perScraper: number) => {
      const before = daemon.apiCalls().length;
      await Promise.all(
        Array.from({ length: scrapers }, async () => {
          for (let i = 0; i < perScraper; i++) await timeGet(`${exporter.url}/metrics`);
        }),
      );
      return { calls: daemon.apiCalls().length - before, scrapes: scrapers * perScraper };
    };
    const one = await callsFor(1, 50);
    const ten = await callsFor(10, 50);
    const ratio = median(ours) / median(theirs);
    return {
      containers: `${CONTAINERS} (${RUNNING} running; bridge, host, none, custom)`,
      'exporter scrape median (ms)': fmt(median(ours), 2),
      'dockerd /metrics median (ms)': fmt(median(theirs), 2),
      'latency ratio exporter/dockerd': fmt(ratio, 2),
      'exporter RSS after scrapes (MiB)': fmt(rss),
      'API calls per scrape, 1 scraper (min-interval 0s)': fmt(one.calls / one.scrapes, 2),
      'API calls per scrape, 10 concurrent scrapers': fmt(ten.calls / ten.scrapes, 2),
    };
  } finally {
    await exporter.stop();
    await daemon.stop();
  }
}
