import * as fs from 'node:fs';
import * as path from 'node:path';
import { accessReason, errorCode, errorMessage } from '../util/errors';
import { parseMountInfo } from '../parse/mountInfo';
import { LinkedInodes } from './linkedInodes';

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
  /** Per bucket: bytes of inodes with one link, and the linked inodes as dev, ino, bytes triples. */
  buckets: [id: string, single: number, linked: Float64Array][];
  errors: [WalkErrorReason, number][];
  examples: string[];
  files: number;
}

/** A tree to walk: its root, and the buckets measured in it (a bucket belongs to one tree). */
export interface WalkTree {
  root: string;
  buckets: readonly Bucket[];
}

/**
 * Work handed from one walker to another: a directory to list, or part of one
 * already listed (`names`). `active` are the buckets the directory is in, by
 * their index in the walk's trees' buckets, the same in every walker.
 */
export interface WalkUnit {
  tree: number;
  dir: string;
  depth: number;
  active: number[];
  names?: string[];
}

interface Accumulator {
  index: number;
  id: string;
  single: number;
  linked: LinkedInodes;
}

/** A directory on a walker's stack; once listed, `names[next, end)` are still to be looked at. */
interface Pending {
  tree: number;
  dir: string;
  depth: number;
  active: readonly Accumulator[];
  names?: string[];
  next: number;
  end: number;
}

/** What a walker knows of a tree once it has looked at its root. */
interface TreeState {
  root: string;
  dev: number;
  /** Deepest bucket path below the root: below it no bucket starts, and no lookup is needed. */
  maxDepth: number;
  byPath: Map<string, Accumulator[]>;
  isBoundary: (full: string) => boolean;
}

/** A listed directory with fewer names left than this is not split between walkers: the message would cost more than the stats. */
const MIN_SPLIT = 512;

/**
 * Sums, for every bucket, the blocks allocated below its paths, the way GNU
 * `du -sx -B1` does: `st_blocks × 512` (a sparse file counts what it holds),
 * each inode with several links once per bucket, symlinks never followed,
 * directories on another filesystem (mounts such as a running container's
 * `merged/`) neither counted nor entered.
 *
 * Work is a stack of directories, depth first. Several walkers (processes of
 * their own, src/scan/runScan.ts) share one walk by work stealing: an idle
 * walker gets what a busy one `donate`s, the shallowest directories on its
 * stack (the largest subtrees), or half of the names left in the one huge
 * directory it is going through; so any tree shape, one deep directory or
 * 200,000 entries in one, keeps every walker busy. `mergeWalks` adds their
 * parts up. Synchronous on purpose: it runs off the main thread, where sync
 * calls are the fastest way through the filesystem and block nobody.
 *
 * `changeDirectory` (only for a process of its own: it moves the cwd) stats
 * each entry by its bare name from inside its directory, as du does with
 * fstatat: the kernel resolves one path component instead of the whole path,
 * which makes the walk a fifth faster.
 */
export class TreeWalker {
  private readonly accumulators: Accumulator[] = [];
  private readonly trees: (TreeState | undefined)[];
  private readonly stack: Pending[] = [];
  private readonly errors = new Map<WalkErrorReason, number>();
  private readonly examples: string[] = [];
  private files = 0;
  private cwd: string | undefined;
  /** Each tree's first bucket among the accumulators. */
  private readonly firstBucket: number[] = [];
  /** Every mount point, read when a tree first needs them (null: unreadable). */
  private mountTable: string[] | null | undefined;

  constructor(
    private readonly treeList: readonly WalkTree[],
    private readonly options: { changeDirectory?: boolean; mountPoints?: ReadonlySet<string> } = {},
  ) {
    for (const tree of treeList) {
      this.firstBucket.push(this.accumulators.length);
      for (const bucket of tree.buckets)
        this.accumulators.push({ index: this.accumulators.length, id: bucket.id, single: 0, linked: new LinkedInodes() });
    }
    this.trees = treeList.map(() => undefined);
  }

  /** Looks at tree `index`'s root, counts it, and takes its directory as work. */
  begin(index: number): void {
    const tree = this.tree(index);
    if (!tree) return;
    let rootStat: fs.Stats;
    try {
      rootStat = fs.lstatSync(tree.root);
    } catch (err) {
      this.fail(err);
      return;
    }
    const active = tree.byPath.get(tree.root) ?? [];
    this.add(active, rootStat);
    if (rootStat.isDirectory()) this.stack.push({ tree: index, dir: tree.root, depth: 0, active, next: 0, end: 0 });
  }

