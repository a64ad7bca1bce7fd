import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkDaemonJson, commandLineFlags, DockerdConfigRules } from '../parse/daemonJson';
import { envValue, ExplicitSource, isDockerd, splitNul } from '../parse/daemonCommandLine';
import { errorCode } from '../util/errors';
import dockerdFlags from './dockerdFlags.json';

/** The newest flags known: the command line is read with them (flags come and go, but the ones that matter here stay). */
const NEWEST_FLAGS = (dockerdFlags as Record<string, DockerdConfigRules>)['docker-v29.0.0'] as DockerdConfigRules;

/** What decides the daemon's next start: its environment, its command line and its daemon.json. */
export interface DaemonConfiguration {
  /** DOCKER_DRIVER of the daemon's environment. */
  envDriver?: string;
  /** The flags on the daemon's command line, by long name. */
  commandLine: ReadonlyMap<string, string>;
  /** daemon.json as the daemon will read it at its next start; undefined when there is none. */
  daemonJson?: { file: string; bytes: Buffer };
}

/** daemon.json's settings, read leniently (a byte order mark skipped), or Go's complaint with its line and column. */
export function daemonJsonSettings(bytes: Buffer): { settings?: Record<string, unknown>; problem?: string } {
  const check = checkDaemonJson(bytes, new Map(), NEWEST_FLAGS, { acceptsByteOrderMark: true, firstValueOnly: false });
  if (check.problem?.rule === 'syntax') return { problem: `${check.problem.message} (line ${check.problem.line}, column ${check.problem.column})` };
  if (check.problem?.rule === 'not_an_object') return { problem: check.problem.message };
  return { settings: check.settings ?? {} };
}

/**
 * How the running daemon was configured, as read from its pid file, its
 * /proc entry and its daemon.json: whether it was told its storage driver
 * (Docker 23+ refuse to start on a deprecated driver's data otherwise), and
 * everything the upgrade model needs to tell what its next start will do.
 */
export type StorageConfig =
  | {
      known: true;
      source: ExplicitSource;
      /** The driver the configuration names, when it names one. */
      driver?: string;
      pid: number;
      configFile: string;
      /** Run under RootlessKit: its daemon.json and data root are under the user's home. */
      rootless: boolean;
      /** Where the daemon keeps its data, as its configuration says. */
      dataRoot: string;
      configuration: DaemonConfiguration;
    }
  | {
      known: false;
      reason: string;
      /** Present when the daemon's command line was read but daemon.json could not be: its next start fails on it. */
      configuration?: DaemonConfiguration;
    };

export interface StorageConfigOptions {
  pidFile: string;
  /** daemon.json to read when a rootful dockerd has no --config-file (--docker.daemon-config). */
  daemonConfigFile: string;
  /** Where /proc is; tests point it elsewhere. */
  procRoot?: string;
}



/** $XDG_<NAME>_HOME of the daemon's environment, else $HOME/<fallback> (moby pkg/homedir). */
function xdgHome(environ: readonly string[], name: 'CONFIG' | 'DATA', fallback: string): string | undefined {
  const xdg = envValue(environ, `XDG_${name}_HOME`);
  if (xdg) return xdg;
  const home = envValue(environ, 'HOME');
  return home ? path.join(home, fallback) : undefined;
}

/**
 * The daemon.json dockerd reads: --config-file (relative to its working
 * directory), else for a daemon under RootlessKit $XDG_CONFIG_HOME/docker/daemon.json
 * (moby cmd/dockerd/daemon_unix.go getDefaultDaemonConfigDir: honorXDG is
 * set when ROOTLESSKIT_STATE_DIR is), else the system one.
 */
export function daemonConfigFileOf(commandLine: ReadonlyMap<string, string>, environ: readonly string[], cwd: string, systemFile: string): string {
  const flag = commandLine.get('config-file');
  if (flag) return path.resolve(cwd, flag);
  if (envValue(environ, 'ROOTLESSKIT_STATE_DIR')) {
    const configHome = xdgHome(environ, 'CONFIG', '.config');
    if (configHome) return path.join(configHome, 'docker', 'daemon.json');
  }
  return systemFile;
}

