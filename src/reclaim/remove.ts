import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorCode, errorMessage } from '../util/errors';

export interface RemoveReport {
  /** Entries removed (files, links, directories), across all paths. */
  removed: number;
  /** Paths removed whole. */
  done: string[];
  /** The first error; nothing was removed after it. */
  error?: { path: string; message: string };
  /** Why removal stopped before a path: a guard that no longer holds. */
  refused?: string;
}

class Stop extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
/** A directory, never through a symbolic link in its last component. */
const DIRECTORY = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

/**
 * `name` inside the directory open as `fd`. Node has no openat or unlinkat;
 * /proc/self/fd/<fd> is the directory that descriptor holds, whatever has
 * been renamed or swapped for a symbolic link since, so a name looked up
 * under it is looked up in that very directory (the kernel's "magic link").
 */
const at = (fd: number, name: string) => `/proc/self/fd/${fd}/${name}`;

/** The mount a descriptor lies on (/proc/self/fdinfo: mnt_id). btrfs subvolumes have device numbers of their own but share their mount. */
function mountIdOf(fd: number): string {
  const match = /^mnt_id:\s*(\d+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  if (!match?.[1]) throw new Error(`no mnt_id in /proc/self/fdinfo/${fd}`);
  return match[1];
}

/**
 * Removes `paths`, each inside `root`, deepest first, without ever following
 * a symbolic link and without letting a concurrent rename or swap redirect
 * it: the data root is opened once; every directory below it is opened by
 * name inside its already-open parent, refusing symbolic links (O_NOFOLLOW),
 * and checked to be the inode just looked at; entries are unlinked inside the
 * directory descriptor that listed them. Files and links are unlinked,
 * directories removed once empty (an empty btrfs subvolume too). It crosses
 * into btrfs subvolumes (same mount) but never into another mount: meeting one
 * stops everything (the guards refuse those before). The first error stops
 * it, with a report of what was removed. `beforeEach` is asked before each
 * path; a reason from it stops removal there.
 */
export async function removePaths(
  root: string,
  paths: readonly string[],
  beforeEach?: (target: string) => Promise<string | undefined>,
  checkedRoot?: { dev: number; ino: number },
): Promise<RemoveReport> {
  const report: RemoveReport = { removed: 0, done: [] };
  let rootFd: number;
  try {
    rootFd = fs.openSync(root, DIRECTORY);
  } catch (err) {
    report.error = { path: root, message: errorMessage(err) };
    return report;
  }
  try {
    // The guards looked at the data root by path; the path is opened again here. What it names now must
    // be what they looked at (a rename or a mount over it in between would make every guard moot).
    const opened = fs.fstatSync(rootFd);
    if (checkedRoot && (opened.dev !== checkedRoot.dev || opened.ino !== checkedRoot.ino)) {
      report.refused = `${root} is no longer the directory the guards looked at (device ${checkedRoot.dev} inode ${checkedRoot.ino}, now device ${opened.dev} inode ${opened.ino})`;
      return report;
    }
    const rootMount = mountIdOf(rootFd);
    for (const target of paths) {
      const refused = await beforeEach?.(target);
      if (refused) {
        report.refused = refused;
        return report;
      }
      try {
        removeOne(rootFd, rootMount, root, target, () => report.removed++);
        report.done.push(target);
      } catch (err) {
        report.error = err instanceof Stop ? { path: err.at, message: err.message } : { path: target, message: errorMessage(err) };
        return report;
      }
    }
    return report;
  } finally {
    fs.closeSync(rootFd);
  }
}

/** Opens `name` inside `parentFd` as a directory on the data root's mount, checked to be the inode `expected` when given. */
function openDirectory(parentFd: number, name: string, shown: string, rootMount: string, expected?: fs.Stats): number {
  let fd: number;
  try {
    fd = fs.openSync(at(parentFd, name), DIRECTORY);
  } catch (err) {
    throw new Stop(shown, `${errorMessage(err)} (not a directory any more, or a symbolic link: nothing is followed)`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (expected && (st.ino !== expected.ino || st.dev !== expected.dev))
      throw new Stop(shown, 'it changed while being removed (renamed or replaced): stopped');
    if (mountIdOf(fd) !== rootMount) throw new Stop(shown, 'another filesystem is mounted here; nothing on it is removed');
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err instanceof Stop ? err : new Stop(shown, errorMessage(err));
  }
}

function removeOne(rootFd: number, rootMount: string, root: string, target: string, counted: () => void): void {
  const parts = path.relative(root, target).split(path.sep);
  if (parts.length === 0 || parts[0] === '' || parts.includes('..') || path.isAbsolute(path.relative(root, target)))
    throw new Stop(target, `not inside ${root}`);
  const name = parts.pop() as string;
  // The parent, component by component from the data root, no link followed.
  let parentFd = rootFd;
  const opened: number[] = [];
  try {
    let shown = root;
    for (const part of parts) {
      shown = path.join(shown, part);
      parentFd = openDirectory(parentFd, part, shown, rootMount);
      opened.push(parentFd);
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at(parentFd, name));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return;
      throw new Stop(target, errorMessage(err));
    }
    if (st.isDirectory()) removeTree({ parentFd, name, shown: target, st, rootMount, counted });
    else unlinkIn(parentFd, name, target, counted);
  } finally {
    for (const fd of opened) fs.closeSync(fd);
  }
}

function unlinkIn(dirFd: number, name: string, shown: string, counted: () => void): void {
  try {
    fs.unlinkSync(at(dirFd, name));
    counted();
  } catch (err) {
    throw new Stop(shown, errorMessage(err));
  }
}

/** A directory to remove: where it is (its parent's descriptor and its name), as shown, as first seen. */
interface TreeToRemove {
  parentFd: number;
  name: string;
  /** Its path as messages show it. */
  shown: string;
  /** Its lstat, taken just before: the directory opened must be this one (same device and inode). */
  st: fs.Stats;
  /** The data root's mount id: nothing on another filesystem is removed. */
  rootMount: string;
  /** Called once per entry removed. */
  counted: () => void;
}

/** Post-order, with an explicit stack of open directories: data roots nest deep. */
function removeTree({ parentFd, name, shown, st, rootMount, counted }: TreeToRemove): void {
  interface Frame {
    fd: number;
    parentFd: number;
    name: string;
    shown: string;
    entries?: string[];
    next: number;
  }
  const stack: Frame[] = [{ fd: openDirectory(parentFd, name, shown, rootMount, st), parentFd, name, shown, next: 0 }];
  try {
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      if (!frame.entries) {
        try {
          frame.entries = fs.readdirSync(`/proc/self/fd/${frame.fd}`);
        } catch (err) {
          throw new Stop(frame.shown, errorMessage(err));
        }
      }
      const entry = frame.entries[frame.next++];
      if (entry !== undefined) {
        const entryShown = path.join(frame.shown, entry);
        let entryStat: fs.Stats;
        try {
          entryStat = fs.lstatSync(at(frame.fd, entry));
        } catch (err) {
          throw new Stop(entryShown, errorMessage(err));
        }
        if (entryStat.isDirectory()) {
          stack.push({
            fd: openDirectory(frame.fd, entry, entryShown, rootMount, entryStat),
            parentFd: frame.fd,
            name: entry,
            shown: entryShown,
            next: 0,
          });
        } else unlinkIn(frame.fd, entry, entryShown, counted);
        continue;
      }
      stack.pop();
      fs.closeSync(frame.fd);
      try {
        // Empty now; if it was swapped for a link or a full directory since, rmdir refuses (ENOTDIR, ENOTEMPTY).
        fs.rmdirSync(at(frame.parentFd, frame.name));
        counted();
      } catch (err) {
        throw new Stop(frame.shown, errorMessage(err));
      }
    }
  } finally {
    for (const frame of stack) fs.closeSync(frame.fd);
  }
}
