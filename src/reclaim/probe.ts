import { readdirSync, readFileSync, readlinkSync, statfsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { MountEntry, parseMountInfo } from '../parse/mountInfo';
import { errorCode } from '../util/errors';
import { isInside } from './guards';
import { readTrimmed, tryListDir, tryReadTrimmed } from '../util/files';

/**
 * What a guard could not look at: a guard that could not look refuses, it never takes "unreadable"
 * for "nothing there". `pid` when it is one process's (--ignore-pid may accept it).
 */
export interface Unlooked {
  what: string;
  pid?: number;
}

/** What a probe found, and what it could not look at. */
export interface Looked<T> {
  found: T;
  unreadable: Unlooked[];
}

/** A process's working directory or open file below the directory looked at. */
export interface OpenPath {
  pid: number;
  path: string;
  command: string;
}

export interface OpenPaths {
  open: OpenPath[];
  unreadable: Unlooked[];
}

/** Mount points, from /proc/self/mountinfo. */
export function mountPoints(procRoot = '/proc'): string[] {
  return parseMountInfo(readFileSync(path.join(procRoot, 'self', 'mountinfo'), 'utf8')).map((m) => m.mountPoint);
}

/** Files backing loop devices: /sys/block/loop<N>/loop/backing_file (devicemapper's loop-lvm files are exactly that). */
export function loopBackingFiles(sysRoot = '/sys', expectSysfs = true): Looked<string[]> {
  return blockDeviceFiles(sysRoot, expectSysfs, 'loop', path.join('loop', 'backing_file'), (file) => file.replace(/ \(deleted\)$/, ''));
}

/** Names of active device-mapper devices: /sys/block/dm-<N>/dm/name. */
export function deviceMapperNames(sysRoot = '/sys', expectSysfs = true): Looked<string[]> {
  return blockDeviceFiles(sysRoot, expectSysfs, 'dm-', path.join('dm', 'name'), (name) => name);
}

/** statfs f_type of sysfs (linux/magic.h SYSFS_MAGIC). */
const SYSFS_MAGIC = 0x62656572;

/**
 * One sysfs file of each block device whose name starts with `prefix`. A device without the file
 * (a loop device bound to nothing) has nothing to say; /sys/block itself missing or unreadable, or a
 * file that is there but unreadable, is a look that failed.
 */
function blockDeviceFiles(
  sysRoot: string,
  expectSysfs: boolean,
  prefix: string,
  file: string,
  clean: (text: string) => string,
): Looked<string[]> {
  const block = path.join(sysRoot, 'block');
  const listing = tryListDir(block);
  if (!('names' in listing)) return { found: [], unreadable: [{ what: `${block} (${'error' in listing ? listing.error : 'missing'})` }] };
  // An empty directory mounted over it (a private mount namespace, a container) lists fine and says nothing.
  if (expectSysfs) {
    let type: number | string;
    try {
      type = statfsSync(block).type;
    } catch (err) {
      type = errorCode(err);
    }
    if (type !== SYSFS_MAGIC) {
      return {
        found: [],
        unreadable: [{ what: `${block} (not sysfs: ${typeof type === 'number' ? `filesystem type 0x${type.toString(16)}` : type})` }],
      };
    }
  }
  const found: string[] = [];
  const unreadable: Unlooked[] = [];
  for (const name of listing.names.filter((n) => n.startsWith(prefix))) {
    const at = path.join(block, name, file);
    const reading = tryReadTrimmed(at);
    if ('error' in reading) unreadable.push({ what: `${at} (${reading.error})` });
    else if ('text' in reading && reading.text !== '') found.push(clean(reading.text));
  }
  return { found, unreadable };
}

/**
 * Every process's working directory and open files below `under`
 * (/proc/<pid>/cwd, /proc/<pid>/fd/*). Processes this one may not look into
 * are reported as such, so that the guard can refuse rather than assume.
 * A path is matched by what it is, not by how the process names it: a file
 * reached through a bind mount of a parent of `under` (or from another mount
 * namespace) is found by walking up its directories, through the process's
 * own root, to the directory with `under`'s device and inode; it is reported
 * as the path below `under` it is.
 */
export function openPathsUnder(under: string, procRoot = '/proc', pids?: readonly string[]): OpenPaths {
  const open: OpenPath[] = [];
  const unreadable: Unlooked[] = [];
  let underId: { dev: number; ino: number } | undefined;
  try {
    const st = statSync(under);
    underId = { dev: st.dev, ino: st.ino };
  } catch (err) {
    unreadable.push({ what: `${under} itself (${errorCode(err)})` });
  }
  let entries = pids;
  if (!entries) {
    const listing = tryListDir(procRoot);
    if (!('names' in listing))
      return { open, unreadable: [...unreadable, { what: `${procRoot} (${'error' in listing ? listing.error : 'missing'})` }] };
    entries = listing.names;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const base = path.join(procRoot, entry);
    const command = readTrimmed(path.join(base, 'comm')) ?? '?';
    /** `target` as the process names it, or the path below `under` it really is; undefined when outside. */
    const belowUnder = (target: string, viaLink: string): string | undefined => {
      const clean = target.replace(/ \(deleted\)$/, '');
      if (isInside(under, clean)) return clean;
      if (!underId || !clean.startsWith('/')) return undefined;
      return reachedThrough(path.join(base, 'root'), clean, viaLink, under, underId);
    };
    try {
      const cwd = readlinkSync(path.join(base, 'cwd'));
      const cwdInside = belowUnder(cwd, path.join(base, 'cwd'));
      if (cwdInside) open.push({ pid: Number(entry), path: cwdInside, command });
      for (const fd of readdirSync(path.join(base, 'fd'))) {
        let target: string;
        try {
          target = readlinkSync(path.join(base, 'fd', fd));
        } catch {
          continue;
        }
        const fdInside = belowUnder(target, path.join(base, 'fd', fd));
        if (fdInside) open.push({ pid: Number(entry), path: fdInside, command });
      }
    } catch (err) {
      const code = errorCode(err);
      // Gone meanwhile, or a kernel thread: nothing open. Not allowed to look: say so.
      if (code === 'EACCES' || code === 'EPERM') unreadable.push({ what: `${entry} (${command})`, pid: Number(entry) });
    }
  }
  return { open, unreadable };
}

/**
 * Whether the file a process holds (`viaLink`, its /proc link; `target`, the path it names it by)
 * lies below the directory `underId`: only files on that directory's device can, so the others
 * cost one stat. Its ancestors are looked up through the process's own root (`procRootDir`), so a
 * path in another mount namespace resolves as the process sees it.
 */
function reachedThrough(
  procRootDir: string,
  target: string,
  viaLink: string,
  under: string,
  underId: { dev: number; ino: number },
): string | undefined {
  try {
    const held = statSync(viaLink);
    if (held.dev !== underId.dev) return undefined;
    if (held.ino === underId.ino) return under;
  } catch {
    return undefined;
  }
  let dir = target;
  while (dir !== '/' && dir !== '.') {
    const parent = path.dirname(dir);
    try {
      const st = statSync(path.join(procRootDir, parent));
      if (st.dev === underId.dev && st.ino === underId.ino) return path.join(under, target.slice(parent.length));
    } catch {
      // Renamed or unreachable meanwhile: look further up.
    }
    dir = parent;
  }
  return undefined;
}

/**
 * The same, looking twice at processes it could not look into: a process in
 * the middle of an exec is briefly closed even to root. Those still closed
 * the second time are reported.
 */
export async function openPathsUnderSettled(under: string, procRoot = '/proc'): Promise<OpenPaths> {
  const first = openPathsUnder(under, procRoot);
  if (first.unreadable.length === 0) return first;
  await new Promise((resolve) => setTimeout(resolve, 250));
  const closed = first.unreadable.flatMap((u) => (u.pid === undefined ? [] : [String(u.pid)]));
  const again = closed.length > 0 ? openPathsUnder(under, procRoot, closed) : { open: [], unreadable: [] };
  // What was no process (the directory itself, /proc) is not looked at again: it stays unlooked.
  return {
    open: [...first.open, ...again.open],
    unreadable: [...first.unreadable.filter((u) => u.pid === undefined), ...again.unreadable.filter((u) => u.pid !== undefined)],
  };
}

/**
 * The mount tables of every mount namespace this process can read: its own,
 * then one per other namespace (/proc/<pid>/mountinfo, one pid per
 * /proc/<pid>/ns/mnt). A container's bind mount of the old driver's data lives
 * only in the container's namespace.
 */
export function allMountTables(procRoot = '/proc'): Looked<{ namespace: string; entries: MountEntry[] }[]> {
  const seen = new Set<string>();
  const found: { namespace: string; entries: MountEntry[] }[] = [];
  const unreadable: Unlooked[] = [];
  const listing = tryListDir(procRoot);
  if (!('names' in listing)) unreadable.push({ what: `${procRoot} (${'error' in listing ? listing.error : 'missing'})` });
  const pids = 'names' in listing ? listing.names.filter((e) => /^\d+$/.test(e)) : [];
  for (const entry of ['self', ...pids]) {
    let ns: string;
    let text: string;
    try {
      ns = readlinkSync(path.join(procRoot, entry, 'ns', 'mnt'));
      if (seen.has(ns)) continue;
      text = readFileSync(path.join(procRoot, entry, 'mountinfo'), 'utf8');
    } catch (err) {
      const code = errorCode(err);
      // A process gone meanwhile (or a kernel thread) has no mount table to miss; one closed to us does.
      if (code === 'EACCES' || code === 'EPERM') {
        unreadable.push({ what: `the mount table of process ${entry} (${code})`, ...(entry === 'self' ? {} : { pid: Number(entry) }) });
      }
      continue;
    }
    seen.add(ns);
    found.push({ namespace: entry === 'self' ? 'this process' : `process ${entry}`, entries: parseMountInfo(text) });
  }
  return { found, unreadable };
}

/**
 * Every directory some mount uses, as a path this process sees: a mount's
 * source directory (its filesystem's directory, found where this process has
 * that filesystem mounted) and an overlay's lowerdir, upperdir and workdir.
 * `own` is this process's mount table.
 */
export function mountSources(
  tables: readonly { namespace: string; entries: MountEntry[] }[],
  own: readonly MountEntry[],
): { what: string; path: string }[] {
  const out: { what: string; path: string }[] = [];
  // Every place this process sees that directory of that filesystem: through each mount of it whose directory holds it.
  const visible = (device: string, fsRoot: string): string[] =>
    own
      .filter((m) => m.device === device && (fsRoot === m.fsRoot || fsRoot.startsWith(m.fsRoot === '/' ? '/' : `${m.fsRoot}/`)))
      .map((m) => path.join(m.mountPoint, path.relative(m.fsRoot, fsRoot)));
  for (const { namespace, entries } of tables) {
    for (const m of entries) {
      const what = `the ${m.fsType} mount at ${m.mountPoint} (${namespace})`;
      if (m.fsRoot !== '/') for (const source of visible(m.device, m.fsRoot)) out.push({ what, path: source });
      if (m.fsType === 'overlay') {
        for (const option of m.superOptions.split(',')) {
          const [key, value] = option.split('=');
          if ((key === 'lowerdir' || key === 'upperdir' || key === 'workdir') && value) {
            for (const dir of value.split(':')) if (dir.startsWith('/')) out.push({ what: `${what}, its ${key}`, path: dir });
          }
        }
      }
    }
  }
  return out;
}

/** A process's start time (/proc/<pid>/stat, field 22): the same pid with another start time is another process. */
export function processStartTime(pid: number, procRoot = '/proc'): string | undefined {
  const stat = readTrimmed(path.join(procRoot, String(pid), 'stat'));
  // The command (field 2) is in parentheses and may hold spaces.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields?.[19];
}
