import { containerLabelsProblem } from '../parse/containerLabels';
import { parseArgs } from 'node:util';
import { DockerEndpoint, parseDockerHost } from '../parse/dockerHost';
import { errorMessage } from '../util/errors';
import { Platform, PLATFORMS } from './platforms';
import { parseDuration } from './duration';
import { Command, COMMANDS, envName, FlagSpec, FLAGS, flagsOf } from './flags';

export { commandHelpText, helpText } from './flags';

export class ConfigError extends Error {}

import type { LogFormat, LogLevel } from '../util/logger';

export interface ListenAddress {
  host?: string;
  port: number;
}

/** The daemon collectors that may be turned off (--[no-]collector.<name>); ping and info are what everything else stands on. */
export interface OptionalCollectors {
  /** GET /containers/json and the event stream that keeps it current. */
  containers: boolean;
  /** GET /volumes. */
  volumes: boolean;
  /** GET /images/json: the images only this host has. */
  images: boolean;
  /** The daemon's pid file, command line and daemon.json. */
  storageConfig: boolean;
}

/** The connection flags as given: where the daemon is, and with which credentials. */
export interface ConnectionSettings {
  endpoint: DockerEndpoint;
  /** --docker.tls-verify: TLS with the daemon's certificate checked, on tcp. */
  tlsVerify: boolean;
  /** --docker.cert-path: ca.pem, cert.pem, key.pem, as the docker CLI reads them. */
  certPath: string;
  /** --docker.ssh-identity: the private key for ssh://; empty: the ssh agent, else ~/.ssh/id_*. */
  sshIdentity: string;
  /** --docker.ssh-known-hosts: the host keys an ssh:// daemon's host must be among. */
  sshKnownHosts: string;
}

