import { promises as fs, readFileSync, statSync } from 'node:fs';
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
  /** DOCKER_MIGRATE_SNAPSHOTTER_THRESHOLD of the daemon's environment (Docker 29's containerd migration). */
  envMigrationThreshold?: string;
  /** The flags on the daemon's command line, by long name. */
  commandLine: ReadonlyMap<string, string>;
  /** daemon.json as the daemon will read it at its next start; undefined when there is none. */
  daemonJson?: { file: string; bytes: Buffer };
}

/** daemon.json's settings, read leniently (a byte order mark skipped), or Go's complaint with its line and column. */
export function daemonJsonSettings(bytes: Buffer): { settings?: Record<string, unknown>; problem?: string } {
  const check = checkDaemonJson(bytes, new Map(), NEWEST_FLAGS, { acceptsByteOrderMark: true, firstValueOnly: false });
  if (check.problem?.rule === 'syntax')
    return { problem: `${check.problem.message} (line ${check.problem.line}, column ${check.problem.column})` };
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
      /** The address of the containerd the daemon uses instead of running its own (--containerd, "containerd" in daemon.json). */
      externalContainerd?: string;
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
  /** The daemon is on another host (its address): its process and files are not here to read. */
  remoteDaemon?: string;
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
export function daemonConfigFileOf(
  commandLine: ReadonlyMap<string, string>,
  environ: readonly string[],
  cwd: string,
  systemFile: string,
): string {
  const flag = commandLine.get('config-file');
  if (flag) return path.resolve(cwd, flag);
  if (envValue(environ, 'ROOTLESSKIT_STATE_DIR')) {
    const configHome = xdgHome(environ, 'CONFIG', '.config');
    if (configHome) return path.join(configHome, 'docker', 'daemon.json');
  }
  return systemFile;
}

/** Where the daemon keeps its data: --data-root (or the old --graph), then daemon.json, then the default (rootless: $XDG_DATA_HOME/docker). */
export function dataRootOf(
  commandLine: ReadonlyMap<string, string>,
  settings: Record<string, unknown> | undefined,
  environ: readonly string[],
): string {
  const fromFile = (key: string) => (typeof settings?.[key] === 'string' ? settings[key] : undefined);
  const configured = commandLine.get('data-root') ?? commandLine.get('graph') ?? fromFile('data-root') ?? fromFile('graph');
  if (configured) return configured;
  if (envValue(environ, 'ROOTLESSKIT_STATE_DIR')) {
    const dataHome = xdgHome(environ, 'DATA', '.local/share');
    if (dataHome) return path.join(dataHome, 'docker');
  }
  return '/var/lib/docker';
}

/**
 * A dockerd process as /proc shows it. Its command line, environment and
 * resolved data root are fixed while it runs; only its daemon.json can change.
 */
interface DaemonProcess {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: a pid reused by a new process has another. */
  startTime: string;
  argv: string[];
  /** Its flags by long name. */
  commandLine: ReadonlyMap<string, string>;
  environ: string[];
  /** The daemon.json it reads (from its command line and environment), as it names it. */
  configFile: string;
  /**
   * Where this process reads that file: in the daemon's mount namespace, through /proc/<pid>/root. An
   * exporter in a container does not have the host's /etc/docker, nor NixOS's /nix/store file that
   * --config-file names; read here, a pinned host looked unpinned.
   */
  configFileHere: string;
  /** Named by --config-file: dockerd refuses to start when that file is missing, where a missing default means the defaults. */
  configFileNamed: boolean;
  /** Configured data root -> where it resolves in the daemon's mount namespace. */
  resolvedRoots: Map<string, string>;
}

/**
 * What a long-running exporter remembers of the daemon's process between
 * collections: while the same process runs (same pid, same start time) a
 * collection reads the pid file, the start time and daemon.json, and no
 * command line, environment or symlinks again. One-shot commands go without.
 */
export class DaemonProcessMemo {
  process: DaemonProcess | undefined;
}

export function startTimeOf(stat: string): string | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

async function readDaemonProcess(
  procRoot: string,
  pid: number,
  withStartTime: boolean,
  configFileOf: (commandLine: ReadonlyMap<string, string>, environ: string[]) => string,
): Promise<DaemonProcess> {
  const dir = path.join(procRoot, String(pid));
  const [cmdline, environText] = await Promise.all([
    fs.readFile(path.join(dir, 'cmdline'), 'utf8'),
    fs.readFile(path.join(dir, 'environ'), 'utf8'),
  ]);
  const argv = splitNul(cmdline);
  const environ = splitNul(environText);
  const commandLine = commandLineFlags(argv, NEWEST_FLAGS);
  const configFile = configFileOf(commandLine, environ);
  return {
    pid,
    startTime: (withStartTime && startTimeNow(procRoot, pid)) || '',
    argv,
    commandLine,
    environ,
    configFile,
    // A relative --config-file is already under /proc/<pid>/cwd, which leads into the daemon's namespace.
    configFileHere: configFile.startsWith(`${dir}/`) ? configFile : path.join(dir, 'root', configFile),
    configFileNamed: Boolean(commandLine.get('config-file')),
    resolvedRoots: new Map(),
  };
}

/**
 * The process's start time now; undefined when it is gone. Read synchronously:
 * /proc/<pid>/stat is made by the kernel on the spot and never waits on a disk
 * or the process's memory, and a scrape reads it once.
 */
function startTimeNow(procRoot: string, pid: number): string | undefined {
  try {
    return startTimeOf(readFileSync(path.join(procRoot, String(pid), 'stat'), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * daemon.json's bytes, undefined when there is none (the usual case: the
 * defaults apply). Read synchronously, as the pid file is: both are small
 * local files read at every collection, and an asynchronous read costs four
 * trips through the thread pool (a tenth of a scrape at 1,000 containers).
 */
function readDaemonJson(file: string): Buffer | undefined {
  // Most hosts have none: a failed read throws, and an exception costs more than a stat that says so.
  if (!statSync(file, { throwIfNoEntry: false })) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

type Unknown = Extract<StorageConfig, { known: false }>;

/**
 * Reads the daemon's configuration as its next start will see it: the pid
 * file names the process; its command line and environment (remembered in
 * `memo` while the same process runs) name its daemon.json and flags; the
 * data root is resolved as dockerd resolved it.
 */
export async function readStorageConfig(options: StorageConfigOptions, memo?: DaemonProcessMemo): Promise<StorageConfig> {
  const procRoot = options.procRoot ?? '/proc';
  const remembered = memo?.process;
  const pid = readPid(options.pidFile);
  if (typeof pid !== 'number') return pid;
  const same = remembered?.pid === pid && remembered.startTime === startTimeNow(procRoot, pid);
  const daemon = same ? remembered : await daemonProcess(procRoot, pid, options, memo !== undefined);
  if ('known' in daemon) return daemon;
  if (!isDockerd(daemon.argv[0] ?? '')) {
    return { known: false, reason: `pid ${pid} from ${options.pidFile} is not dockerd (${(daemon.argv[0] ?? '?').slice(0, 80)})` };
  }
  if (memo && daemon.startTime) memo.process = daemon;
  const { commandLine, environ, configFile } = daemon;
  const envDriver = envValue(environ, 'DOCKER_DRIVER') || undefined;
  const envMigrationThreshold = envValue(environ, 'DOCKER_MIGRATE_SNAPSHOTTER_THRESHOLD') || undefined;
  const configuration: DaemonConfiguration = {
    commandLine,
    ...(envDriver ? { envDriver } : {}),
    ...(envMigrationThreshold ? { envMigrationThreshold } : {}),
  };
  const read = daemonJsonOf(daemon, configuration);
  if ('failure' in read) return read.failure;
  const settings = read.settings;
  const fromFile = nonEmptyString(settings?.['storage-driver']);
  const fromFlag = commandLine.get('storage-driver') || undefined;
  // dockerd reads DOCKER_DRIVER before its configuration (daemon.NewDaemon); a flag and the file both naming one is a conflict it refuses.
  const source: ExplicitSource = envDriver ? 'env' : fromFlag ? 'flag' : fromFile ? 'config_file' : 'none';
  const driver = envDriver ?? fromFlag ?? fromFile;
  const externalContainerd = commandLine.get('containerd') || nonEmptyString(settings?.['containerd']);
  return {
    known: true,
    source,
    ...(driver ? { driver } : {}),
    pid,
    configFile,
    rootless: Boolean(envValue(environ, 'ROOTLESSKIT_STATE_DIR')),
    dataRoot: await resolvedDataRoot(daemon, procRoot, dataRootOf(commandLine, settings, environ)),
    configuration,
    ...(externalContainerd ? { externalContainerd } : {}),
  };
}

const nonEmptyString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The pid in the pid file, or why there is none. */
function readPid(pidFile: string): number | Unknown {
  try {
    const text = readFileSync(pidFile, 'utf8').trim();
    if (!/^\d+$/.test(text)) return { known: false, reason: `pid file ${pidFile} does not hold a pid` };
    return Number(text);
  } catch (err) {
    return { known: false, reason: `cannot read pid file ${pidFile}: ${errorCode(err)}` };
  }
}

/** The process's command line and environment, read afresh; or why they cannot be read. */
async function daemonProcess(
  procRoot: string,
  pid: number,
  options: StorageConfigOptions,
  withStartTime: boolean,
): Promise<DaemonProcess | Unknown> {
  const cwd = path.join(procRoot, String(pid), 'cwd');
  try {
    return await readDaemonProcess(procRoot, pid, withStartTime, (commandLine, environ) =>
      daemonConfigFileOf(commandLine, environ, cwd, options.daemonConfigFile),
    );
  } catch (err) {
    return {
      known: false,
      reason: `cannot read ${procRoot}/${pid} (${errorCode(err)}): is dockerd in another pid namespace, or is the exporter not root?`,
    };
  }
}

/**
 * daemon.json's settings (none when there is no file: the defaults apply), recorded in
 * `configuration`; or why the daemon could not read it at its next start.
 */
function daemonJsonOf(
  daemon: Pick<DaemonProcess, 'configFile' | 'configFileHere' | 'configFileNamed'>,
  configuration: DaemonConfiguration,
): { settings?: Record<string, unknown> } | { failure: Unknown } {
  const { configFile, configFileHere } = daemon;
  let bytes: Buffer | undefined;
  try {
    bytes = readDaemonJson(configFileHere);
  } catch (err) {
    // Never "none" for a file that could not be looked at: an unpinned verdict on a pinned host pages falsely.
    return { failure: { known: false, reason: `cannot read daemon config ${configFile} (at ${configFileHere}): ${errorCode(err)}` } };
  }
  if (!bytes && daemon.configFileNamed)
    // dockerd read it when it started (it refuses a missing --config-file): removed since, its next start fails.
    return {
      failure: {
        known: false,
        reason: `daemon config ${configFile}, named by --config-file, is gone (looked at ${configFileHere}): the daemon's next start fails on it`,
      },
    };
  if (!bytes) return {};
  configuration.daemonJson = { file: configFile, bytes };
  const read = daemonJsonSettings(bytes);
  if (read.problem)
    return {
      failure: { known: false, reason: `daemon.json ${configFile} is not what the daemon can read: ${read.problem}`, configuration },
    };
  return read.settings ? { settings: read.settings } : {};
}

/**
 * The data root as dockerd reports it: it resolved a symlinked one (/var/lib/docker -> /data/docker)
 * when it started, so the target, in its own mount namespace; remembered once found.
 */
async function resolvedDataRoot(daemon: DaemonProcess, procRoot: string, configuredRoot: string): Promise<string> {
  const known = daemon.resolvedRoots.get(configuredRoot);
  if (known !== undefined) return known;
  const inItsRoot = path.join(procRoot, String(daemon.pid), 'root');
  const resolved = await fs.realpath(path.join(inItsRoot, configuredRoot)).then(
    (real) => (real.startsWith(`${inItsRoot}/`) ? real.slice(inItsRoot.length) : real),
    () => undefined,
  );
  // Not there yet (or not readable): try again next time.
  if (resolved === undefined) return configuredRoot;
  daemon.resolvedRoots.set(configuredRoot, resolved);
  return resolved;
}
