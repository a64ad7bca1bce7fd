import * as fs from 'node:fs';
import * as path from 'node:path';
import { accessReason, errorCode, errorMessage } from '../util/errors';
import { parseMountInfo } from '../parse/mountInfo';

/** A sum of disk usage over one or more paths, as one `du -sxc -B1 PATH…` run counts it (btrfs subvolumes of the same mount included). */
export interface Bucket {
  id: string;
  paths: readonly string[];
}

export type WalkErrorReason = 'permission' | 'vanished' | 'loop' | 'other';

export interface WalkResult {
  bytes: Map<string, number>;
  /** Errors by reason; what could be read was still counted. */
  errors: Map<WalkErrorReason, number>;
  /** A few error messages, for the log. */
  examples: string[];
  files: number;
}

/** One share's sums, before the shares are merged: hardlinked inodes kept apart to count them once overall. */
export interface PartialWalk {
  buckets: [id: string, single: number, linked: [key: string, bytes: number][]][];
  errors: [WalkErrorReason, number][];
  examples: string[];
  files: number;
}

/** Which part of the tree a walker takes: the directories at SPLIT_DEPTH whose name hashes to `index`. */
export interface Share {
  index: number;
  count: number;
}

/** Depth at which work is split: <root>/<driver>/<layer>, the level with thousands of entries. */
const SPLIT_DEPTH = 2;

interface Accumulator {
  id: string;
  single: number;
  /** dev:ino → bytes of inodes with more than one link: du counts a hardlinked file once. */
  linked: Map<string, number>;
}

function hashName(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return h >>> 0;
}

/**
 * Walks `root` once and sums, for every bucket, the blocks allocated below its
 * paths, the way GNU `du -sx -B1` does: `st_blocks × 512` (a sparse file counts
 * what it holds), each inode with several links once per bucket, symlinks
 * never followed, directories on another filesystem (mounts such as a running
 * container's `merged/`) neither counted nor entered.
 *
 * With a share, it takes only its part of the tree, so that several walkers
 * on several cores cover it together; `mergeWalks` adds their parts up.
 * Synchronous on purpose: it runs off the main thread, where sync calls are
 * the fastest way through the filesystem and block nobody.
 *
 * `changeDirectory` (only for a process of its own: it moves the cwd) stats
 * each entry by its bare name from inside its directory, as du does with
 * fstatat: the kernel resolves one path component instead of the whole path,
 * which makes the walk a fifth faster.
 */
export function walkBuckets(
  root: string,
  buckets: readonly Bucket[],
  share: Share = { index: 0, count: 1 },
  options: { changeDirectory?: boolean; mountPoints?: ReadonlySet<string> } = {},
): PartialWalk {
  const errors = new Map<WalkErrorReason, number>();
  const out: PartialWalk = { buckets: [], errors: [], examples: [], files: 0 };
  const { accumulators, byPath } = accumulatorsOf(buckets);
  const maxDepth = Math.max(0, ...[...byPath.keys()].map((p) => depthBelow(root, p)));
  const finish = () => {
    out.buckets = accumulators.map((acc) => [acc.id, acc.single, [...acc.linked]]);
    out.errors = [...errors];
    return out;
  };
  const fail = (reason: WalkErrorReason, err: unknown) => {
    errors.set(reason, (errors.get(reason) ?? 0) + 1);
    if (out.examples.length < 5) out.examples.push(errorMessage(err));
  };

  let rootStat: fs.Stats;
  try {
    rootStat = fs.lstatSync(root);
  } catch (err) {
    fail(reasonOf(err), err);
    return finish();
  }
  const rootDev = rootStat.dev;
  // Boundaries are mounts, not device numbers: a btrfs subvolume has a device number of its own but is no
  // mount point, and its bytes are the driver's (Docker's btrfs driver keeps every layer in one). Unknown
  // mount points: every device change is a boundary, as du -x has it.
  const mountPoints = options.mountPoints ?? mountPointsBelow(root);
  const boundary = (full: string) => mountPoints === undefined || mountPoints.has(full);
  const mine = (depth: number, name: string) => inShare(share, depth, name);

  // Explicit stack: data roots nest deep enough (layers of node_modules) to matter.
  const stack: { dir: string; depth: number; active: readonly Accumulator[] }[] = [];
  const rootActive = byPath.get(path.resolve(root)) ?? [];
  if (share.index === 0) add(rootActive, rootStat);
  if (rootStat.isDirectory()) stack.push({ dir: root, depth: 0, active: rootActive });

  while (stack.length > 0) {
    const { dir, depth, active } = stack.pop() as (typeof stack)[number];
    let names: string[];
    try {
      if (options.changeDirectory) process.chdir(dir);
      names = fs.readdirSync(options.changeDirectory ? '.' : dir);
    } catch (err) {
      // Every share passes through the shallow directories; one reports their errors.
      if (mine(depth, path.basename(dir)) || depth > SPLIT_DEPTH) fail(reasonOf(err), err);
      continue;
    }
    const childDepth = depth + 1;
    for (const name of names) {
      const counted = mine(childDepth, name);
      if (!counted && childDepth >= SPLIT_DEPTH) continue;
      const full = dir + '/' + name;
      let stat: fs.Stats | undefined;
      try {
        stat = fs.lstatSync(options.changeDirectory ? name : full, { throwIfNoEntry: false });
        if (stat === undefined) throw Object.assign(new Error(`ENOENT: vanished during the scan, lstat '${full}'`), { code: 'ENOENT' });
      } catch (err) {
        if (counted) fail(reasonOf(err), err);
        continue;
      }
      let here = active;
      if (depth < maxDepth) {
        const starting = byPath.get(full);
        if (starting) here = [...active, ...starting];
      }
      if (stat.dev !== rootDev && boundary(full)) continue;
      if (counted) {
        out.files++;
        add(here, stat);
      }
      if (stat.isDirectory()) stack.push({ dir: full, depth: childDepth, active: here });
    }
  }
  return finish();
}

