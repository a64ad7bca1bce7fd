import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** Mount points, from /proc/self/mountinfo (octal escapes undone). */
export function mountPoints(procRoot = '/proc'): string[] {
  return readFileSync(path.join(procRoot, 'self', 'mountinfo'), 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\(\d{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((mountPoint) => mountPoint !== '');
}

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Files backing loop devices: /sys/block/loop<N>/loop/backing_file (devicemapper's loop-lvm files are exactly that). */
export function loopBackingFiles(sysRoot = '/sys'): string[] {
  return readDir(path.join(sysRoot, 'block'))
    .filter((name) => name.startsWith('loop'))
    .map((name) => readTrimmed(path.join(sysRoot, 'block', name, 'loop', 'backing_file')))
    .filter((file): file is string => file !== undefined && file !== '')
    .map((file) => file.replace(/ \(deleted\)$/, ''));
}

/** Names of active device-mapper devices: /sys/block/dm-<N>/dm/name. */
export function deviceMapperNames(sysRoot = '/sys'): string[] {
  return readDir(path.join(sysRoot, 'block'))
    .filter((name) => name.startsWith('dm-'))
    .map((name) => readTrimmed(path.join(sysRoot, 'block', name, 'dm', 'name')))
    .filter((name): name is string => name !== undefined && name !== '');
}

/**
 * Every process's working directory and open files below `under`
 * (/proc/<pid>/cwd, /proc/<pid>/fd/*). Processes this one may not look into
 * are reported as such, so that the guard can refuse rather than assume.
 */
export function openPathsUnder(under: string, procRoot = '/proc', pids?: readonly string[]): { open: { pid: number; path: string; command: string }[]; unreadable: string[] } {
  const open: { pid: number; path: string; command: string }[] = [];
  const unreadable: string[] = [];
  const prefix = under.endsWith('/') ? under : `${under}/`;
  const below = (p: string) => p === under || p.startsWith(prefix);
  for (const entry of pids ?? readDir(procRoot)) {
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
export async function openPathsUnderSettled(under: string, procRoot = '/proc'): Promise<{ open: { pid: number; path: string; command: string }[]; unreadable: string[] }> {
  const first = openPathsUnder(under, procRoot);
  if (first.unreadable.length === 0) return first;
  await new Promise((resolve) => setTimeout(resolve, 250));
  const again = openPathsUnder(under, procRoot, first.unreadable.map((u) => u.split(' ')[0] ?? ''));
  return { open: [...first.open, ...again.open], unreadable: again.unreadable };
}