  hasWork(): boolean {
    return this.stack.length > 0;
  }

  /** Takes work another walker gave away. */
  receive(units: readonly WalkUnit[]): void {
    for (const unit of units) {
      const active = unit.active.map((i) => this.accumulators[i]).filter((a): a is Accumulator => a !== undefined);
      this.stack.push({ ...unit, active, next: 0, end: unit.names?.length ?? 0 });
    }
  }

  /**
   * Gives away about half of the work left: the bottom half of the stack (the
   * shallowest directories, the largest subtrees), or, with one directory
   * left, half of its remaining names. Empty when too little is left to share.
   */
  donate(): WalkUnit[] {
    const unitOf = (p: Pending, names?: string[]): WalkUnit => ({
      tree: p.tree,
      dir: p.dir,
      depth: p.depth,
      active: p.active.map((a) => a.index),
      ...(names ? { names } : {}),
    });
    if (this.stack.length >= 2) {
      return this.stack
        .splice(0, Math.floor(this.stack.length / 2))
        .map((p) => unitOf(p, p.names ? p.names.slice(p.next, p.end) : undefined));
    }
    const only = this.stack[0];
    if (!only?.names || only.end - only.next < 2 * MIN_SPLIT) return [];
    const middle = only.next + Math.floor((only.end - only.next) / 2);
    const given = only.names.slice(middle, only.end);
    only.end = middle;
    return [unitOf(only, given)];
  }

  /** Looks at up to `budget` entries (a directory listing counts as one). */
  step(budget: number): void {
    let left = budget;
    while (left > 0) {
      const unit = this.stack.pop();
      if (!unit) return;
      const tree = this.tree(unit.tree);
      if (!tree) continue;
      if (!unit.names) {
        left--;
        const names = this.list(unit.dir);
        if (names && names.length > 0) this.stack.push({ ...unit, names, next: 0, end: names.length });
        continue;
      }
      const stop = Math.min(unit.end, unit.next + left);
      left -= stop - unit.next;
      const children = this.visit(tree, unit, stop);
      if (unit.next < unit.end) this.stack.push(unit);
      for (const child of children) this.stack.push(child);
    }
  }

  /** This walker's sums so far. */
  result(): PartialWalk {
    return {
      buckets: this.accumulators.map((acc) => [acc.id, acc.single, acc.linked.toTriples()]),
      errors: [...this.errors],
      examples: this.examples,
      files: this.files,
    };
  }

  /** Looks at `unit.names[next, stop)` and returns the directories among them, to walk next. */
  private visit(tree: TreeState, unit: Pending, stop: number): Pending[] {
    const names = unit.names as string[];
    const bareNames = this.options.changeDirectory === true && this.enter(unit.dir);
    const children: Pending[] = [];
    const childDepth = unit.depth + 1;
    const lookup = unit.depth < tree.maxDepth;
    for (let i = unit.next; i < stop; i++) {
      const name = names[i] as string;
      const full = unit.dir + '/' + name;
      let stat: fs.Stats | undefined;
      try {
        stat = fs.lstatSync(bareNames ? name : full, { throwIfNoEntry: false });
        if (stat === undefined) throw Object.assign(new Error(`ENOENT: vanished during the scan, lstat '${full}'`), { code: 'ENOENT' });
      } catch (err) {
        this.fail(err);
        continue;
      }
      let here = unit.active;
      if (lookup) {
        const starting = tree.byPath.get(full);
        if (starting) here = [...here, ...starting];
      }
      if (stat.dev !== tree.dev && tree.isBoundary(full)) continue;
      this.files++;
      this.add(here, stat);
      if (stat.isDirectory()) children.push({ tree: unit.tree, dir: full, depth: childDepth, active: here, next: 0, end: 0 });
    }
    unit.next = stop;
    return children;
  }

  private list(dir: string): string[] | undefined {
    try {
      return fs.readdirSync(this.options.changeDirectory === true && this.enter(dir) ? '.' : dir);
    } catch (err) {
      this.fail(err);
      return undefined;
    }
  }

  /** Moves the process into `dir` unless it is there already; false when it cannot (the caller then uses the full path, and meets the error itself). */
  private enter(dir: string): boolean {
    if (this.cwd === dir) return true;
    try {
      process.chdir(dir);
      this.cwd = dir;
      return true;
    } catch {
      this.cwd = undefined;
      return false;
    }
  }

