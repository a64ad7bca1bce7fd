import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { MountEntry, parseMountInfo } from '../parse/mountInfo';
import { listDir, readTrimmed } from '../util/files';

/** Mount points, from /proc/self/mountinfo. */
export function mountPoints(procRoot = '/proc'): string[] {
  return parseMountInfo(readFileSync(path.join(procRoot, 'self', 'mountinfo'), 'utf8')).map((m) => m.mountPoint);
}

/** Files backing loop devices: /sys/block/loop<N>/loop/backing_file (devicemapper's loop-lvm files are exactly that). */
export function loopBackingFiles(sysRoot = '/sys'): string[] {
  return listDir(path.join(sysRoot, 'block'))
    .filter((name) => name.startsWith('loop'))
    .map((name) => readTrimmed(path.join(sysRoot, 'block', name, 'loop', 'backing_file')))
    .filter((file): file is string => file !== undefined && file !== '')
    .map((file) => file.replace(/ \(deleted\)$/, ''));
}

/** Names of active device-mapper devices: /sys/block/dm-<N>/dm/name. */
export function deviceMapperNames(sysRoot = '/sys'): string[] {
  return listDir(path.join(sysRoot, 'block'))
    .filter((name) => name.startsWith('dm-'))
    .map((name) => readTrimmed(path.join(sysRoot, 'block', name, 'dm', 'name')))
    .filter((name): name is string => name !== undefined && name !== '');
}

/**
 * Every process's working directory and open files below `under`
 * (/proc/<pid>/cwd, /proc/<pid>/fd/*). Processes this one may not look into
 * are reported as such, so that the guard can refuse rather than assume.
 */
export function openPathsUnder(
  under: string,
  procRoot = '/proc',
  pids?: readonly string[],
): { open: { pid: number; path: string; command: string }[]; unreadable: string[] } {
  const open: { pid: number; path: string; command: string }[] = [];
  const unreadable: string[] = [];
  const prefix = under.endsWith('/') ? under : `${under}/`;
  const below = (p: string) => p === under || p.startsWith(prefix);
  for (const entry of pids ?? listDir(procRoot)) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const base = path.join(procRoot, entry);
    const command = readTrimmed(path.join(base, 'comm')) ?? '?';
    try {
      const cwd = readlinkSync(path.join(base, 'cwd'));
      if (below(cwd)) open.push({ pid: Number(entry), path: cwd, command });
      for (const fd of readdirSync(path.join(base, 'fd'))) {
        let target: string;
        try {
          target = readlinkSync(path.join(base, 'fd', fd));
        } catch {
          continue;
        }
        if (below(target.replace(/ \(deleted\)$/, ''))) open.push({ pid: Number(entry), path: target, command });
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Gone meanwhile, or a kernel thread: nothing open. Not allowed to look: say so.
      if (code === 'EACCES' || code === 'EPERM') unreadable.push(`${entry} (${command})`);
    }
  }
  return { open, unreadable };
}

/**
 * The same, looking twice at processes it could not look into: a process in
 * the middle of an exec is briefly closed even to root. Those still closed
 * the second time are reported.
 */
export async function openPathsUnderSettled(
  under: string,
  procRoot = '/proc',
): Promise<{ open: { pid: number; path: string; command: string }[]; unreadable: string[] }> {
  const first = openPathsUnder(under, procRoot);
  if (first.unreadable.length === 0) return first;
  await new Promise((resolve) => setTimeout(resolve, 250));
  const again = openPathsUnder(
    under,
    procRoot,
    first.unreadable.map((u) => u.split(' ')[0] ?? ''),
  );
  return { open: [...first.open, ...again.open], unreadable: again.unreadable };
}

/**
 * The mount tables of every mount namespace this process can read: its own,
 * then one per other namespace (/proc/<pid>/mountinfo, one pid per
 * /proc/<pid>/ns/mnt). A container's bind mount of the old driver's data lives
 * only in the container's namespace.
 */
export function allMountTables(procRoot = '/proc'): { namespace: string; entries: MountEntry[] }[] {
  const seen = new Set<string>();
  const tables: { namespace: string; entries: MountEntry[] }[] = [];
  for (const entry of ['self', ...listDir(procRoot).filter((e) => /^\d+$/.test(e))]) {
    let ns: string;
    let text: string;
    try {
      ns = readlinkSync(path.join(procRoot, entry, 'ns', 'mnt'));
      if (seen.has(ns)) continue;
      text = readFileSync(path.join(procRoot, entry, 'mountinfo'), 'utf8');
    } catch {
      continue;
    }
    seen.add(ns);
    tables.push({ namespace: entry === 'self' ? 'this process' : `process ${entry}`, entries: parseMountInfo(text) });
  }
  return tables;
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
