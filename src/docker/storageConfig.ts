import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  configFileStorageDriver,
  envValue,
  explicitSource,
  ExplicitSource,
  parseDaemonCommandLine,
  splitNul,
} from '../parse/daemonCommandLine';
import { errorCode } from '../util/errors';

/** Whether the running daemon was told its storage driver, and by what; or why that cannot be told. */
export type StorageConfig =
  | { known: true; source: ExplicitSource; pid: number; configFile: string }
  | { known: false; reason: string };

export interface StorageConfigOptions {
  pidFile: string;
  /** daemon.json to read when dockerd has no --config-file (--docker.daemon-config). */
  daemonConfigFile: string;
  /** Where /proc is; tests point it elsewhere. */
  procRoot?: string;
}

/**
 * Finds out whether the running daemon was told its storage driver, by reading
 * its command line and environment from /proc and its config file. Docker 23+
 * refuses to start on a deprecated driver's data unless told explicitly.
 */
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
  const commandLine = parseDaemonCommandLine(argv);
  if (!commandLine.isDockerd) {
    return { known: false, reason: `pid ${pid} from ${options.pidFile} is not dockerd (${(argv[0] ?? '?').slice(0, 80)})` };
  }
  // A relative --config-file is relative to the daemon's working directory.
  const configFile = commandLine.configFile
    ? path.resolve(path.join(procRoot, String(pid), 'cwd'), commandLine.configFile)
    : options.daemonConfigFile;
  let configFileDriver: string | undefined;
  try {
    configFileDriver = configFileStorageDriver(await fs.readFile(configFile, 'utf8'));
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') {
      return { known: false, reason: `cannot use daemon config ${configFile}: ${err instanceof SyntaxError ? 'invalid JSON' : errorCode(err)}` };
    }
  }
  const source = explicitSource({ commandLine, envDriver: envValue(environ, 'DOCKER_DRIVER'), configFileDriver });
  return { known: true, source, pid, configFile };
}

