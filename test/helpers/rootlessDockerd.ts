import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { importBusybox, ping } from './dockerd';
import { isAlive, startLogged, stopPid, untilAnswering } from './processes';

/** The unprivileged user scripts/install-test-packages makes, with subordinate ids for RootlessKit. */
export const ROOTLESS_USER = 'dde-rootless';

/** Where Debian's docker.io puts the script (upstream installs it on PATH). */
const run = promisify(execFile);

const SCRIPTS = ['/usr/share/docker.io/contrib/dockerd-rootless.sh', '/usr/bin/dockerd-rootless.sh'];

function userIds(name: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(`no user ${name}: scripts/install-test-packages makes it (with subordinate ids for RootlessKit)`);
  }
}

/**
 * A real rootless dockerd as its users start it: dockerd-rootless.sh, run by
 * an unprivileged user, re-executes itself under RootlessKit (user and mount
 * namespaces) and execs dockerd, which takes its paths from its environment:
 * daemon.json from $XDG_CONFIG_HOME/docker, the data root from $HOME, socket
 * and pid file from $XDG_RUNTIME_DIR. The host network is shared
 * (DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host): this sandbox has no /dev/net/tun
 * for slirp4netns, and the exporter reads nothing of the daemon's network.
 */
export class TestRootlessDaemon {
  readonly home: string;
  readonly configHome: string;
  readonly runtimeDir: string;
  readonly logFile: string;
  /** The unprivileged user that runs it. */
  readonly user: { uid: number; gid: number };
  /** RootlessKit's parent: stopping it ends dockerd and containerd. */
  private kitPid: number | undefined;

  constructor(readonly dir: string) {
    this.user = userIds(ROOTLESS_USER);
    this.home = path.join(dir, 'home');
    this.configHome = path.join(this.home, '.config');
    this.runtimeDir = path.join(dir, 'run');
    this.logFile = path.join(dir, 'dockerd-rootless.log');
    // The temporary directory is root's (0700): the user needs to pass through it.
    chmodSync(dir, 0o711);
    for (const d of [this.home, this.configHome, path.join(this.configHome, 'docker'), this.runtimeDir]) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      chownSync(d, this.user.uid, this.user.gid);
    }
  }

  get configFile(): string {
    return path.join(this.configHome, 'docker', 'daemon.json');
  }
  get dataRoot(): string {
    return path.join(this.home, '.local', 'share', 'docker');
  }
  get socket(): string {
    return path.join(this.runtimeDir, 'docker.sock');
  }
  get host(): string {
    return `unix://${this.socket}`;
  }
  get pidFile(): string {
    return path.join(this.runtimeDir, 'docker.pid');
  }
  /** dockerd's own pid (the pid file's), not RootlessKit's. */
  get pid(): number | undefined {
    try {
      const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
      return pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes daemon.json (as its user would) and starts the daemon; rejects with its log when it exits instead. */
  async start(daemonJson: string): Promise<void> {
    writeFileSync(this.configFile, daemonJson);
    chownSync(this.configFile, this.user.uid, this.user.gid);
    const script = SCRIPTS.find((s) => existsSync(s));
    if (!script) throw new Error(`dockerd-rootless.sh is in none of ${SCRIPTS.join(', ')}`);
    const env = {
      HOME: this.home,
      XDG_CONFIG_HOME: this.configHome,
      XDG_RUNTIME_DIR: this.runtimeDir,
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      DOCKERD_ROOTLESS_ROOTLESSKIT_NET: 'host',
      DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER: 'none',
    };
    const child = startLogged('sh', [script, '--bridge', 'none', '--iptables=false'], this.logFile, env, this.user);
    this.kitPid = child.pid;
    try {
      await untilAnswering(
        child,
        'rootless dockerd',
        `${this.socket} (log: ${this.logFile})`,
        async () => (await ping(this.socket)) && this.pid !== undefined,
        () => this.logTail(),
      );
    } catch (err) {
      this.kitPid = undefined;
      throw err;
    }
  }

  /** dockerd first, so that it stops its containers (RootlessKit going first would leave their shims), then RootlessKit. */
  async stop(): Promise<void> {
    await stopPid(this.pid, 30000);
    await stopPid(this.kitPid);
    this.kitPid = undefined;
  }

  async docker(...args: string[]): Promise<string> {
    const { stdout } = await run('docker', ['--host', this.host, ...args]);
    return stdout.trim();
  }

  importBusybox(): Promise<void> {
    return importBusybox(this.host, this.dir);
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('+'))
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }
}
