import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** The TCP ports listening sockets are bound to, by socket inode, from /proc/<pid>/net/tcp and tcp6 (pure). */
export function listeningSockets(tables: readonly string[]): Map<number, number> {
  const byInode = new Map<number, number>();
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      if (fields[3] !== '0A') continue;
      const port = parseInt((fields[1] ?? '').split(':')[1] ?? '', 16);
      const inode = Number(fields[9]);
      if (Number.isFinite(port) && inode > 0) byInode.set(inode, port);
    }
  }
  return byInode;
}

function children(procRoot: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(path.join(procRoot, entry, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(ppid, [...(out.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/**
 * The TCP ports a container's processes listen on: its init process
 * (State.Pid) and every descendant, their socket inodes matched against the
 * listening sockets of its network namespace. For a host-network container
 * that is the host's table, so matching by inode is what tells its own ports.
 */
export function containerListeningPorts(pid: number, procRoot = '/proc'): number[] {
  if (!pid) return [];
  let tables: string[];
  try {
    tables = ['tcp', 'tcp6'].map((t) => readFileSync(path.join(procRoot, String(pid), 'net', t), 'utf8'));
  } catch {
    return [];
  }
  const listening = listeningSockets(tables);
  const tree = children(procRoot);
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) pids.push(...(tree.get(pids[i] as number) ?? []));
  const ports = new Set<number>();
  for (const p of pids) {
    let fds: string[];
    try {
      fds = readdirSync(path.join(procRoot, String(p), 'fd'));
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(path.join(procRoot, String(p), 'fd', fd)))?.[1];
        const port = inode ? listening.get(Number(inode)) : undefined;
        if (port !== undefined) ports.add(port);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}
