import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/helpers/cli';
import { TestDaemon } from '../test/helpers/dockerd';
import { populate } from './daemonScrape';
import { fmt, median } from './stats';

const SIZES = (process.env['BENCH_PLAN_CONTAINERS'] ?? '10,100,1000').split(',').map(Number);
/** Files of other layers beside the containers' own: what a walk of the whole data root per container would cross each time. */
const OTHER_FILES = Number(process.env['BENCH_PLAN_OTHER_FILES'] ?? 100_000);
const FILES_PER_CONTAINER = 100;

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Files written straight into each container's writable layer (as if it had written them), so nothing has to run. */
function fillWritableLayers(root: string): void {
  const mounts = path.join(root, 'image', 'overlay2', 'layerdb', 'mounts');
  const payload = Buffer.alloc(2000, 7);
  for (const container of readdirSync(mounts)) {
    const mountId = readFileSync(path.join(mounts, container, 'mount-id'), 'utf8').trim();
    const diff = path.join(root, 'overlay2', mountId, 'diff', 'data');
    if (readdirSync(path.dirname(diff)).includes('data')) continue;
    mkdirSync(diff, { recursive: true });
    for (let f = 0; f < FILES_PER_CONTAINER; f++) writeFileSync(path.join(diff, `f${f}`), payload);
  }
}

/**
 * `plan` against one warm `du -sx` of the data root at 10, 100 and 1,000
 * containers on a real dockerd (overlay2), each container with 100 files in
 * its writable layer, beside 100,000 files of other layers. Goal: plan at
 * most 2x du, whatever the number of containers.
 */
export async function benchPlan(): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-plan-'));
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const figures: Record<string, string> = {};
  try {
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    await daemon.docker('network', 'create', 'benchnet');
    const other = path.join(daemon.dataRoot, 'overlay2', 'f'.repeat(64), 'diff');
    for (let d = 0; d < 100; d++) {
      mkdirSync(path.join(other, `d${d}`), { recursive: true });
      for (let f = 0; f < OTHER_FILES / 100; f++) writeFileSync(path.join(other, `d${d}`, `f${f}`), 'x');
    }
    let made = 0;
    for (const size of SIZES) {
      process.stderr.write(`plan: ${size} containers…\n`);
      await populate(daemon, size - made, made);
      made = size;
      fillWritableLayers(daemon.dataRoot);
      const du = () => timed(() => execFileSync('du', ['-sx', daemon.dataRoot], { stdio: 'ignore' }));
      du();
      const plans: number[] = [];
      const dus: number[] = [];
      for (let i = 0; i < 3; i++) {
        dus.push(du());
        const started = process.hrtime.bigint();
        const result = await runCli(['plan', '--format', 'json', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
        if (result.code !== 0) throw new Error(`plan failed: ${result.stderr}`);
        plans.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const ratio = median(plans) / median(dus);
      figures[`plan, median of 3, ms (${size} containers)`] = fmt(median(plans));
      figures[`du -sx of the data root, warm, ms (${size} containers)`] = fmt(median(dus));
      figures[`ratio plan / du (${size} containers)`] = `${fmt(ratio, 2)} (goal ≤ 2: ${ratio <= 2 ? 'met' : 'not met'})`;
    }
    return figures;
  } finally {
    await daemon.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
