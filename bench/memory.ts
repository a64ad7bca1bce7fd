import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestDaemon } from '../test/helpers/dockerd';
import { repoRoot, TestExporter } from '../test/helpers/exporter';
import { sleep, stopPid } from '../test/helpers/processes';
import { populate, rssAfter } from './daemonScrape';
import { replayedHost } from './replayedHost';
import { fmt, rssMiB } from './stats';

const RSS_MINUTES = Number(process.env['BENCH_RSS_MINUTES'] ?? 5);
/** As the systemd unit and the container image run it: V8's young generation capped at 2 MiB, glibc's malloc arenas at two. */
const NODE_FLAGS = ['--max-semi-space-size=2'];
const SHIPPED_ENV = { MALLOC_ARENA_MAX: '2' };
const REAL = Number(process.env['BENCH_MEMORY_REAL'] ?? 1000);
const REPLAYED = Number(process.env['BENCH_MEMORY_REPLAYED'] ?? 10000);

/**
 * The libraries' floor: node with prom-client, dockerode, express and winston
 * loaded (and the Node.js process metrics collected once) and nothing else.
 * What the exporter holds above it is its own. dockerode is loaded as the
 * exporter loads it (src/docker/dockerode.ts: its gRPC and ssh2 deferred to a
 * first call that never comes); `whole` loads it as it ships, for comparison.
 */
async function libraryFloor(dockerode: 'as loaded' | 'whole'): Promise<number> {
  const script = [
    "const client = require('prom-client');",
    `require('${dockerode === 'whole' ? 'dockerode' : './dist/src/docker/dockerode'}'); require('express'); require('winston');`,
    'client.collectDefaultMetrics();',
    'client.register.metrics().then(() => setInterval(() => undefined, 1000));',
  ].join(' ');
  const child = spawn(process.execPath, [...NODE_FLAGS, '-e', script], {
    cwd: repoRoot(),
    stdio: 'ignore',
    env: { ...process.env, ...SHIPPED_ENV },
  });
  try {
    await sleep(3000);
    return rssMiB(child.pid as number);
  } finally {
    await stopPid(child.pid);
  }
}

/**
 * Memory, as issue 19 asks it: RSS after minutes of scrapes every second at
 * 1,000 real containers and 10,000 replayed, each against the libraries'
 * floor. Goals: ≤ 10 MiB above the floor at 1,000, ≤ 30 MiB at 10,000.
 */
export async function benchMemory(): Promise<Record<string, string>> {
  const floor = await libraryFloor('as loaded');
  const whole = await libraryFloor('whole');
  const retained = await retainedHeap([0, REAL, REPLAYED]);
  const figures: Record<string, string> = {
    "libraries' floor (prom-client, dockerode as the exporter loads it, express, winston), MiB": fmt(floor),
    'the same with dockerode loaded whole (its gRPC and ssh2 too), MiB': fmt(whole),
  };
  const report = (label: string, rss: { rss: number; peak: number }, goal: number) => {
    figures[`RSS after ${RSS_MINUTES} min of scrapes every second, MiB (${label})`] = `${fmt(rss.rss)} (peak ${fmt(rss.peak)})`;
    const above = rss.rss - floor;
    figures[`above the floor, MiB (${label})`] = `${fmt(above)} (goal ≤ ${goal}: ${above <= goal ? 'met' : 'not met'})`;
  };
  if (REAL > 0) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-memory-'));
    const daemon = new TestDaemon(path.join(dir, 'daemon'));
    const exporter = new TestExporter(path.join(dir, 'exporter.log'));
    try {
      await daemon.start({ args: ['--storage-driver', 'overlay2'] });
      await daemon.importBusybox();
      await daemon.docker('network', 'create', 'benchnet');
      process.stderr.write(`memory: creating ${REAL} containers…\n`);
      await populate(daemon, REAL);
      await exporter.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile], undefined, {
        ...process.env,
        NODE_OPTIONS: NODE_FLAGS.join(' '),
        ...SHIPPED_ENV,
      });
      process.stderr.write(`memory: ${REAL} real containers, scraping every second for ${RSS_MINUTES} min…\n`);
      report(`${REAL} real containers`, await rssAfter(exporter, RSS_MINUTES), 10);
    } finally {
      await exporter.stop();
      await daemon.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (REPLAYED > 0) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-memory-replay-'));
    const { server } = replayedHost(dir, REPLAYED);
    const exporter = new TestExporter(path.join(dir, 'exporter.log'));
    try {
      await server.start();
      await exporter.start(['--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan'], undefined, {
        ...process.env,
        NODE_OPTIONS: NODE_FLAGS.join(' '),
        ...SHIPPED_ENV,
      });
      process.stderr.write(`memory: ${REPLAYED} replayed containers, scraping every second for ${RSS_MINUTES} min…\n`);
      report(`${REPLAYED} replayed containers`, await rssAfter(exporter, RSS_MINUTES), 30);
    } finally {
      await exporter.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const [size, mib] of retained) figures[`live heap after GC, MiB (${size} replayed containers, in process)`] = fmt(mib, 2);
  return figures;
}

/**
 * What the exporter holds, without the garbage V8 keeps until its next
 * collection: its parts built in a child process with --expose-gc, 30
 * scrapes of a replayed host, then the heap used after a full GC, less the
 * heap before anything was built.
 */
async function retainedHeap(sizes: number[]): Promise<[number, number][]> {
  const out: [number, number][] = [];
  for (const size of sizes) {
    const child = spawn(process.execPath, ['--expose-gc', ...NODE_FLAGS, path.join(__dirname, 'retainedHeap.js'), String(size)], {
      cwd: repoRoot(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    out.push([size, Number(text.trim())]);
  }
  return out;
}
