import * as fs from 'node:fs';
import * as path from 'node:path';

/** A sum of disk usage over one or more paths, as one `du -sxc -B1 PATH…` run counts it. */
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

interface Accumulator {
  id: string;
  bytes: number;
  /** dev:ino of inodes with more than one link seen so far: du counts a hardlinked file once. */
  seen: Set<string>;
}

/**
 * Walks `root` once and sums, for every bucket, the blocks allocated below its
 * paths, the way GNU `du -sx -B1` does: `st_blocks × 512` (a sparse file counts
 * what it holds), each inode with several links once per bucket, symlinks
 * never followed, directories on another filesystem (mounts such as a running
 * container's `merged/`) neither counted nor entered.
 *
 * Synchronous on purpose: it runs in a worker thread, where sync calls are the
 * fastest way through the filesystem and block nobody.
 */
export function walkBuckets(root: string, buckets: readonly Bucket[]): WalkResult {
  const result: WalkResult = { bytes: new Map(), errors: new Map(), examples: [], files: 0 };
  const byPath = new Map<string, Accumulator[]>();
  const accumulators: Accumulator[] = [];
  for (const bucket of buckets) {
    const acc: Accumulator = { id: bucket.id, bytes: 0, seen: new Set() };
    accumulators.push(acc);
    for (const p of bucket.paths) {
      const key = path.resolve(p);
      byPath.set(key, [...(byPath.get(key) ?? []), acc]);
    }
  }
  const maxDepth = Math.max(0, ...[...byPath.keys()].map((p) => depthBelow(root, p)));

  const fail = (reason: WalkErrorReason, err: unknown) => {
    result.errors.set(reason, (result.errors.get(reason) ?? 0) + 1);
    if (result.examples.length < 5) result.examples.push(err instanceof Error ? err.message : String(err));
  };

  let rootStat: fs.Stats;
  try {
    rootStat = fs.lstatSync(root);
  } catch (err) {
    fail(reasonOf(err), err);
    for (const acc of accumulators) result.bytes.set(acc.id, 0);
    return result;
  }
  const rootDev = rootStat.dev;

  const add = (active: readonly Accumulator[], stat: fs.Stats) => {
    const bytes = stat.blocks * 512;
    if (stat.nlink > 1 && !stat.isDirectory()) {
      const key = `${stat.dev}:${stat.ino}`;
      for (const acc of active) {
        if (acc.seen.has(key)) continue;
        acc.seen.add(key);
        acc.bytes += bytes;
      }
    } else {
      for (const acc of active) acc.bytes += bytes;
    }
  };

  // Explicit stack: data roots nest deep enough (overlay2 layers of node_modules) to matter.
  const stack: { dir: string; depth: number; active: readonly Accumulator[] }[] = [];
  const rootActive = byPath.get(path.resolve(root)) ?? [];
  add(rootActive, rootStat);
  if (rootStat.isDirectory()) stack.push({ dir: root, depth: 0, active: rootActive });

  while (stack.length > 0) {
    const { dir, depth, active } = stack.pop() as (typeof stack)[number];
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (err) {
      fail(reasonOf(err), err);
      continue;
    }
    for (const name of names) {
      const full = dir + '/' + name;
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(full);
      } catch (err) {
        fail(reasonOf(err), err);
        continue;
      }
      let here = active;
      if (depth < maxDepth) {
        const starting = byPath.get(full);
        if (starting) here = [...active, ...starting];
      }
      if (stat.dev !== rootDev) continue;
      result.files++;
      add(here, stat);
      if (stat.isDirectory()) stack.push({ dir: full, depth: depth + 1, active: here });
    }
  }
  for (const acc of accumulators) result.bytes.set(acc.id, acc.bytes);
  return result;
}

function depthBelow(root: string, p: string): number {
  const rel = path.relative(path.resolve(root), p);
  return rel === '' ? 0 : rel.split(path.sep).length;
}

function reasonOf(err: unknown): WalkErrorReason {
  const code = (err as { code?: string }).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'vanished';
  if (code === 'ELOOP') return 'loop';
  return 'other';
}
