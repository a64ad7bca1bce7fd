/** A unix socket of /proc/net/unix: its inode (as /proc/<pid>/fd shows it, socket:[inode]), whether it listens, its path. */
export interface UnixSocket {
  inode: string;
  listening: boolean;
  /** The path it is bound to; empty when unbound, "@…" for an abstract one. */
  path: string;
}

/** __SO_ACCEPTCON in the Flags column: the socket listens (net/unix/af_unix.c unix_seq_show). */
const ACCEPTING = 0x10000;

/**
 * Parses /proc/net/unix (proc(5)): "Num RefCount Protocol Flags Type St Inode Path". The kernel
 * prints the path unescaped, so it is everything after the seventh field, spaces and all.
 */
export function parseUnixSockets(text: string): UnixSocket[] {
  const sockets: UnixSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const match = /^\s*\S+:\s+\S+\s+\S+\s+([0-9A-Fa-f]+)\s+\S+\s+\S+\s+(\d+)(?: (.*))?$/.exec(line);
    if (!match) continue;
    sockets.push({
      inode: match[2] ?? '',
      listening: (parseInt(match[1] ?? '0', 16) & ACCEPTING) !== 0,
      path: match[3] ?? '',
    });
  }
  return sockets;
}
