import { parseArgs } from 'node:util';
import { parseDockerHost, DockerEndpoint } from '../docker/engineApi';
import { parseDuration } from './duration';

export class ConfigError extends Error {}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';

export interface ListenAddress {
  host?: string;
  port: number;
}

export interface Config {
  listen: ListenAddress;
  telemetryPath: string;
  webConfigFile?: string;
  dockerHost: string;
  docker: DockerEndpoint;
  dockerTimeoutMs: number;
  infoMaxAgeMs: number;
  minIntervalMs: number;
  pidFile: string;
  /** The data root as the exporter sees it, when not at the daemon's DockerRootDir. */
  dataRoot?: string;
  scanIntervalMs: number;
  scan: boolean;
  /** daemon.json to read when dockerd runs without --config-file (--docker.daemon-config). */
  daemonConfigFile: string;
  /** At most this many docker_container_host_network_info series. */
  hostNetworkMaxSeries: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

interface FlagSpec {
  name: string;
  help: string;
  default: (env: NodeJS.ProcessEnv) => string;
}

/** Every flag may also come from DOCKER_EXPORTER_<FLAG> (dots and dashes as underscores); the flag wins. */
export const FLAGS: readonly FlagSpec[] = [
  { name: 'web.listen-address', help: 'Address to listen on for the web interface and telemetry.', default: () => ':9326' },
  { name: 'web.telemetry-path', help: 'Path under which to expose metrics.', default: () => '/metrics' },
  { name: 'web.config.file', help: 'exporter-toolkit web config (TLS, basic auth, headers), as for node_exporter.', default: () => '' },
  {
    name: 'docker.host',
    help: 'Docker daemon to read: unix:///path or tcp://host:port.',
    default: (env) => env['DOCKER_HOST'] || 'unix:///var/run/docker.sock',
  },
  { name: 'docker.timeout', help: 'Deadline for each collection from the daemon (ms, s, m).', default: () => '5s' },
  {
    name: 'docker.info-max-age',
    help: 'Serve GET /info from cache for this long; image, volume and daemon events refresh it sooner.',
    default: () => '30s',
  },
  {
    name: 'docker.min-interval',
    help: "Scrapes within this long of a collection share its daemon answers (0s: ask at every scrape); containers stay current from events.",
    default: () => '1s',
  },
  { name: 'docker.data-root', help: "The daemon's data root as this process sees it (default: DockerRootDir from /info).", default: () => '' },
  { name: 'scan.interval', help: 'How often to measure the data root in the background.', default: () => '15m' },
  { name: 'docker.pid-file', help: 'dockerd pid file; its /proc entry tells whether the storage driver is explicitly configured.', default: () => '/var/run/docker.pid' },
  { name: 'docker.daemon-config', help: 'daemon.json to read when dockerd runs without --config-file.', default: () => '/etc/docker/daemon.json' },
  {
    name: 'collector.host-network.max-series',
    help: 'At most this many docker_container_host_network_info series, running containers first, then by name (0: none); docker_containers stays exact.',
    default: () => '50',
  },
  { name: 'log.level', help: 'Only log messages at or above: debug, info, warn, error.', default: () => 'info' },
  { name: 'log.format', help: 'Log format: logfmt or json.', default: () => 'logfmt' },
];

export function envName(flag: string): string {
  return `DOCKER_EXPORTER_${flag.replace(/[.-]/g, '_').toUpperCase()}`;
}

export function helpText(program: string, env: NodeJS.ProcessEnv = {}): string {
  const lines = [`usage: ${program} [flags]`, '', 'Prometheus exporter for a Docker daemon.', '', 'Flags:'];
  for (const flag of FLAGS) {
    lines.push(`  --${flag.name}=${JSON.stringify(flag.default(env))}`);
    lines.push(`      ${flag.help} (env ${envName(flag.name)})`);
  }
  lines.push(
    '  --no-scan   Do not measure the data root. (env DOCKER_EXPORTER_NO_SCAN=1)',
    '  --help      Show this help and exit.',
    '  --version   Show the version and exit.',
  );
  return lines.join('\n');
}

export type Command = 'check' | 'textfile';

export type Parsed =
  | { kind: 'run'; config: Config }
  | { kind: 'check'; config: Config; format: 'text' | 'json'; limit: number }
  | { kind: 'textfile'; config: Config; output: string }
  | { kind: 'help'; command?: Command }
  | { kind: 'version' };

/** Flags of the one-shot commands, beside the common ones. */
export const COMMAND_FLAGS: Record<Command, readonly FlagSpec[]> = {
  check: [
    { name: 'format', help: 'text (for a person) or json (for scripts).', default: () => 'text' },
    { name: 'limit', help: 'Name at most this many containers and images.', default: () => '20' },
  ],
  textfile: [{ name: 'output', help: "File to write, for node_exporter's textfile collector (required).", default: () => '' }],
};

export const COMMAND_HELP: Record<Command, string> = {
  check:
    'Reports once whether this host survives the move to Docker 25, and what to do. Exit status: 0 nothing blocks, 1 warnings, 2 the upgrade is blocked, 3 the daemon cannot be reached.',
  textfile: "Collects once (with a data-root scan unless --no-scan) and writes the metrics atomically for node_exporter's textfile collector.",
};

export function commandHelpText(program: string, command: Command, env: NodeJS.ProcessEnv = {}): string {
  const lines = [`usage: ${program} ${command} [flags]`, '', COMMAND_HELP[command], '', 'Flags:'];
  for (const flag of [...COMMAND_FLAGS[command], ...FLAGS.filter((f) => !f.name.startsWith('web.') && f.name !== 'scan.interval')]) {
    lines.push(`  --${flag.name}=${JSON.stringify(flag.default(env))}`, `      ${flag.help}`);
  }
  lines.push('  --no-scan   Do not measure the data root.', '  --help      Show this help and exit.');
  return lines.join('\n');
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  const command = argv[0] === 'check' || argv[0] === 'textfile' ? argv[0] : undefined;
  const args = command ? argv.slice(1) : argv;
  const extra = command ? COMMAND_FLAGS[command] : [];
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = {
      help: { type: 'boolean' },
      version: { type: 'boolean' },
      'no-scan': { type: 'boolean' },
    };
    for (const flag of [...FLAGS, ...extra]) options[flag.name] = { type: 'string' };
    values = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
  if (values['help']) return command ? { kind: 'help', command } : { kind: 'help' };
  if (values['version']) return { kind: 'version' };
  const config = commonConfig(values, env);
  const option = (name: string): string => {
    const value = values[name];
    return typeof value === 'string' ? value : (extra.find((f) => f.name === name)?.default(env) ?? '');
  };
  if (command === 'check') {
    const format = option('format');
    if (format !== 'text' && format !== 'json') throw new ConfigError(`--format: expected text or json, got ${JSON.stringify(format)}`);
    const limitText = option('limit');
    if (!/^\d{1,6}$/.test(limitText)) throw new ConfigError(`--limit: expected a whole number, got ${JSON.stringify(limitText)}`);
    return { kind: 'check', config, format, limit: Number(limitText) };
  }
  if (command === 'textfile') {
    const output = option('output');
    if (output === '') throw new ConfigError('--output: required: the file to write, such as /var/lib/node_exporter/textfile/docker.prom');
    if (output.endsWith('/')) throw new ConfigError(`--output: expected a file, got the directory ${JSON.stringify(output)}`);
    return { kind: 'textfile', config, output };
  }
  return { kind: 'run', config };
}

function commonConfig(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Config {
  const get = (name: string): string => {
    const spec = FLAGS.find((flag) => flag.name === name);
    if (!spec) throw new Error(`unknown flag ${name}`);
    const value = values[name];
    if (typeof value === 'string') return value;
    return env[envName(name)] ?? spec.default(env);
  };
  const fail = (name: string, problem: string): never => {
    throw new ConfigError(`--${name}: ${problem}`);
  };

  const listen = parseListenAddress(get('web.listen-address')) ?? fail('web.listen-address', `expected [host]:port, got ${JSON.stringify(get('web.listen-address'))}`);
  const telemetryPath = get('web.telemetry-path');
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(telemetryPath) || telemetryPath === '/') {
    fail('web.telemetry-path', `expected a path such as /metrics, got ${JSON.stringify(telemetryPath)}`);
  }
  const dockerHost = get('docker.host');
  let docker: DockerEndpoint;
  try {
    docker = parseDockerHost(dockerHost);
  } catch (err) {
    return fail('docker.host', (err as Error).message);
  }
  const timeoutText = get('docker.timeout');
  const dockerTimeoutMs = parseDuration(timeoutText);
  if (dockerTimeoutMs === undefined || dockerTimeoutMs <= 0) fail('docker.timeout', `expected a positive duration such as 5s, got ${JSON.stringify(timeoutText)}`);
  const duration = (name: string): number => {
    const text = get(name);
    const ms = parseDuration(text);
    return ms !== undefined && ms > 0 ? ms : fail(name, `expected a positive duration such as 30s, got ${JSON.stringify(text)}`);
  };
  const infoMaxAgeMs = duration('docker.info-max-age');
  const minIntervalText = get('docker.min-interval');
  const minIntervalMs = parseDuration(minIntervalText) ?? fail('docker.min-interval', `expected a duration such as 1s or 0s, got ${JSON.stringify(minIntervalText)}`);
  const webConfigFile = get('web.config.file');
  const scanIntervalMs = duration('scan.interval');
  const dataRoot = get('docker.data-root');
  if (dataRoot !== '' && !dataRoot.startsWith('/')) fail('docker.data-root', `expected an absolute path, got ${JSON.stringify(dataRoot)}`);
  const noScanEnv = env['DOCKER_EXPORTER_NO_SCAN'];
  const scan = !(values['no-scan'] === true || (noScanEnv !== undefined && noScanEnv !== '' && noScanEnv !== '0' && noScanEnv !== 'false'));
  const logLevel = get('log.level');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) fail('log.level', `expected debug, info, warn or error, got ${JSON.stringify(logLevel)}`);
  const logFormat = get('log.format');
  if (!['logfmt', 'json'].includes(logFormat)) fail('log.format', `expected logfmt or json, got ${JSON.stringify(logFormat)}`);
  const pidFile = get('docker.pid-file');
  if (pidFile === '') fail('docker.pid-file', 'must not be empty');
  const daemonConfigFile = get('docker.daemon-config');
  if (daemonConfigFile === '') fail('docker.daemon-config', 'must not be empty');
  const maxSeriesText = get('collector.host-network.max-series');
  if (!/^\d{1,6}$/.test(maxSeriesText)) fail('collector.host-network.max-series', `expected a whole number such as 50, got ${JSON.stringify(maxSeriesText)}`);

  return {
    listen,
    telemetryPath,
    ...(webConfigFile !== '' ? { webConfigFile } : {}),
    dockerHost,
    docker,
    dockerTimeoutMs: dockerTimeoutMs as number,
    infoMaxAgeMs,
    minIntervalMs,
    pidFile,
    ...(dataRoot !== '' ? { dataRoot } : {}),
    scanIntervalMs,
    scan,
    daemonConfigFile,
    hostNetworkMaxSeries: Number(maxSeriesText),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
  };
}

export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2];
  return host ? { host, port } : { port };
}
