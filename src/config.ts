import { parseArgs } from 'node:util';
import { parseDockerHost, DockerEndpoint } from './docker/engineApi';
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
  dockerHost: string;
  docker: DockerEndpoint;
  dockerTimeoutMs: number;
  infoMaxAgeMs: number;
  pidFile: string;
  /** The data root as the exporter sees it, when not at the daemon's DockerRootDir. */
  dataRoot?: string;
  scanIntervalMs: number;
  scan: boolean;
  daemonConfig: string;
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
  { name: 'docker.data-root', help: "The daemon's data root as this process sees it (default: DockerRootDir from /info).", default: () => '' },
  { name: 'scan.interval', help: 'How often to measure the data root in the background.', default: () => '15m' },
  { name: 'docker.pid-file', help: 'dockerd pid file; its /proc entry tells whether the storage driver is explicitly configured.', default: () => '/var/run/docker.pid' },
  { name: 'docker.daemon-config', help: 'daemon.json to read when dockerd runs without --config-file.', default: () => '/etc/docker/daemon.json' },
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

export type Parsed = { kind: 'run'; config: Config } | { kind: 'help' } | { kind: 'version' };

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Parsed {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = {
      help: { type: 'boolean' },
      version: { type: 'boolean' },
      'no-scan': { type: 'boolean' },
    };
    for (const flag of FLAGS) options[flag.name] = { type: 'string' };
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message.split('\n')[0] : String(err));
  }
  if (values['help']) return { kind: 'help' };
  if (values['version']) return { kind: 'version' };
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
  const daemonConfig = get('docker.daemon-config');
  if (daemonConfig === '') fail('docker.daemon-config', 'must not be empty');

  return {
    kind: 'run',
    config: {
      listen,
      telemetryPath,
      dockerHost,
      docker,
      dockerTimeoutMs: dockerTimeoutMs as number,
      infoMaxAgeMs,
      pidFile,
      ...(dataRoot !== '' ? { dataRoot } : {}),
      scanIntervalMs,
      scan,
      daemonConfig,
      logLevel: logLevel as LogLevel,
      logFormat: logFormat as LogFormat,
    },
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
