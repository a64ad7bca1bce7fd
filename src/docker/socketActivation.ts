import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { isDockerd, splitNul } from '../parse/daemonCommandLine';
import { parseUnixSockets } from '../parse/unixSockets';
import { readTrimmed } from '../util/files';
import { EngineApi, EngineError } from './engineApi';

/**
 * Programs that hold a socket for another to be started at its first connection: systemd (docker.socket,
 * always there on NixOS) and systemd-socket-activate. /proc/<pid>/comm is cut at 15 characters.
 */
const ACTIVATORS = new Set(['systemd', 'systemd-socket-']);

export interface WakeCheckOptions {
  /** The unix socket the exporter would connect to. */
  socketPath: string;
  /** dockerd's pid file (--docker.pid-file). */
  pidFile: string;
  /** Where /proc is; tests point it elsewhere. */
  procRoot?: string;
}

/** Who holds a listening socket: a pid and its command name. */
interface Holder {
  pid: number;
  command: string;
}

/**
 * Why connecting to the socket now would start a stopped daemon, or undefined when it would not: the
 * pid file names no running dockerd, the socket listens, and only socket activators hold it (systemd
 * keeps docker.socket open while docker.service is stopped, and starts dockerd at the next connection:
 * a scrape every 15 s undid an operator's `systemctl stop docker` for the migration).
 *
 * Any doubt connects, as before: a socket nobody listens on, holders that cannot be seen (an exporter
 * without root or CAP_SYS_PTRACE cannot read pid 1's descriptors), a holder that is the daemon.
 */
export function wakingReason(options: WakeCheckOptions): string | undefined {
  const procRoot = options.procRoot ?? '/proc';
  const running = dockerdOfPidFile(options.pidFile, procRoot);
  if (running !== undefined) return undefined;
  const inodes = listeningInodes(options.socketPath, procRoot);
  if (inodes.size === 0) return undefined;
  // The activators' descriptors first: only where one holds the socket are every process's read (a host's
  // thousands of processes and their descriptors, to see whether the daemon holds it too).
  if (holdersOf(inodes, procRoot, (command) => ACTIVATORS.has(command)).length === 0) return undefined;
  const holders = holdersOf(inodes, procRoot, () => true);
  if (holders.length === 0 || !holders.every((h) => ACTIVATORS.has(h.command))) return undefined;
  const named = holders.map((h) => `${h.command} (pid ${h.pid})`).join(', ');
  return `dockerd is not running (no live dockerd in ${options.pidFile}) and ${options.socketPath} is held by ${named} for socket activation: not connecting, which would start it (--docker.wake-socket-activated allows it)`;
}

/** The pid of the running dockerd the pid file names; undefined when it names none. */
function dockerdOfPidFile(pidFile: string, procRoot: string): number | undefined {
  const text = readTrimmed(pidFile);
  if (!text || !/^\d+$/.test(text)) return undefined;
  try {
    const argv = splitNul(readFileSync(path.join(procRoot, text, 'cmdline'), 'utf8'));
    return isDockerd(argv[0] ?? '') ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The inodes of the listening sockets bound to the path, as given or with its directory's symlinks resolved (/var/run is /run). */
function listeningInodes(socketPath: string, procRoot: string): Set<string> {
  const names = new Set([socketPath]);
  try {
    names.add(path.join(realpathSync(path.dirname(socketPath)), path.basename(socketPath)));
  } catch {
    // No such directory: only the name as given.
  }
  let text: string;
  try {
    text = readFileSync(path.join(procRoot, 'net', 'unix'), 'utf8');
  } catch {
    return new Set();
  }
  return new Set(
    parseUnixSockets(text)
      .filter((s) => s.listening && names.has(s.path))
      .map((s) => s.inode),
  );
}

/** The processes holding one of the sockets, among those whose command is asked for and whose descriptors this process may read. */
function holdersOf(inodes: ReadonlySet<string>, procRoot: string, asked: (command: string) => boolean): Holder[] {
  const links = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const holders: Holder[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const command = readTrimmed(path.join(procRoot, entry, 'comm')) ?? '?';
    if (!asked(command)) continue;
    let fds: string[];
    try {
      fds = readdirSync(path.join(procRoot, entry, 'fd'));
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return links.has(readlinkSync(path.join(procRoot, entry, 'fd', fd)));
      } catch {
        return false;
      }
    });
    if (holds) holders.push({ pid: Number(entry), command });
  }
  return holders;
}

/** How long one look at the socket's holders answers for. */
const LOOK_VALID_MS = 500;

/**
 * The Engine API, asking `wakingReason` before every connection it opens (GETs and the event stream):
 * while a connection would start a stopped socket-activated daemon, each request fails as not_woken with
 * the reason, and the daemon shows as down. The check reads /proc: a few files while dockerd runs.
 */
export function withoutWaking(api: EngineApi, reason: () => string | undefined, now: () => number = Date.now): EngineApi {
  // One look serves the requests of one collection (they leave within milliseconds of each other).
  let looked: { at: number; why: string | undefined } | undefined;
  const refusal = (path: string): EngineError | undefined => {
    if (!looked || now() - looked.at > LOOK_VALID_MS) looked = { at: now(), why: reason() };
    const why = looked.why;
    return why === undefined ? undefined : new EngineError(`GET ${path}: ${why}`, 'not_woken');
  };
  return {
    get: (path) => {
      const refused = refusal(path);
      return refused ? Promise.reject(refused) : api.get(path);
    },
    getEach: (path, onItem) => {
      const refused = refusal(path);
      return refused ? Promise.reject(refused) : api.getEach(path, onItem);
    },
    stream: (path, handlers) => {
      const refused = refusal(path);
      if (!refused) return api.stream(path, handlers);
      // Called back later, as a failed connection would be: the caller has its handle first.
      const later = setImmediate(() => handlers.onClose(refused.message));
      return { close: () => clearImmediate(later) };
    },
  };
}
