import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { isAlive, startLogged, stopPid, untilAnswering, waitFor } from './processes';

const run = promisify(execFile);

export interface DaemonOptions {
  /** Extra dockerd arguments, such as ['--storage-driver', 'overlay']. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** The daemon.json it reads (--config-file); `{}` unless said. */
  daemonJson?: string | Buffer;
  /**
   * Held by systemd-socket-activate, as systemd's docker.socket holds /run/docker.sock: the socket listens
   * at once and dockerd (--host fd://) starts at the first connection. start() does not connect.
   */
  socketActivated?: boolean;
}

/** Where scripts/fetch-test-engines unpacks the newer engines. */
export const ENGINES_DIR = process.env['DDE_ENGINES'] ?? '/opt/dde-engines';

/** The dockerd versions the tests run: Debian's own (the system's) and the unpacked ones. */
export type DockerdVersion = 20 | 26 | 28;

/** PATH for a dockerd of `version`: its own dockerd, containerd and docker-init first; runc is the system's. */
export function pathFor(version: DockerdVersion): string {
  const system = process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin';
  if (version === 20) return system;
  const root = path.join(ENGINES_DIR, `docker${version}`);
  if (!existsSync(path.join(root, 'usr', 'sbin', 'dockerd')))
    throw new Error(`dockerd ${version} is not unpacked under ${root}: run scripts/fetch-test-engines (install-test-packages does)`);
  return `${path.join(root, 'usr', 'sbin')}:${path.join(root, 'usr', 'bin')}:${system}`;
}

/**
 * A real dockerd on a private socket, data root, exec root and pid file under
 * `dir`. It never touches the default bridge (`--bridge none`) or iptables, so
 * it can run beside another daemon. `--debug` makes it log every API call.
 */
export class TestDaemon {
  readonly socket: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidFile: string;
  readonly logFile: string;
  pid: number | undefined;

  /** `version`: which dockerd runs here (20: Debian bookworm's, the system's; 26 and 28: unpacked by scripts/fetch-test-engines). */
  constructor(
    readonly dir: string,
    readonly version: DockerdVersion = 20,
  ) {
    this.socket = path.join(dir, 'docker.sock');
    this.dataRoot = path.join(dir, 'root');
    this.execRoot = path.join(dir, 'exec');
    this.pidFile = path.join(dir, 'docker.pid');
    this.logFile = path.join(dir, 'dockerd.log');
    mkdirSync(dir, { recursive: true });
  }

  /** The daemon.json this daemon reads. */
  get configFile(): string {
    return path.join(this.dir, 'no-daemon.json');
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  async start(options: DaemonOptions = {}): Promise<void> {
    const args = [
      '--debug',
      '--host',
      options.socketActivated ? 'fd://' : this.host,
      '--data-root',
      this.dataRoot,
      '--exec-root',
      this.execRoot,
      '--pidfile',
      this.pidFile,
      '--bridge',
      'none',
      '--iptables=false',
      '--ip-masq=false',
      '--config-file',
      this.configFile,
      ...(options.args ?? []),
    ];
    writeFileSync(this.configFile, options.daemonJson ?? '{}');
    const env = { ...process.env, PATH: pathFor(this.version), ...options.env };
    if (options.socketActivated) {
      // The activator execs dockerd in its own process at the first connection: one pid, stopped either way.
      const activator = startLogged('systemd-socket-activate', ['--listen', this.socket, 'dockerd', ...args], this.logFile, env);
      this.pid = activator.pid;
      await waitFor('systemd-socket-activate to listen', () => (/Listening on/.test(this.logTail()) ? true : undefined), 10000, 25);
      return;
    }
    const child = startLogged('dockerd', args, this.logFile, env);
    this.pid = child.pid;
    try {
      await untilAnswering(
        child,
        'dockerd',
        `${this.socket} (log: ${this.logFile})`,
        () => ping(this.socket),
        () => this.logTail(),
      );
    } catch (err) {
      this.pid = undefined;
      throw err;
    }
  }

  /**
   * Stops the daemon, and removes the bridge interfaces of the networks it
   * made: they outlive it in the host's network namespace, and enough of them
   * exhaust the address pools of the next daemon.
   */
  async stop(): Promise<void> {
    const bridges = this.pid && isAlive(this.pid) ? await this.userBridges() : [];
    await stopPid(this.pid);
    this.pid = undefined;
    for (const bridge of bridges) {
      try {
        execFileSync('ip', ['link', 'delete', bridge], { stdio: 'ignore' });
      } catch {
        // Not there: the daemon removed it, or it never came up.
      }
    }
  }

  /** Interfaces of this daemon's user-defined bridge networks (br-<12 hex of the network id>). */
  private async userBridges(): Promise<string[]> {
    try {
      const lines = (await this.docker('network', 'ls', '--no-trunc', '--filter', 'driver=bridge', '--format', '{{.ID}} {{.Name}}')).split(
        '\n',
      );
      return lines.filter((l) => l && !l.endsWith(' bridge')).map((l) => `br-${l.slice(0, 12)}`);
    } catch {
      return [];
    }
  }

  /** Stops the daemon, unmounts what it left mounted under its directory (netns, overlay) and removes the directory. */
  async destroy(): Promise<void> {
    await this.stop();
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** After a SIGKILL: ends the daemon's orphaned containerd and forgets its pid file, so a new daemon starts its own. */
  clearOrphanedContainerd(): void {
    const pidFile = path.join(this.execRoot, 'containerd', 'containerd.pid');
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(pidFile, { force: true });
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** API calls the daemon logged, such as "GET /v1.41/info" or "GET /info". */
  apiCalls(): string[] {
    const text = readFileSync(this.logFile, 'utf8');
    return [...text.matchAll(/msg="Calling (\w+ [^"]+)"/g)].map((m) => m[1] ?? '');
  }

  async docker(...args: string[]): Promise<string> {
    const { stdout } = await run('docker', ['--host', this.host, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  }

  /** Imports the static busybox as `busybox:test`: no registry needed. */
  importBusybox(): Promise<void> {
    return importBusybox(this.host, this.dir);
  }
}

/** Imports the static busybox as `busybox:test` into the daemon at `host`, from a root filesystem made under `dir`. */
export async function importBusybox(host: string, dir: string): Promise<void> {
  const rootfs = path.join(dir, 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  writeFileSync(path.join(rootfs, 'bin', 'busybox'), readFileSync('/bin/busybox'));
  chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'sleep', 'true']) symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  await run('sh', ['-c', `tar -C '${rootfs}' -c . | docker --host '${host}' import - busybox:test`]);
}

/** Mount points at or below `dir`, deepest first, from /proc/self/mountinfo. */
export function mountsUnder(dir: string): string[] {
  const prefix = path.resolve(dir);
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((mountPoint) => mountPoint === prefix || mountPoint.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir` (lazily: a daemon that just stopped may still hold a mount busy). */
export function unmountUnder(dir: string): void {
  for (const mountPoint of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
    } catch {
      // Gone with its parent already.
    }
  }
}

export function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** One Engine API call from a test or bench (not from the exporter): creating containers fast, without a CLI process each. */
export function engineRequest(socketPath: string, method: string, apiPath: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: apiPath, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        (res.statusCode ?? 500) < 300
          ? resolve(text ? JSON.parse(text) : undefined)
          : reject(new Error(`${method} ${apiPath}: ${res.statusCode} ${text}`)),
      );
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
