import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Everything below `dir`, one entry a path: its kind, size, content's hash or
 * link target. Another filesystem is not entered; with `intoSubvolumes`, a
 * directory of another device that is no mount point (a btrfs subvolume) is.
 * Compared with toEqual, a failure names the paths that changed.
 */
export function treeListing(dir: string, options: { intoSubvolumes?: boolean } = {}): Record<string, string> {
  const listing: Record<string, string> = {};
  if (!existsSync(dir)) return listing;
  const device = lstatSync(dir).dev;
  const mountPoints = new Set(
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? ''),
  );
  const walk = (p: string) => {
    const st = lstatSync(p);
    const rel = path.relative(dir, p) || '.';
    if (st.isSymbolicLink()) listing[rel] = `L ${readlinkSync(p)}`;
    else if (st.isFile()) listing[rel] = `F ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    else if (st.isDirectory()) {
      listing[rel] = `D ${st.mode}`;
      if (st.dev !== device && !(options.intoSubvolumes && !mountPoints.has(p))) return;
      for (const name of readdirSync(p).sort()) walk(path.join(p, name));
    } else listing[rel] = `O ${st.mode}`;
  };
  walk(dir);
  return listing;
}

/** The listing hashed: 'absent' when `dir` is not there. */
export function treeChecksum(dir: string, options: { intoSubvolumes?: boolean } = {}): string {
  if (!existsSync(dir)) return 'absent';
  return createHash('sha256')
    .update(JSON.stringify(treeListing(dir, options)))
    .digest('hex');
}

/** `--ignore-pid 1` where this sandbox hides pid 1's working directory even from root (a real host does not); nothing else is exempt. */
export function hiddenPids(): string[] {
  try {
    readlinkSync('/proc/1/cwd');
    return [];
  } catch {
    return ['--ignore-pid', '1'];
  }
}

/**
 * The files a process and its descendants hold open (dockerd, its containerd, the shims): their
 * databases (containerd's meta.db, libnetwork's local-kv.db, BuildKit's) change by their own hand
 * whenever their garbage collectors run, which a slow machine delays into a test's window.
 */
export function heldOpenBy(pid: number): Set<string> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, parent] of parents) {
      if (tree.has(parent) && !tree.has(child)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  const held = new Set<string>();
  for (const member of tree) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${member}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        held.add(readlinkSync(`/proc/${member}/fd/${fd}`));
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return held;
}

/** A listing of `dir` with the contents of the `held` files (absolute paths) left out: their paths stay. */
export function withoutContentsOf(listing: Record<string, string>, dir: string, held: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(listing).map(([rel, entry]) => [rel, held.has(path.join(dir, rel)) ? 'held open' : entry]));
}