  /** What this walker knows of tree `index`, found out the first time it is needed (a walker may get work from a tree it never began). */
  private tree(index: number): TreeState | undefined {
    const known = this.trees[index];
    if (known) return known;
    const spec = this.treeList[index];
    if (!spec) return undefined;
    const root = path.resolve(spec.root);
    let dev: number;
    try {
      dev = fs.lstatSync(root).dev;
    } catch (err) {
      this.fail(err);
      return undefined;
    }
    const first = this.firstBucket[index] ?? 0;
    const byPath = new Map<string, Accumulator[]>();
    for (const [offset, bucket] of spec.buckets.entries()) {
      const acc = this.accumulators[first + offset] as Accumulator;
      for (const p of bucket.paths) {
        const key = path.resolve(p);
        byPath.set(key, [...(byPath.get(key) ?? []), acc]);
      }
    }
    // Boundaries are mounts, not device numbers: a btrfs subvolume has a device number of its own but is no
    // mount point, and its bytes are the driver's (Docker's btrfs driver keeps every layer in one). Unknown
    // mount points: every device change is a boundary, as du -x has it.
    // The mount table read once per walker: plan hands one walker a thousand writable layers.
    if (this.mountTable === undefined && !this.options.mountPoints) this.mountTable = allMountPoints() ?? null;
    const mountPoints = this.options.mountPoints ?? (this.mountTable ? below(this.mountTable, root) : undefined);
    const state: TreeState = {
      root,
      dev,
      maxDepth: Math.max(0, ...[...byPath.keys()].map((p) => depthBelow(root, p))),
      byPath,
      isBoundary: (full) => mountPoints === undefined || mountPoints.has(full),
    };
    this.trees[index] = state;
    return state;
  }

  private fail(err: unknown): void {
    const reason = reasonOf(err);
    this.errors.set(reason, (this.errors.get(reason) ?? 0) + 1);
    if (this.examples.length < 5) this.examples.push(errorMessage(err));
  }

  /** An entry's allocated bytes into every bucket it is in: once per inode for a file with several links, as du counts. */
  private add(active: readonly Accumulator[], stat: fs.Stats): void {
    const bytes = stat.blocks * 512;
    if (stat.nlink > 1 && !stat.isDirectory()) {
      for (const acc of active) acc.linked.add(stat.dev, stat.ino, bytes);
    } else {
      for (const acc of active) acc.single += bytes;
    }
  }
}

/** One walker through `root` alone: the sums of `buckets` below it, as `du -sxc -B1` would print them. */
export function walkBuckets(
  root: string,
  buckets: readonly Bucket[],
  options: { changeDirectory?: boolean; mountPoints?: ReadonlySet<string> } = {},
): PartialWalk {
  const walker = new TreeWalker([{ root, buckets }], options);
  walker.begin(0);
  while (walker.hasWork()) walker.step(65536);
  return walker.result();
}

/** Mount points strictly below `root` (/proc/self/mountinfo, octal escapes undone); undefined when it cannot be read. */
export function mountPointsBelow(root: string, mountInfo = '/proc/self/mountinfo'): Set<string> | undefined {
  const all = allMountPoints(mountInfo);
  return all && below(all, root);
}

/** Every mount point of the mount table; undefined when it cannot be read. */
function allMountPoints(mountInfo = '/proc/self/mountinfo'): string[] | undefined {
  try {
    return parseMountInfo(fs.readFileSync(mountInfo, 'utf8')).map((m) => m.mountPoint);
  } catch {
    return undefined;
  }
}

function below(mountPoints: readonly string[], root: string): Set<string> {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return new Set(mountPoints.filter((mountPoint) => mountPoint.startsWith(prefix)));
}

/** Adds up the shares of one walk; an inode with several links counts once per bucket however many shares met it. */
export function mergeWalks(parts: readonly PartialWalk[]): WalkResult {
  const single = new Map<string, number>();
  const linked = new Map<string, LinkedInodes>();
  const result: WalkResult = { bytes: new Map(), errors: new Map(), examples: [], files: 0 };
  for (const part of parts) {
    for (const [id, bytes, links] of part.buckets) {
      single.set(id, (single.get(id) ?? 0) + bytes);
      const seen = linked.get(id) ?? new LinkedInodes();
      seen.addTriples(links);
      linked.set(id, seen);
    }
    for (const [reason, count] of part.errors) result.errors.set(reason, (result.errors.get(reason) ?? 0) + count);
    result.examples.push(...part.examples.slice(0, 5 - result.examples.length));
    result.files += part.files;
  }
  for (const [id, bytes] of single) {
    result.bytes.set(id, bytes + (linked.get(id)?.bytes() ?? 0));
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