/** Whether an entry at `depth` is this share's: the shallow ones are share 0's, those at SPLIT_DEPTH go by a hash of their name, deeper ones follow their parent. */
function inShare(share: Share, depth: number, name: string): boolean {
  return (
    share.count === 1 || (depth < SPLIT_DEPTH ? share.index === 0 : depth > SPLIT_DEPTH || hashName(name) % share.count === share.index)
  );
}

/** One accumulator per bucket, and the buckets that start at each path (a path may start several). */
function accumulatorsOf(buckets: readonly Bucket[]): { accumulators: Accumulator[]; byPath: Map<string, Accumulator[]> } {
  const byPath = new Map<string, Accumulator[]>();
  const accumulators: Accumulator[] = [];
  for (const bucket of buckets) {
    const acc: Accumulator = { id: bucket.id, single: 0, linked: new Map() };
    accumulators.push(acc);
    for (const p of bucket.paths) {
      const key = path.resolve(p);
      byPath.set(key, [...(byPath.get(key) ?? []), acc]);
    }
  }
  return { accumulators, byPath };
}

/** An entry's allocated bytes into every bucket it is in: once per inode for a file with several links, as du counts. */
function add(active: readonly Accumulator[], stat: fs.Stats): void {
  const bytes = stat.blocks * 512;
  if (stat.nlink > 1 && !stat.isDirectory()) {
    const key = `${stat.dev}:${stat.ino}`;
    for (const acc of active) acc.linked.set(key, bytes);
  } else {
    for (const acc of active) acc.single += bytes;
  }
}

/** Mount points strictly below `root` (/proc/self/mountinfo, octal escapes undone); undefined when it cannot be read. */
export function mountPointsBelow(root: string, mountInfo = '/proc/self/mountinfo'): Set<string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(mountInfo, 'utf8');
  } catch {
    return undefined;
  }
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return new Set(
    parseMountInfo(text)
      .map((m) => m.mountPoint)
      .filter((mountPoint) => mountPoint.startsWith(prefix)),
  );
}

/** Adds up the shares of one walk; an inode with several links counts once per bucket however many shares met it. */
export function mergeWalks(parts: readonly PartialWalk[]): WalkResult {
  const single = new Map<string, number>();
  const linked = new Map<string, Map<string, number>>();
  const result: WalkResult = { bytes: new Map(), errors: new Map(), examples: [], files: 0 };
  for (const part of parts) {
    for (const [id, bytes, links] of part.buckets) {
      single.set(id, (single.get(id) ?? 0) + bytes);
      const seen = linked.get(id) ?? new Map<string, number>();
      for (const [key, size] of links) seen.set(key, size);
      linked.set(id, seen);
    }
    for (const [reason, count] of part.errors) result.errors.set(reason, (result.errors.get(reason) ?? 0) + count);
    result.examples.push(...part.examples.slice(0, 5 - result.examples.length));
    result.files += part.files;
  }
  for (const [id, bytes] of single) {
    let total = bytes;
    for (const size of linked.get(id)?.values() ?? []) total += size;
    result.bytes.set(id, total);
  }
  return result;
}

function depthBelow(root: string, p: string): number {
  const rel = path.relative(path.resolve(root), p);
  return rel === '' ? 0 : rel.split(path.sep).length;
}

function reasonOf(err: unknown): WalkErrorReason {
  // Missing in the middle of a walk: deleted since its directory was listed.
  const reason = accessReason(err);
  if (reason !== 'other') return reason === 'missing' ? 'vanished' : reason;
  return errorCode(err) === 'ELOOP' ? 'loop' : 'other';
}