export interface Config {
  listen: ListenAddress;
  telemetryPath: string;
  /** Listen on the socket systemd passes (--web.systemd-socket). */
  systemdSocket: boolean;
  /** At most this many scrapes at once (0: no limit). */
  maxRequests: number;
  webConfigFile?: string;
  dockerHost: string;
  docker: ConnectionSettings;
  dockerTimeoutMs: number;
  infoMaxAgeMs: number;
  imagesResyncMs: number;
  containerdConfigFile: string;
  minIntervalMs: number;
  pidFile: string;
  /** Connect to a local socket that only a socket activator holds, starting the stopped daemon (--docker.wake-socket-activated). */
  wakeSocketActivated: boolean;
  /** The data root as the exporter sees it, when not at the daemon's DockerRootDir. */
  dataRoot?: string;
  scanIntervalMs: number;
  scan: boolean;
  /** prom-client's process and Node.js metrics on /metrics. */
  exporterMetrics: boolean;
  /** daemon.json to read when dockerd runs without --config-file (--docker.daemon-config). */
  daemonConfigFile: string;
  /** The optional collectors that run (--[no-]collector.<name>, --collector.disable-defaults). */
  collectors: OptionalCollectors;
  /** At most this many docker_container_host_network_info series. */
  hostNetworkMaxSeries: number;
  /** At most this many docker_container_unhealthy_info series. */
  unhealthyMaxSeries: number;
  /** At most this many docker_container_last_exit_code series. */
  exitCodesMaxSeries: number;
  volumesMaxSeries: number;
  /** Container labels copied onto every per-container series (--collector.container-labels). */
  containerLabels: string[];
  /** At most this many docker_container_restarts_total series. */
  restartsMaxSeries: number;
  /** At most this many docker_container_oom_killed_info series. */
  oomKillsMaxSeries: number;
  /** Docker major versions whose outcome is told. */
  upgradeTargets: number[];
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export type Parsed =
  | { kind: 'run'; config: Config }
  | { kind: 'check'; config: Config; format: 'text' | 'json'; limit: number; remedies: Platform | 'auto' }
  | { kind: 'textfile'; config: Config; output: string }
  | { kind: 'reclaim'; config: Config; yes: boolean; ignorePids: number[] }
  | { kind: 'plan'; config: Config; format: 'text' | 'json' | 'script'; remedies: Platform | 'auto' }
  | { kind: 'help'; command?: Exclude<Command, 'serve'> }
  | { kind: 'version' };

const COMMAND_WORDS = COMMANDS.filter((c): c is Exclude<Command, 'serve'> => c !== 'serve');

/**
 * `--limit -1` would read as a flag -1 to node's parser ("argument is
 * ambiguous"); joined to its flag it reaches the check that explains.
 */
function joinNegativeValues(args: readonly string[], flags: readonly FlagSpec[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    const flag = arg.startsWith('--') ? flags.find((f) => `--${f.name}` === arg) : undefined;
    if (flag?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  const first = argv[0];
  let command: Command = 'serve';
  if (first !== undefined && !first.startsWith('-')) {
    if (!(COMMAND_WORDS as readonly string[]).includes(first)) {
      throw new ConfigError(
        `unknown command ${JSON.stringify(first)}; the commands are ${COMMAND_WORDS.join(', ')} (none: serve /metrics)`,
      );
    }
    command = first as Command;
  }
  const args = command === 'serve' ? argv : argv.slice(1);
  const flags = flagsOf(command);
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    };
    for (const flag of flags) {
      options[flag.name] = { type: flag.type };
      if (flag.negatable) options[`no-${flag.name}`] = { type: 'boolean' };
    }
    values = parseArgs({ args: joinNegativeValues(args, flags), options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const message = errorMessage(err).split('\n')[0] ?? '';
    // "Unknown option '--web.listen-address'" for check: say which command does take it.
    const unknown = /Unknown option '--([^']+)'/.exec(message)?.[1];
    const owner = unknown ? FLAGS.find((f) => f.name === unknown || (f.negatable && `no-${f.name}` === unknown)) : undefined;
    if (owner)
      throw new ConfigError(
        `--${unknown}: not a flag of ${command === 'serve' ? 'the exporter' : command}; it belongs to ${owner.commands.map((c) => (c === 'serve' ? 'the exporter' : c)).join(', ')}`,
      );
    if (/positional/.test(message))
      throw new ConfigError(
        `unexpected argument in ${JSON.stringify(args.join(' '))}; ${command === 'serve' ? `the commands are ${COMMAND_WORDS.join(', ')}` : 'flags take the form --name=value'}`,
      );
    throw new ConfigError(message);
  }
  if (values['help']) return command === 'serve' ? { kind: 'help' } : { kind: 'help', command };
  if (values['version']) return { kind: 'version' };
  const read = new FlagReader(values, env, command);
  const config = commonConfig(read);
  if (command === 'check') {
    const format = read.oneOf('format', ['text', 'json'] as const);
    return {
      kind: 'check',
      config,
      format,
      limit: read.wholeNumber('limit'),
      remedies: read.oneOf('remedies', ['auto', ...PLATFORMS] as const),
    };
  }
  if (command === 'textfile') {
    const output = read.text('output');
    if (output === '') read.fail('output', 'required: the file to write, such as /var/lib/node_exporter/textfile/docker.prom');
    if (output.endsWith('/')) read.fail('output', `expected a file, got the directory ${JSON.stringify(output)}`);
    return { kind: 'textfile', config, output };
  }
  if (command === 'plan') {
    return {
      kind: 'plan',
      config,
      format: read.oneOf('format', ['text', 'json', 'script'] as const),
      remedies: read.oneOf('remedies', ['auto', ...PLATFORMS] as const),
    };
  }
  if (command === 'reclaim') {
    const pids = read.text('ignore-pid');
    if (pids !== '' && !/^\d+(,\d+)*$/.test(pids))
      read.fail('ignore-pid', `expected process ids, comma-separated, such as 1,42; got ${JSON.stringify(pids)}`);
    return { kind: 'reclaim', config, yes: read.flag('yes'), ignorePids: pids === '' ? [] : pids.split(',').map(Number) };
  }
  return { kind: 'run', config };
}

/** A flag's value (flag, then DOCKER_EXPORTER_<FLAG>, then the default), checked; failures name the flag. */
class FlagReader {
  constructor(
    private readonly values: Record<string, string | boolean | undefined>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly command: Command,
  ) {}