/** Where the daemon keeps its data: --data-root (or the old --graph), then daemon.json, then the default (rootless: $XDG_DATA_HOME/docker). */
export function dataRootOf(commandLine: ReadonlyMap<string, string>, settings: Record<string, unknown> | undefined, environ: readonly string[]): string {
  const fromFile = (key: string) => (typeof settings?.[key] === 'string' ? (settings[key] as string) : undefined);
  const configured = commandLine.get('data-root') ?? commandLine.get('graph') ?? fromFile('data-root') ?? fromFile('graph');
  if (configured) return configured;
  if (envValue(environ, 'ROOTLESSKIT_STATE_DIR')) {
    const dataHome = xdgHome(environ, 'DATA', '.local/share');
    if (dataHome) return path.join(dataHome, 'docker');
  }
  return '/var/lib/docker';
}

export async function readStorageConfig(options: StorageConfigOptions): Promise<StorageConfig> {
  const procRoot = options.procRoot ?? '/proc';
  let pid: number;
  try {
    const text = (await fs.readFile(options.pidFile, 'utf8')).trim();
    if (!/^\d+$/.test(text)) return { known: false, reason: `pid file ${options.pidFile} does not hold a pid` };
    pid = Number(text);
  } catch (err) {
    return { known: false, reason: `cannot read pid file ${options.pidFile}: ${errorCode(err)}` };
  }
  let argv: string[];
  let environ: string[];
  try {
    argv = splitNul(await fs.readFile(path.join(procRoot, String(pid), 'cmdline'), 'utf8'));
    environ = splitNul(await fs.readFile(path.join(procRoot, String(pid), 'environ'), 'utf8'));
  } catch (err) {
    return {
      known: false,
      reason: `cannot read ${procRoot}/${pid} (${errorCode(err)}): is dockerd in another pid namespace, or is the exporter not root?`,
    };
  }
  if (!isDockerd(argv[0] ?? '')) {
    return { known: false, reason: `pid ${pid} from ${options.pidFile} is not dockerd (${(argv[0] ?? '?').slice(0, 80)})` };
  }
  const commandLine = commandLineFlags(argv, NEWEST_FLAGS);
  const envDriver = envValue(environ, 'DOCKER_DRIVER') || undefined;
  const configFile = daemonConfigFileOf(commandLine, environ, path.join(procRoot, String(pid), 'cwd'), options.daemonConfigFile);
  const configuration: DaemonConfiguration = { commandLine, ...(envDriver ? { envDriver } : {}) };
  let settings: Record<string, unknown> | undefined;
  try {
    const bytes = await fs.readFile(configFile);
    configuration.daemonJson = { file: configFile, bytes };
    const read = daemonJsonSettings(bytes);
    if (read.problem) return { known: false, reason: `daemon.json ${configFile} is not what the daemon can read: ${read.problem}`, configuration };
    settings = read.settings;
  } catch (err) {
    // No daemon.json is the usual case: the defaults apply. A --config-file that is missing stops the daemon, but it is running.
    if (errorCode(err) !== 'ENOENT') return { known: false, reason: `cannot read daemon config ${configFile}: ${errorCode(err)}` };
  }
  const fromFile = typeof settings?.['storage-driver'] === 'string' && settings['storage-driver'] !== '' ? (settings['storage-driver'] as string) : undefined;
  const fromFlag = commandLine.get('storage-driver') || undefined;
  // dockerd reads DOCKER_DRIVER before its configuration (daemon.NewDaemon); a flag and the file both naming one is a conflict it refuses.
  const source: ExplicitSource = envDriver ? 'env' : fromFlag ? 'flag' : fromFile ? 'config_file' : 'none';
  const driver = envDriver ?? fromFlag ?? fromFile;
  // dockerd resolves a symlinked data root (/var/lib/docker -> /data/docker) and reports the target: so do we, in its mount namespace.
  const configuredRoot = dataRootOf(commandLine, settings, environ);
  const inItsRoot = path.join(procRoot, String(pid), 'root');
  const dataRoot = await fs.realpath(path.join(inItsRoot, configuredRoot)).then(
    (real) => (real.startsWith(`${inItsRoot}/`) ? real.slice(inItsRoot.length) : real),
    () => configuredRoot,
  );
  return {
    known: true,
    source,
    ...(driver ? { driver } : {}),
    pid,
    configFile,
    rootless: Boolean(envValue(environ, 'ROOTLESSKIT_STATE_DIR')),
    dataRoot,
    configuration,
  };
}
