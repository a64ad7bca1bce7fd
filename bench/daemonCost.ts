import { readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestDaemon } from '../test/helpers/dockerd';
import { TestExporter } from '../test/helpers/exporter';
import { sleep } from '../test/helpers/processes';
import { populate } from './daemonScrape';
import { fmt, timeGet } from './stats';

const CONTAINERS = Number(process.env['BENCH_DAEMON_COST_CONTAINERS'] ?? 1000);
const MINUTES = Number(process.env['BENCH_DAEMON_COST_MINUTES'] ?? 5);
const SCRAPE_EVERY_MS = 15_000;
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The containerd dockerd started for itself (its child), when it runs one. */
function childContainerd(dockerdPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === dockerdPid && name === 'containerd') return Number(entry);
    } catch {
      // Gone.
    }
  }
  return undefined;
}

/** CPU seconds per hour of dockerd and its containerd over `minutes`, while `during` runs. */
async function daemonCpuPerHour(pids: number[], minutes: number, during: (until: number) => Promise<void>): Promise<number> {
  const before = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const started = Date.now();
  await during(started + minutes * 60_000);
  const used = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - before;
  return (used / ((Date.now() - started) / 1000)) * 3600;
}

/**
 * What the exporter costs the daemon: dockerd's and its containerd's CPU
 * seconds per hour at 1,000 containers, left alone and then scraped every 15 s
 * by the exporter as it ships (events followed, /info cached, images resynced
 * every 10 minutes), side by side in one run. Goal: the difference at most
 * 0.5% of one core (18 CPU seconds an hour).
 */
export async function benchDaemonCost(): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-cost-'));
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  try {
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    await daemon.docker('network', 'create', 'benchnet');
    process.stderr.write(`daemon-cost: creating ${CONTAINERS} containers…\n`);
    await populate(daemon, CONTAINERS);
    const dockerd = daemon.pid as number;
    const containerd = childContainerd(dockerd);
    const pids = containerd ? [dockerd, containerd] : [dockerd];
    await sleep(30_000);
    process.stderr.write(`daemon-cost: the daemon alone for ${MINUTES} min…\n`);
    const alone = await daemonCpuPerHour(pids, MINUTES, async (until) => sleep(until - Date.now()));
    await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
    // Its start: the first list, the event subscription, the first scan: not what an hour costs.
    await sleep(30_000);
    process.stderr.write(`daemon-cost: scraped every 15 s for ${MINUTES} min…\n`);
    const scraped = await daemonCpuPerHour(pids, MINUTES, async (until) => {
      while (Date.now() < until) {
        await timeGet(`${exporter.url}/metrics`, { 'Accept-Encoding': 'gzip' });
        await sleep(Math.min(SCRAPE_EVERY_MS, Math.max(0, until - Date.now())));
      }
    });
    const cost = scraped - alone;
    return {
      [`containers`]: `${CONTAINERS} (40 running)${containerd ? ', dockerd and its containerd' : ', dockerd'}`,
      [`daemon CPU s/hour, alone (${MINUTES} min)`]: fmt(alone),
      [`daemon CPU s/hour, scraped every 15 s (${MINUTES} min)`]: fmt(scraped),
      [`exporter's cost to the daemon, % of one core`]: `${fmt((cost / 3600) * 100, 3)} (goal ≤ 0.5: ${cost / 3600 <= 0.005 ? 'met' : 'not met'})`,
    };
  } finally {
    await exporter.stop();
    await daemon.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