  fail(name: string, problem: string): never {
    throw new ConfigError(`--${name}: ${problem}`);
  }

  text(name: string): string {
    const spec = FLAGS.find((flag) => flag.name === name);
    if (!spec) throw new Error(`unknown flag ${name}`);
    // A flag of another command (an environment variable set for the exporter, read by check) keeps its default.
    if (!spec.commands.includes(this.command)) return spec.default(this.env);
    const value = this.values[name];
    if (typeof value === 'string') return value;
    return this.env[envName(name)] ?? spec.default(this.env);
  }

  /** --name, --no-name (for a flag whose default may be on), DOCKER_EXPORTER_<NAME>, then the default (or `fallback`). */
  flag(name: string, fallback?: boolean): boolean {
    const spec = FLAGS.find((f) => f.name === name);
    if (!spec) throw new Error(`unknown flag ${name}`);
    const byDefault = fallback ?? spec.default(this.env) !== '';
    // A flag of another command keeps its default there.
    if (!spec.commands.includes(this.command)) return byDefault;
    if (this.values[name] === true) return true;
    if (this.values[`no-${name}`] === true) return false;
    const variable = envName(name);
    const fromEnv = this.env[variable];
    if (fromEnv === undefined) return byDefault;
    if (spec.commandLineOnly) {
      throw new ConfigError(
        `${variable}: --${name} is taken from the command line only (it confirms a deletion); unset ${variable} and give --${name} when you mean it`,
      );
    }
    // Strict: "no", "off" or a typo must not read as true (it did: anything but '', '0' and 'false' was).
    const lower = fromEnv.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    throw new ConfigError(`${variable}: expected true, 1, false or 0 (for --${name}), got ${JSON.stringify(fromEnv)}`);
  }

  nonEmpty(name: string): string {
    const value = this.text(name);
    return value !== '' ? value : this.fail(name, 'must not be empty');
  }

  duration(name: string, allowZero = false): number {
    const text = this.text(name);
    const ms = parseDuration(text);
    if (ms === undefined || (ms === 0 && !allowZero))
      this.fail(
        name,
        `expected a ${allowZero ? '' : 'positive '}duration such as 5s or 500ms${allowZero ? ' (0s for none)' : ''}, got ${JSON.stringify(text)}`,
      );
    return ms;
  }

  wholeNumber(name: string): number {
    const text = this.text(name);
    return /^\d{1,6}$/.test(text) ? Number(text) : this.fail(name, `expected a whole number from 0 to 999999, got ${JSON.stringify(text)}`);
  }

