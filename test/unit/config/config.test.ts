import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { helpText, parseConfig, parseListenAddress } from '../../../src/config/config';
import { commandHelpText, flagTable } from '../../../src/config/flags';
import { parseDuration } from '../../../src/config/duration';

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const parsed = parseConfig(argv, env);
  if (parsed.kind !== 'run') throw new Error('expected a run');
  return parsed.config;
};

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const config = run([]);
    expect(config.listen).toEqual({ port: 9326 });
    expect(config.telemetryPath).toBe('/metrics');
    expect(config.docker).toEqual({
      endpoint: { kind: 'unix', socketPath: '/var/run/docker.sock' },
      tlsVerify: false,
      certPath: '~/.docker',
      sshIdentity: '',
      sshKnownHosts: '~/.ssh/known_hosts',
    });
    expect(config.dockerTimeoutMs).toBe(5000);
    expect(config.pidFile).toBe('/var/run/docker.pid');
    expect(config.daemonConfigFile).toBe('/etc/docker/daemon.json');
    expect(config.logLevel).toBe('info');
    expect(config.logFormat).toBe('logfmt');
    expect(config.exporterMetrics).toBe(true);
    expect(run(['--web.disable-exporter-metrics']).exporterMetrics).toBe(false);
  });

  it('takes DOCKER_HOST, then its own variable, then the flag', () => {
    expect(run([], { DOCKER_HOST: 'tcp://10.0.0.1:2375' }).docker.endpoint).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 2375 });
    expect(run([], { DOCKER_HOST: 'tcp://a:1', DOCKER_EXPORTER_DOCKER_HOST: 'unix:///x.sock' }).docker.endpoint).toEqual({
      kind: 'unix',
      socketPath: '/x.sock',
    });
    expect(run(['--docker.host', 'unix:///y.sock'], { DOCKER_EXPORTER_DOCKER_HOST: 'unix:///x.sock' }).docker.endpoint).toEqual({
      kind: 'unix',
      socketPath: '/y.sock',
    });
  });

  it('runs every optional collector unless told; --collector.disable-defaults turns them off, each flag back on', () => {
    expect(run([]).collectors).toEqual({ containers: true, volumes: true, images: true, storageConfig: true });
    expect(run(['--no-collector.images']).collectors).toEqual({ containers: true, volumes: true, images: false, storageConfig: true });
    expect(run(['--collector.disable-defaults', '--collector.containers']).collectors).toEqual({
      containers: true,
      volumes: false,
      images: false,
      storageConfig: false,
    });
    expect(run([], { DOCKER_EXPORTER_COLLECTOR_DISABLE_DEFAULTS: '1', DOCKER_EXPORTER_COLLECTOR_VOLUMES: 'true' }).collectors).toEqual({
      containers: false,
      volumes: true,
      images: false,
      storageConfig: false,
    });
    // check reads everything: the collector flags are the exporter's and textfile's.
    const check = parseConfig(['check'], { DOCKER_EXPORTER_COLLECTOR_DISABLE_DEFAULTS: '1' });
    expect(check.kind === 'check' && check.config.collectors).toEqual({
      containers: true,
      volumes: true,
      images: true,
      storageConfig: true,
    });
    expect(() => parseConfig(['check', '--no-collector.images'], {})).toThrow('--no-collector.images');
  });

  it("takes reclaim's --yes from the command line only: DOCKER_EXPORTER_YES is refused whatever its value", () => {
    const yes = (argv: string[], env: NodeJS.ProcessEnv) => {
      const parsed = parseConfig(['reclaim', ...argv], env);
      return parsed.kind === 'reclaim' && parsed.yes;
    };
    expect(yes(['--yes'], {})).toBe(true);
    expect(yes([], {})).toBe(false);
    for (const value of ['no', '0', 'false', '1', 'true', '']) {
      expect(() => parseConfig(['reclaim'], { DOCKER_EXPORTER_YES: value })).toThrow(
        'DOCKER_EXPORTER_YES: --yes is taken from the command line only',
      );
    }
    // Other commands do not take --yes, so the variable means nothing to them.
    expect(parseConfig(['check'], { DOCKER_EXPORTER_YES: '1' }).kind).toBe('check');
    expect(commandHelpText('docker-daemon-exporter', 'reclaim')).not.toContain('(env DOCKER_EXPORTER_YES)');
  });

  it('reads a boolean from the environment as true/1 or false/0 (any case), and refuses anything else naming the variable', () => {
    const scan = (value: string) => run([], { DOCKER_EXPORTER_NO_SCAN: value }).scan;
    expect(scan('1')).toBe(false);
    expect(scan('TRUE')).toBe(false);
    expect(scan('0')).toBe(true);
    expect(scan('False')).toBe(true);
    for (const value of ['no', 'yes', 'on', 'off', '', ' 1', 'tru']) {
      expect(() => scan(value)).toThrow(
        `DOCKER_EXPORTER_NO_SCAN: expected true, 1, false or 0 (for --no-scan), got ${JSON.stringify(value)}`,
      );
    }
  });

  it('takes DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI does, the flags winning', () => {
    // The docker CLI turns verification on for any non-empty value, "0" too.
    expect(run([], { DOCKER_TLS_VERIFY: '1' }).docker.tlsVerify).toBe(true);
    expect(run([], { DOCKER_TLS_VERIFY: '0' }).docker.tlsVerify).toBe(true);
    expect(run([], { DOCKER_TLS_VERIFY: '' }).docker.tlsVerify).toBe(false);
    expect(run(['--no-docker.tls-verify'], { DOCKER_TLS_VERIFY: '1' }).docker.tlsVerify).toBe(false);
    expect(run(['--docker.tls-verify']).docker.tlsVerify).toBe(true);
    expect(run([], { DOCKER_TLS_VERIFY: '1', DOCKER_EXPORTER_DOCKER_TLS_VERIFY: 'false' }).docker.tlsVerify).toBe(false);
    expect(run([], { DOCKER_CERT_PATH: '/etc/docker-client' }).docker.certPath).toBe('/etc/docker-client');
    expect(run(['--docker.cert-path', '/c'], { DOCKER_CERT_PATH: '/etc/docker-client' }).docker.certPath).toBe('/c');
  });

  it.each([
    [['--docker.timeout', 'soon'], '--docker.timeout'],
    [['--docker.timeout', '0s'], '--docker.timeout'],
    [['--docker.host', 'http://x'], '--docker.host'],
    [['--docker.host', 'unix://relative.sock'], '--docker.host'],
    [['--web.listen-address', '9326'], '--web.listen-address'],
    [['--web.listen-address', ':99999'], '--web.listen-address'],
    [['--web.telemetry-path', 'metrics'], '--web.telemetry-path'],
    [['--log.level', 'loud'], '--log.level'],
    [['--log.format', 'xml'], '--log.format'],
    [['--collector.container-labels', 'a.b,a-b'], '--collector.container-labels: "a.b" and "a-b" would both be label_a_b'],
    [['--collector.container-labels', 'owner,,team'], '--collector.container-labels: an empty label key'],
    [['--no-such-flag'], 'no-such-flag'],
    [['positional'], 'positional'],
  ])('%j is refused, naming %s', (argv, flag) => {
    expect(() => parseConfig(argv, {})).toThrow(flag);
  });

  it('takes container label keys, comma-separated, spaces around them ignored', () => {
    expect(run(['--collector.container-labels', 'owner, com.example.team'])).toMatchObject({
      containerLabels: ['owner', 'com.example.team'],
    });
    expect(run([])).toMatchObject({ containerLabels: [] });
  });

  it('says which commands exist when the command is unknown', () => {
    expect(() => parseConfig(['chek'], {})).toThrow('unknown command "chek"; the commands are check, plan, textfile, reclaim');
  });

  it('explains a negative number instead of calling it ambiguous', () => {
    expect(() => parseConfig(['check', '--limit', '-1'], {})).toThrow('--limit: expected a whole number from 0 to 999999, got "-1"');
  });

  it("names the command a flag belongs to, and ignores another command's environment", () => {
    expect(() => parseConfig(['check', '--web.listen-address', ':1'], {})).toThrow(
      '--web.listen-address: not a flag of check; it belongs to the exporter',
    );
    expect(parseConfig(['check'], { DOCKER_EXPORTER_WEB_LISTEN_ADDRESS: 'nonsense' }).kind).toBe('check');
    expect(() => parseConfig([], { DOCKER_EXPORTER_WEB_LISTEN_ADDRESS: 'nonsense' })).toThrow('--web.listen-address');
  });

  it('takes -h as --help, for the exporter and for each command', () => {
    expect(parseConfig(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseConfig(['check', '-h'], {})).toEqual({ kind: 'help', command: 'check' });
  });

  it('lists the commands, each with one line, in --help', () => {
    const help = helpText('docker-daemon-exporter');
    expect(help).toMatch(/^ {2}check {5}Report once/m);
    expect(help).toMatch(/^ {2}textfile {2}Collect once/m);
  });

  it('knows --help and --version', () => {
    expect(parseConfig(['--help'], {}).kind).toBe('help');
    expect(parseConfig(['--version'], {}).kind).toBe('version');
  });
});

describe('parseListenAddress', () => {
  it.each([
    [':9326', { port: 9326 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9326', { host: '::1', port: 9326 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('%s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });
});

describe('parseDuration', () => {
  it.each([
    ['5s', 5000],
    ['500ms', 500],
    ['1m30s', 90000],
    ['15m', 900000],
    ['1.5s', 1500],
    ['2h', 7_200_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '5', 's', '5 s', '-5s', '5d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('the flag table of docs/flags.md', () => {
  it('lists every flag of every command, as --help describes it', () => {
    const readme = readFileSync(path.join(__dirname, '../../../docs/flags.md'), 'utf8');
    expect(readme).toContain(flagTable());
  });
});
