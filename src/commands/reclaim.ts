import { readFileSync, statfsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { describeConnection, isRemote, loadConnection } from '../docker/connection';
import { daemonJsonSettings } from '../docker/storageConfig';
import { featuresOf } from '../parse/daemonJson';
import { DaemonIdentity, decideReclaim, isInside, ReclaimFacts, recheckBeforeRemoval } from '../reclaim/guards';
import {
  allMountTables,
  deviceMapperNames,
  loopBackingFiles,
  mountSources,
  openPathsUnderSettled,
  processStartTime,
} from '../reclaim/probe';
import { parseMountInfo } from '../parse/mountInfo';
import { removePaths } from '../reclaim/remove';
import { configuredDataRoot, planScan, usernsRemovals, volumeDirs } from '../scan/dataRoot';
import { dataRootViewOf } from '../scan/dataRootView';
import { PRUNE_COMMAND, reclaimableItems, type ReclaimableKind } from '../scan/reclaimable';
import { mergeWalks, walkBuckets } from '../scan/walk';
import { formatBytes } from '../util/formatBytes';
import { errorMessage } from '../util/errors';
import { buildParts } from '../wiring';
import { EXIT } from '../util/exitCodes';

const RECLAIM_EXIT = EXIT.reclaim;

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
export async function runReclaim(
  config: Config,
  options: { yes: boolean; ignorePids: readonly number[] },
  logger: Logger,
): Promise<number> {
  const { yes } = options;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const connection = loadConnection(config.docker);
  if (isRemote(connection)) {
    // Its guards look at this host's processes, mounts and devices: they would prove nothing about another host's daemon.
    out(
      `reclaim: refused: ${describeConnection(connection)} is a daemon on another host; reclaim works on the host it runs on: run it there.`,
    );
    return RECLAIM_EXIT.refused;
  }
  const first = await gatherFacts(config, options.ignorePids, logger, true);
  if ('unreachable' in first) {
    out(
      `reclaim: refused: the daemon does not answer${first.unreachable ? ` (${first.unreachable})` : ''}: whether it still uses the data cannot be told.`,
    );
    return RECLAIM_EXIT.refused;
  }
  const { facts, walked } = first;
  // Above a remapped data root, what reclaim removes lies in the configured data root holding it.
  const root = facts.scope;
  for (const driver of first.unmeasured) {
    out(
      `reclaim: the ${driver} driver's layers are zfs datasets, not files of the data root: reclaim leaves them (zfs list, then zfs destroy, once nothing uses them).`,
    );
  }
  const { volumes: keptVolumes, otherRoots: keptRoots } = first.usernsKept;
  if (keptVolumes.length > 0) {
    out(
      `reclaim: leaves the volumes a daemon with another --userns-remap setting kept (check shows their size; docker volume cannot see them): once you have copied what they hold, remove them by hand: rm -rf --one-file-system ${keptVolumes.join(' ')}`,
    );
  }
  if (keptRoots.length > 0) {
    out(
      `reclaim: leaves the data roots of other --userns-remap users (a change of user would use one again; their volumes/ holds volumes): once you will not go back, remove them by hand: rm -rf --one-file-system ${keptRoots.join(' ')}`,
    );
  }
  if (first.prunable.length > 0) {
    out(
      `reclaim: leaves what Docker's own commands give back (check shows the sizes): ${first.prunable.map((p) => `${reclaimableItems(p.kind, p.count)} (${PRUNE_COMMAND[p.kind]})`).join('; ')}.`,
    );
  }
  const decision = decideReclaim(facts);
  if (decision.refusals.length > 0) {
    out('reclaim: refused; nothing was removed:');
    for (const why of decision.refusals) out(`  - ${why}`);
    return RECLAIM_EXIT.refused;
  }
  if (decision.paths.length === 0) {
    out(
      `reclaim: nothing to reclaim in ${root}: no other driver's data, no container of another driver, nothing another --userns-remap setting left but volumes.`,
    );
    return RECLAIM_EXIT.done;
  }
  const sizes = decision.paths.map((p) => ({ path: p, bytes: walked?.bytes.get(p) ?? 0 }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  out(yes ? 'reclaim: removing what no driver in use, image or container needs:' : 'reclaim: would remove (a dry run; --yes removes):');
  for (const s of sizes) out(`  ${formatBytes(s.bytes).padStart(10)}  ${path.relative(root, s.path)}`);
  out(`  ${formatBytes(total).padStart(10)}  in all (${total} bytes, as du -sx -B1 counts, into btrfs subvolumes too)`);
  if (!yes) return RECLAIM_EXIT.done;

  // Every guard again right before each path: a daemon restarted on the old driver, a mount or a process
  // that appeared since the first look stops removal there.
  const stillSafe = async (target: string): Promise<string | undefined> =>
    recheckBeforeRemoval(first, await gatherFacts(config, options.ignorePids, logger, false), target);
  const before = freeBytes(root);
  const report = await removePaths(root, decision.paths, stillSafe, first.rootIdentity);
  const gained = freeBytes(root) - before;
  out(
    `reclaim: removed ${report.done.length} of ${decision.paths.length} paths (${report.removed} entries); the filesystem gained ${formatBytes(gained)} (${gained} bytes, statfs before and after).`,
  );
  if (report.refused) {
    out(`reclaim: refused to go on: ${report.refused}; nothing after it was removed.`);
    return RECLAIM_EXIT.refused;
  }
  if (report.error) {
    out(`reclaim: stopped at ${report.error.path}: ${report.error.message}; nothing after it was removed.`);
    return RECLAIM_EXIT.failed;
  }
  return RECLAIM_EXIT.done;
}

interface Gathered {
  facts: ReclaimFacts;
  /** The daemon as a process: pid, start time, driver and image store; a change between looks stops removal. */
  daemon: DaemonIdentity;
  /** Inactive drivers whose data is not in the data root's files (zfs): never candidates. */
  unmeasured: string[];
  /** What another --userns-remap setting left and reclaim never removes: volumes, other remapped users' data roots. */
  usernsKept: { volumes: string[]; otherRoots: string[] };
  /** What Docker's own prune commands give back, counted: said, never removed here. */
  prunable: { kind: ReclaimableKind; count: number }[];
  /** Each candidate's size as du counts it (the first look only). */
  walked?: ReturnType<typeof mergeWalks>;
  /** The data root's device and inode when the guards looked: removal opens it again and compares. */
  rootIdentity?: { dev: number; ino: number };
}

/** Everything the guards need, read afresh: the daemon, its configuration, the data root, mounts, loop and dm devices, processes. */
async function gatherFacts(
  config: Config,
  ignorePids: readonly number[],
  logger: Logger,
  measure: boolean,
): Promise<Gathered | { unreachable: string | undefined }> {
  const { collector } = buildParts(config, logger, 'once');
  const snapshot = await collector.collect();
  const info = snapshot.info;
  const view = dataRootViewOf(snapshot, config.dataRoot ? { dataRoot: config.dataRoot } : {});
  if (!snapshot.up || !view || !info) return { unreachable: snapshot.unreachable?.message };
  const { root } = view;
  const scope = configuredDataRoot(view);
  const plan = planScan(view);
  const userns = usernsRemovals(view);
  const driverCandidates = plan.buckets
    .filter((b) => b.id.startsWith('inactive_driver\0') || b.id.startsWith('foreign_container\0'))
    .flatMap((b) => [...b.paths]);
  const candidates = [...driverCandidates, ...userns.removable];
  // The same walk the scan does, one bucket per path: each path's size as du counts it, and any directory it
  // cannot read. What lies beside a remapped data root is a tree of its own, as in the scan.
  const inside = candidates.filter((p) => isInside(root, p));
  const beside = candidates.filter((p) => !isInside(root, p));
  const walked = measure
    ? mergeWalks([
        walkBuckets(
          root,
          inside.map((p) => ({ id: p, paths: [p] })),
        ),
        ...beside.map((p) => walkBuckets(p, [{ id: p, paths: [p] }])),
      ])
    : undefined;
  const storage = snapshot.storageConfig;
  const settings =
    storage?.known && storage.configuration.daemonJson ? daemonJsonSettings(storage.configuration.daemonJson.bytes).settings : undefined;
  const features = featuresOf(settings);
  const settled = await openPathsUnderSettled(scope);
  // The operator has checked these: their unreadable working directories do not block.
  const open = { open: settled.open, unreadable: settled.unreadable.filter((u) => u.pid === undefined || !ignorePids.includes(u.pid)) };
  const walkErrors = walked ? walked.errors.size : 0;
  const own = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  const loops = loopBackingFiles();
  const dm = deviceMapperNames();
  const tables = allMountTables();
  // What a guard could not look at refuses, but for processes the operator has checked (--ignore-pid).
  const unreadable = [...loops.unreadable, ...dm.unreadable, ...tables.unreadable]
    .filter((u) => u.pid === undefined || !ignorePids.includes(u.pid))
    .map((u) => u.what);
  const facts: ReclaimFacts = {
    up: true,
    engine: snapshot.engine,
    root,
    activeDriver: view.driver,
    containerdStore: info.containerdSnapshotter,
    configured: storage?.known
      ? {
          ...(storage.driver ? { driver: storage.driver } : {}),
          explicitContainerdStore: features['containerd-snapshotter'] === true,
          ...withUsernsRemap(configuredUsernsRemap(storage.configuration.commandLine, settings)),
        }
      : { unknown: storage?.reason ?? 'not collected' },
    scanComplete: plan.result.complete && walkErrors === 0 && open.unreadable.length === 0,
    scanProblem: !plan.result.complete
      ? plan.result.examples[0]
      : walked && walkErrors > 0
        ? `${[...walked.errors.values()].reduce((a, b) => a + b, 0)} entries unreadable (${walked.examples[0] ?? ''})`
        : open.unreadable.length > 0
          ? `the open files of processes ${open.unreadable.map((u) => u.what).join(', ')} cannot be checked`
          : undefined,
    scope,
    candidates,
    usernsLeftovers: userns.removable,
    kept: [...volumeDirs(view), ...userns.volumes, ...userns.otherRoots],
    mounts: own.map((m) => m.mountPoint),
    loopBackingFiles: loops.found,
    dmNames: dm.found,
    openPaths: open.open,
    mountSources: mountSources(tables.found, own),
    unreadable,
    ...(info.dockerRootDir ? { daemonRoot: info.dockerRootDir } : {}),
    dataRootIdentity: storage?.known
      ? sameDirectory(root, storage.pid, info.dockerRootDir)
      : { unknown: storage?.reason ?? 'the daemon process was not found' },
  };
  const pid = storage?.known ? storage.pid : undefined;
  let rootIdentity: Gathered['rootIdentity'];
  try {
    // Removal opens the scope: the data root, or the configured one above a remapped data root.
    const st = statSync(scope);
    rootIdentity = { dev: st.dev, ino: st.ino };
  } catch {
    // dataRootIdentity above already says why, and refuses.
  }
  return {
    facts,
    ...(rootIdentity ? { rootIdentity } : {}),
    unmeasured: plan.result.unmeasured.map((u) => u.driver),
    usernsKept: { volumes: userns.volumes, otherRoots: userns.otherRoots },
    prunable: [...plan.result.reclaimable].filter(([, r]) => r.count > 0).map(([kind, r]) => ({ kind, count: r.count })),
    daemon: {
      ...(pid === undefined
        ? { unknown: storage?.known === false ? storage.reason : 'the daemon process was not found' }
        : { pid, ...withStartTime(processStartTime(pid)) }),
      driver: view.driver,
      containerdStore: info.containerdSnapshotter,
    },
    ...(walked ? { walked } : {}),
  };
}

/** The --userns-remap setting the daemon's next start reads: its command line's, else daemon.json's ('' turns it off). */
function configuredUsernsRemap(
  commandLine: ReadonlyMap<string, string>,
  settings: Record<string, unknown> | undefined,
): string | undefined {
  const setting = commandLine.get('userns-remap') ?? settings?.['userns-remap'];
  return typeof setting === 'string' && setting !== '' ? setting : undefined;
}

const withUsernsRemap = (setting: string | undefined) => (setting === undefined ? {} : { usernsRemap: setting });

const withStartTime = (startTime: string | undefined) => (startTime === undefined ? {} : { startTime });

/** Is `root` the directory the daemon calls its data root, seen in the daemon's own mount namespace? */
function sameDirectory(root: string, pid: number, dockerRootDir: string | undefined): ReclaimFacts['dataRootIdentity'] {
  if (!dockerRootDir) return { unknown: 'the daemon did not say where its data root is' };
  const daemonView = path.join(`/proc/${pid}/root`, dockerRootDir);
  try {
    const mine = statSync(root);
    const theirs = statSync(daemonView);
    return mine.dev === theirs.dev && mine.ino === theirs.ino ? { same: true } : { same: false, daemonView };
  } catch (err) {
    return { unknown: `${daemonView}: ${errorMessage(err)}` };
  }
}