  majorVersions(name: string): number[] {
    const text = this.text(name);
    const parts = text.split(',').map((p) => p.trim());
    if (text.trim() === '' || parts.some((p) => !/^\d{2}$/.test(p) || Number(p) < 20)) {
      this.fail(name, `expected Docker major versions from 20 on, comma-separated, such as 25,29; got ${JSON.stringify(text)}`);
    }
    return [...new Set(parts.map(Number))].sort((a, b) => a - b);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const text = this.text(name);
    return (allowed as readonly string[]).includes(text)
      ? (text as T)
      : this.fail(name, `expected ${allowed.join(' or ')}, got ${JSON.stringify(text)}`);
  }
}

function commonConfig(read: FlagReader): Config {
  const listenText = read.text('web.listen-address');
  const listen =
    parseListenAddress(listenText) ?? read.fail('web.listen-address', `expected [host]:port, got ${JSON.stringify(listenText)}`);
  const telemetryPath = read.text('web.telemetry-path');
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(telemetryPath) || telemetryPath === '/') {
    read.fail('web.telemetry-path', `expected a path such as /metrics, got ${JSON.stringify(telemetryPath)}`);
  }
  const dockerHost = read.text('docker.host');
  let endpoint: DockerEndpoint;
  try {
    endpoint = parseDockerHost(dockerHost);
  } catch (err) {
    return read.fail('docker.host', errorMessage(err));
  }
  const docker: ConnectionSettings = {
    endpoint,
    tlsVerify: read.flag('docker.tls-verify'),
    certPath: read.nonEmpty('docker.cert-path'),
    sshIdentity: read.text('docker.ssh-identity'),
    sshKnownHosts: read.nonEmpty('docker.ssh-known-hosts'),
  };
  const dataRoot = read.text('docker.data-root');
  if (dataRoot !== '' && !dataRoot.startsWith('/'))
    read.fail('docker.data-root', `expected an absolute path, got ${JSON.stringify(dataRoot)}`);
  const webConfigFile = read.text('web.config.file');
  return {
    listen,
    telemetryPath,
    systemdSocket: read.flag('web.systemd-socket'),
    maxRequests: read.wholeNumber('web.max-requests'),
    ...(webConfigFile !== '' ? { webConfigFile } : {}),
    dockerHost,
    docker,
    dockerTimeoutMs: read.duration('docker.timeout'),
    infoMaxAgeMs: read.duration('docker.info-max-age'),
    imagesResyncMs: read.duration('docker.images-resync'),
    containerdConfigFile: read.nonEmpty('containerd.config'),
    minIntervalMs: read.duration('docker.min-interval', true),
    pidFile: read.nonEmpty('docker.pid-file'),
    wakeSocketActivated: read.flag('docker.wake-socket-activated'),
    ...(dataRoot !== '' ? { dataRoot } : {}),
    scanIntervalMs: read.duration('scan.interval'),
    scan: !read.flag('no-scan'),
    exporterMetrics: !read.flag('web.disable-exporter-metrics'),
    daemonConfigFile: read.nonEmpty('docker.daemon-config'),
    collectors: collectorsOf(read),
    hostNetworkMaxSeries: read.wholeNumber('collector.host-network.max-series'),
    unhealthyMaxSeries: read.wholeNumber('collector.unhealthy.max-series'),
    exitCodesMaxSeries: read.wholeNumber('collector.exit-codes.max-series'),
    volumesMaxSeries: read.wholeNumber('collector.volumes.max-series'),
    containerLabels: containerLabelsOf(read),
    restartsMaxSeries: read.wholeNumber('collector.restarts.max-series'),
    oomKillsMaxSeries: read.wholeNumber('collector.oom-kills.max-series'),
    upgradeTargets: read.majorVersions('upgrade.target-version'),
    logLevel: read.oneOf('log.level', ['debug', 'info', 'warn', 'error'] as const),
    logFormat: read.oneOf('log.format', ['logfmt', 'json'] as const),
  };
}

/** Each optional collector: its own flag, else on unless --collector.disable-defaults. */
function collectorsOf(read: FlagReader): OptionalCollectors {
  const byDefault = !read.flag('collector.disable-defaults');
  return {
    containers: read.flag('collector.containers', byDefault),
    volumes: read.flag('collector.volumes', byDefault),
    images: read.flag('collector.images', byDefault),
    storageConfig: read.flag('collector.storage-config', byDefault),
  };
}

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}

/** --collector.container-labels: label keys, comma-separated, each one series label. */
function containerLabelsOf(read: FlagReader): string[] {
  const text = read.text('collector.container-labels').trim();
  if (text === '') return [];
  const keys = text.split(',').map((key) => key.trim());
  const problem = containerLabelsProblem(keys);
  if (problem) read.fail('collector.container-labels', `${problem}: expected container label keys, comma-separated, such as owner,team`);
  return keys;
}
