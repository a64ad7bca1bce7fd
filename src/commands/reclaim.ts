import { statfsSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { daemonJsonSettings } from '../docker/storageConfig';
import { decideReclaim, ReclaimFacts } from '../reclaim/guards';
import { deviceMapperNames, loopBackingFiles, mountPoints, openPathsUnderSettled } from '../reclaim/probe';
import { removePaths } from '../reclaim/remove';
import { planScan } from '../scan/dataRoot';
import { mergeWalks, walkBuckets } from '../scan/walk';
import { formatBytes } from '../upgrade/report';
import { buildParts } from '../wiring';

export const RECLAIM_EXIT = { done: 0, failed: 1, refused: 2 } as const;

const freeBytes = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/**
 * `docker-daemon-exporter reclaim`: the one command that writes, and only to
 * the filesystem (never a Docker API call that changes anything). It removes
 * what the data-root scan attributes to inactive drivers and to containers of
 * another driver, once every guard holds (src/reclaim/guards.ts). Without
 * --yes it only says what it would remove.
 */
export async function runReclaim(config: Config, options: { yes: boolean; ignorePids: readonly number[] }, logger: Logger): Promise<number> {
  const { yes } = options;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const { collector } = buildParts(config, logger, 'once');
  const snapshot = await collector.collect();
  const info = snapshot.info;
  const root = config.dataRoot ?? info?.dockerRootDir;
  if (!snapshot.up || !root || !info?.driver) {
    out(`reclaim: refused: the daemon does not answer${snapshot.unreachable ? ` (${snapshot.unreachable.message})` : ''}: whether it still uses the data cannot be told.`);
    return RECLAIM_EXIT.refused;
  }
  const view = { root, driver: info.driver, containerdSnapshotter: info.containerdSnapshotter, layout: snapshot.engine === 'podman' ? ('podman' as const) : ('docker' as const) };
  const plan = planScan(view);
  const candidates = plan.buckets.filter((b) => b.id.startsWith('inactive_driver\0') || b.id.startsWith('foreign_container\0')).flatMap((b) => [...b.paths]);
  // The same walk the scan does, one bucket per path: each path's size as du counts it, and any directory it cannot read.
  const walked = mergeWalks([walkBuckets(root, candidates.map((p) => ({ id: p, paths: [p] })))]);
  const storage = snapshot.storageConfig;
  const settings = storage?.known && storage.configuration.daemonJson ? daemonJsonSettings(storage.configuration.daemonJson.bytes).settings : undefined;
  const features = settings?.['features'];
  const settled = await openPathsUnderSettled(root);
  // The operator has checked these: their unreadable working directories do not block.
  const open = { open: settled.open, unreadable: settled.unreadable.filter((u) => !options.ignorePids.includes(Number(u.split(' ')[0]))) };
  const facts: ReclaimFacts = {
    up: true,
    engine: snapshot.engine,
    root,
    activeDriver: info.driver,
    containerdStore: info.containerdSnapshotter,
    configured: storage?.known
      ? { ...(storage.driver ? { driver: storage.driver } : {}), explicitContainerdStore: typeof features === 'object' && features !== null && (features as Record<string, unknown>)['containerd-snapshotter'] === true }
      : { unknown: storage?.reason ?? 'not collected' },
    scanComplete: plan.result.complete && walked.errors.size === 0 && open.unreadable.length === 0,
    scanProblem: !plan.result.complete
      ? plan.result.examples[0]
      : walked.errors.size > 0
        ? `${[...walked.errors.values()].reduce((a, b) => a + b, 0)} entries unreadable (${walked.examples[0] ?? ''})`
        : open.unreadable.length > 0
          ? `the open files of processes ${open.unreadable.join(', ')} cannot be checked`
          : undefined,
    candidates,
    mounts: mountPoints(),
    loopBackingFiles: loopBackingFiles(),
    dmNames: deviceMapperNames(),
    openPaths: open.open,
  };
  const decision = decideReclaim(facts);
  if (decision.refusals.length > 0) {
    out('reclaim: refused; nothing was removed:');
    for (const why of decision.refusals) out(`  - ${why}`);
    return RECLAIM_EXIT.refused;
  }
  if (decision.paths.length === 0) {
    out(`reclaim: nothing to reclaim in ${root}: no other driver's data, no container of another driver.`);
    return RECLAIM_EXIT.done;
  }
  const sizes = decision.paths.map((p) => ({ path: p, bytes: walked.bytes.get(p) ?? 0 }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  out(yes ? 'reclaim: removing what no driver in use, image or container needs:' : 'reclaim: would remove (a dry run; --yes removes):');
  for (const s of sizes) out(`  ${formatBytes(s.bytes).padStart(10)}  ${path.relative(root, s.path)}`);
  out(`  ${formatBytes(total).padStart(10)}  in all (${total} bytes, as du -sx -B1 counts)`);
  if (!yes) return RECLAIM_EXIT.done;

  const before = freeBytes(root);
  const report = removePaths(decision.paths);
  const gained = freeBytes(root) - before;
  out(`reclaim: removed ${report.done.length} of ${decision.paths.length} paths (${report.removed} entries); the filesystem gained ${formatBytes(gained)} (${gained} bytes, statfs before and after).`);
  if (report.error) {
    out(`reclaim: stopped at ${report.error.path}: ${report.error.message}; nothing after it was removed.`);
    return RECLAIM_EXIT.failed;
  }
  return RECLAIM_EXIT.done;
}
