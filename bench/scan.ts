import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, linkSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestExporter } from '../test/helpers/exporter';
import { daemonRoutes, ReplayServer } from '../test/helpers/replayServer';
import { createScanRunner } from '../src/scan/runScan';
import { fmt, median, quantile, rssMiB, timeGet } from './stats';

const LAYERS = Number(process.env['BENCH_LAYERS'] ?? 300);
const FILES_PER_LAYER = Number(process.env['BENCH_FILES_PER_LAYER'] ?? 1000);
const TREE = path.join(tmpdir(), `dde-scan-bench-${LAYERS}x${FILES_PER_LAYER}`);

/** overlay2-like layers of small files, a tenth of them hardlinks into the layer before, and a sparse loop file. */
function buildTree(): void {
  if (existsSync(path.join(TREE, '.complete'))) return;
  rmSync(TREE, { recursive: true, force: true });
  const hex = (n: number) => n.toString(16).padStart(64, '0');
  const payload = Buffer.alloc(300, 1);
  for (let layer = 0; layer < LAYERS; layer++) {
    const base = path.join(TREE, 'overlay2', hex(layer), 'diff');
    for (let d = 0; d < 10; d++) mkdirSync(path.join(base, `d${d}`), { recursive: true });
    for (let f = 0; f < FILES_PER_LAYER; f++) {
      const file = path.join(base, `d${f % 10}`, `f${f}`);
      if (layer > 0 && f % 10 === 0) linkSync(path.join(TREE, 'overlay2', hex(layer - 1), 'diff', `d${f % 10}`, `f${f}`), file);
      else writeFileSync(file, payload);
    }
    mkdirSync(path.join(TREE, 'image/overlay2/layerdb/sha256', hex(layer)), { recursive: true });
    writeFileSync(path.join(TREE, 'image/overlay2/layerdb/sha256', hex(layer), 'cache-id'), hex(layer));
  }
  mkdirSync(path.join(TREE, 'devicemapper/devicemapper'), { recursive: true });
  const fd = openSync(path.join(TREE, 'devicemapper/devicemapper/data'), 'w');
  ftruncateSync(fd, 100 * 1024 ** 3);
  writeSync(fd, Buffer.alloc(1024 * 1024, 2), 0, 1024 * 1024, 4096);
  closeSync(fd);
  writeFileSync(path.join(TREE, '.complete'), '');
}

function timeDu(): number {
  const started = process.hrtime.bigint();
  execFileSync('du', ['-sx', '-B1', TREE], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function timeScan(): Promise<{ ms: number; files: number }> {
  const started = process.hrtime.bigint();
  const result = await createScanRunner()({ root: TREE, driver: 'overlay2', containerdSnapshotter: false });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, files: result.files };
}

/**
 * Scan time against GNU du over the same tree (warm cache, alternated, one
 * run), and scrape latency while scans run back to back against an exporter
 * that does not scan at all.
 */
export async function benchScan(): Promise<Record<string, string>> {
  process.stderr.write(`building ${LAYERS * FILES_PER_LAYER} files under ${TREE} (kept for the next run)…\n`);
  buildTree();
  timeDu();
  await timeScan();
  const du: number[] = [];
  const scan: number[] = [];
  let files = 0;
  for (let i = 0; i < 5; i++) {
    du.push(timeDu());
    const s = await timeScan();
    scan.push(s.ms);
    files = s.files;
  }

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
      files: String(files),
      'du -sx median (ms)': fmt(median(du)),
      'exporter scan median (ms)': fmt(median(scan)),
      'scan/du ratio': fmt(median(scan) / median(du), 2),
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
