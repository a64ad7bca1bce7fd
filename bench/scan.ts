import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestExporter } from '../test/helpers/exporter';
import { daemonRoutes, ReplayServer } from '../test/helpers/replayServer';
import { createScanRunner } from '../src/scan/runScan';
import { buildTree, TREE_SHAPES, TreeShape } from '../test/helpers/scanTrees';
import { fmt, median, quantile, rssMiB, timeGet } from './stats';

const FILES = Number(process.env['BENCH_SCAN_FILES'] ?? 200_000);
/** Real data roots hold millions of files: the two commonest shapes again at this size, where the walkers' start no longer weighs. */
const LARGE_FILES = Number(process.env['BENCH_SCAN_LARGE_FILES'] ?? 1_000_000);
const treeOf = (shape: TreeShape, files = FILES) => path.join(tmpdir(), `dde-scan-bench-${shape}-${files}`);

function timeDu(tree: string): number {
  const started = process.hrtime.bigint();
  execFileSync('du', ['-sx', '-B1', tree], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function timeScan(tree: string, driver: string): Promise<{ ms: number; files: number }> {
  const started = process.hrtime.bigint();
  const result = await createScanRunner()({ root: tree, driver, containerdSnapshotter: false });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, files: result.files };
}

const DRIVER: Record<TreeShape, string> = { layers: 'overlay2', deep: 'vfs', flat: 'vfs', hardlinks: 'overlay2' };

/** The scan against du over one tree: warm cache, five alternating runs, medians. */
async function againstDu(shape: TreeShape, files: number): Promise<{ du: number; scan: number; entries: number }> {
  const tree = treeOf(shape, files);
  process.stderr.write(`building ${TREE_SHAPES[shape]}, ${files} files, under ${tree} (kept for the next run)…\n`);
  buildTree(tree, shape, files);
  timeDu(tree);
  await timeScan(tree, DRIVER[shape]);
  const du: number[] = [];
  const scan: number[] = [];
  let entries = 0;
  for (let i = 0; i < 5; i++) {
    du.push(timeDu(tree));
    const s = await timeScan(tree, DRIVER[shape]);
    scan.push(s.ms);
    entries = s.files;
  }
  return { du: median(du), scan: median(scan), entries };
}

/** Each tree shape at FILES, the layer-shaped and deep ones at LARGE_FILES, and the fixed cost of a scan (an empty data root). */
async function shapeFigures(): Promise<Record<string, string>> {
  const figures: Record<string, string> = {};
  const runs: [TreeShape, number][] = [
    ...(Object.keys(TREE_SHAPES) as TreeShape[]).map((shape): [TreeShape, number] => [shape, FILES]),
    ['layers', LARGE_FILES],
    ['deep', LARGE_FILES],
  ];
  for (const [shape, files] of runs) {
    const { du, scan, entries } = await againstDu(shape, files);
    const label = `${shape}, ${entries} entries`;
    figures[`${label}: du -sx / scan median (ms)`] = `${fmt(du)} / ${fmt(scan)}`;
    figures[`${label}: scan/du ratio`] = `${fmt(scan / du, 2)} (goal ≤ 1.0: ${scan / du <= 1 ? 'met' : 'not met'})`;
  }
  const empty = mkdtempSync(path.join(tmpdir(), 'dde-scan-bench-empty-'));
  try {
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) starts.push((await timeScan(empty, 'overlay2')).ms);
    figures['scan of an empty data root (walker processes start), median (ms)'] = fmt(median(starts));
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  return figures;
}

/**
 * Scan time against GNU du over four tree shapes (warm cache, alternated, one
 * run), and scrape latency while scans of the layer-shaped tree run back to
 * back against an exporter that does not scan at all.
 */
export async function benchScan(): Promise<Record<string, string>> {
  const shapes = await shapeFigures();
  const TREE = treeOf('layers');

  const dir = path.join(tmpdir(), `dde-scan-bench-run-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const info = {
    ServerVersion: '24.0.7',
    Driver: 'overlay2',
    DockerRootDir: TREE,
    DriverStatus: [['Backing Filesystem', 'extfs']],
    Images: 0,
  };
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info));
  await server.start();
  const idle = new TestExporter(path.join(dir, 'idle.log'));
  const busy = new TestExporter(path.join(dir, 'busy.log'));
  try {
    await idle.start(['--docker.host', server.host, '--no-scan', '--docker.pid-file', '/nonexistent']);
    // An interval far shorter than a scan: scans run back to back.
    await busy.start(['--docker.host', server.host, '--scan.interval', '10ms', '--docker.pid-file', '/nonexistent']);
    const idleMs: number[] = [];
    const busyMs: number[] = [];
    for (let i = 0; i < 300; i++) {
      idleMs.push(await timeGet(`${idle.url}/metrics`));
      busyMs.push(await timeGet(`${busy.url}/metrics`));
    }
    const scans = (busy.log().match(/data root scanned/g) ?? []).length;
    return {
      ...shapes,
      'scrape median idle / during scans (ms)': `${fmt(median(idleMs), 2)} / ${fmt(median(busyMs), 2)}`,
      'scrape p90 idle / during scans (ms)': `${fmt(quantile(idleMs, 0.9), 2)} / ${fmt(quantile(busyMs, 0.9), 2)}`,
      'scrape latency ratio during/idle (median)': fmt(median(busyMs) / median(idleMs), 2),
      'scans completed while scraping': String(scans),
      'exporter RSS while scanning (MiB)': fmt(rssMiB(busy.child?.pid as number)),
    };
  } finally {
    await idle.stop();
    await busy.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
