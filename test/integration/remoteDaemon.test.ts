import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { Metrics, TestExporter } from '../helpers/exporter';
import { freePort } from '../helpers/monitoring';
import { startLogged, stopPid, untilAnswering, which } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';
import { makePki } from '../helpers/tls';

/** The docker CLI's environment, and nothing of ours: the exporter must find its way with these alone. */
function dockerEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...vars };
  return env;
}

/** ca.pem, cert.pem and key.pem in a directory, as DOCKER_CERT_PATH names it. */
function certDir(dir: string, files: { ca: string; cert: string; key: string }): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(files.ca, path.join(dir, 'ca.pem'));
  copyFileSync(files.cert, path.join(dir, 'cert.pem'));
  copyFileSync(files.key, path.join(dir, 'key.pem'));
  return dir;
}

/**
 * A real dockerd listening on 127.0.0.1 with --tlsverify, read as an operator
 * reads a remote daemon: DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
 */
describe('a real dockerd behind TLS (--tlsverify)', () => {
  const dir = tempDir('tls-daemon');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const pki = makePki(dir);
  const stranger = makePki(tempDir('tls-stranger'));
  const good = certDir(path.join(dir, 'client'), { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey });
  /** Right client certificate, but a CA that did not sign the daemon's. */
  const wrongCa = certDir(path.join(dir, 'wrong-ca'), { ca: stranger.caCert, cert: pki.clientCert, key: pki.clientKey });
  /** Right CA, but a client certificate the daemon's CA did not sign. */
  const wrongClient = certDir(path.join(dir, 'wrong-client'), { ca: pki.caCert, cert: stranger.clientCert, key: stranger.clientKey });
  let host = '';
  const exporters: TestExporter[] = [];

  beforeAll(async () => {
    const port = await freePort();
    host = `tcp://127.0.0.1:${port}`;
    await daemon.start({
      args: ['--host', host, '--tlsverify', '--tlscacert', pki.caCert, '--tlscert', pki.serverCert, '--tlskey', pki.serverKey],
    });
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'tls-web', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '-d', '--name', 'tls-host', '--network', 'host', 'busybox:test', 'sleep', '1000');
  });

  afterAll(async () => {
    for (const exporter of exporters) await exporter.stop();
    await daemon.stop();
  });

  const serve = async (env: NodeJS.ProcessEnv, args: string[] = []) => {
    const exporter = new TestExporter(path.join(dir, `exporter-${exporters.length}.log`));
    exporters.push(exporter);
    await exporter.start(['--docker.pid-file', daemon.pidFile, '--docker.timeout', '3s', ...args], undefined, env);
    return exporter;
  };

  it('is scraped through DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH alone, with GETs only', async () => {
    const version = (await daemon.docker('version', '--format', '{{.Server.Version}}')).trim();
    const before = daemon.apiCalls().length;
    const exporter = await serve(dockerEnv({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: good }));
    const m = await exporter.scrape();
    const calls = daemon.apiCalls().slice(before);
    expect(m.value('docker_up')).toBe(1);
    expect(m.all('docker_engine_info')[0]?.labels['version']).toBe(version);
    const counts = Object.fromEntries(m.all('docker_containers').map((s) => [`${s.labels['state']}/${s.labels['network_mode']}`, s.value]));
    expect(counts).toEqual({ 'created/bridge': 1, 'running/host': 1 });
    expect(m.all('docker_container_host_network_info').map((s) => s.labels['name'])).toEqual(['tls-host']);
    await exporter.logged(/msg=listening .*docker_host="?tcp:\/\/127\.0\.0\.1:\d+ \(TLS\)/);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => !c.startsWith('GET '))).toEqual([]);
  });

  it('check, plan and textfile read it the same way', async () => {
    const env = dockerEnv({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: good });
    const check = await runCli(['check', '--format', 'json', '--no-scan', '--docker.pid-file', daemon.pidFile], env);
    const report = JSON.parse(check.stdout) as { daemon: { reachable: boolean; version?: string }; exit_code: number };
    expect(report.daemon).toMatchObject({
      reachable: true,
      version: (await daemon.docker('version', '--format', '{{.Server.Version}}')).trim(),
    });
    expect(check.code).toBe(report.exit_code);
    expect(check.code).not.toBe(3);

    const plan = await runCli(['plan', '--format', 'json', '--docker.pid-file', daemon.pidFile], env);
    expect(plan.code).toBe(0);
    const parsed = JSON.parse(plan.stdout) as { containers: { name: string }[] };
    expect(parsed.containers.map((c) => c.name).sort()).toEqual(['tls-host', 'tls-web']);

    const output = path.join(dir, 'textfile.prom');
    const textfile = await runCli(['textfile', '--no-scan', '--output', output, '--docker.pid-file', daemon.pidFile], env);
    expect(textfile.code).toBe(0);
    expect(new Metrics(readFileSync(output, 'utf8')).value('docker_up')).toBe(1);
  });

  it.each([
    ['a CA that did not sign the daemon', () => wrongCa, /certificate/i],
    ['a client certificate the daemon does not trust', () => wrongClient, /./],
  ])('with %s: docker_up 0, the TLS failure logged, check exit 3 with the reason; no hang', async (_what, certs, logged) => {
    const env = dockerEnv({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs() });
    const exporter = await serve(env);
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(0);
    const log = await exporter.logged(/level=(warn|error) .*GET \/_ping/);
    expect(log).toMatch(logged);
    // Still serving: a second scrape answers the same.
    expect((await exporter.scrape()).value('docker_up')).toBe(0);

    const check = await runCli(['check', '--format', 'json', '--no-scan', '--docker.pid-file', daemon.pidFile], env);
    expect(check.code).toBe(3);
    const report = JSON.parse(check.stdout) as {
      daemon: { reachable: boolean; reason?: string; error?: string };
      verdict: { next_steps: string[] };
    };
    expect(report.daemon.reachable).toBe(false);
    expect(report.daemon.error).toMatch(/^GET \/_ping: /);
    if (certs() === wrongCa) {
      expect(report.daemon.reason).toBe('tls');
      expect(report.verdict.next_steps.join(' ')).toMatch(/TLS handshake .* failed/);
    }
  });

  it('plain HTTP to the TLS daemon: check says to turn TLS on', async () => {
    const check = await runCli(['check', '--no-scan', '--docker.pid-file', daemon.pidFile], dockerEnv({ DOCKER_HOST: host }));
    expect(check.code).toBe(3);
    expect(check.stdout).toContain('the daemon speaks TLS: set --docker.tls-verify or DOCKER_TLS_VERIFY=1');
  });

  it("a daemon on another host: its configuration and data root are not this host's to read, and reclaim refuses", async () => {
    // This host's own non-loopback address, in front of the daemon's unix socket: what the exporter sees of a daemon elsewhere.
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    if (!address) throw new Error('this machine has no non-loopback IPv4 address to play a remote daemon on');
    const proxy = net.createServer((client) => {
      const upstream = net.connect(daemon.socket);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, address, resolve));
    const remote = `tcp://${address}:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const check = await runCli(['check', '--format', 'json', '--docker.pid-file', daemon.pidFile], dockerEnv({ DOCKER_HOST: remote }));
      const report = JSON.parse(check.stdout) as {
        daemon: { reachable: boolean };
        data_root_scan: string;
        storage_driver: { explicit: { known: boolean; reason?: string } };
      };
      expect(report.daemon.reachable).toBe(true);
      expect(report.data_root_scan).toBe('skipped');
      expect(report.storage_driver.explicit).toEqual({
        known: false,
        reason: `the daemon is on another host (${remote}): its command line and daemon.json are not readable from here`,
      });
      const reclaim = await runCli(['reclaim', '--yes'], dockerEnv({ DOCKER_HOST: remote }));
      expect(reclaim.code).toBe(2);
      expect(reclaim.stdout).toContain(`reclaim: refused: ${remote} is a daemon on another host`);
    } finally {
      proxy.close();
    }
  });

  it('refuses to start when DOCKER_CERT_PATH holds no certificates, naming the flag', async () => {
    const empty = tempDir('tls-empty');
    const check = await runCli(['check'], dockerEnv({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: empty }));
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(`--docker.cert-path: none of ca.pem, cert.pem, key.pem in ${empty}`);
  });
});

const SSHD = '/usr/sbin/sshd';

/**
 * ssh://, as docker contexts use it: a real sshd on 127.0.0.1 with key
 * authentication; the far side runs `docker system dial-stdio` (the docker
 * CLI there) against a real dockerd.
 */
(existsSync(SSHD) && which('docker') ? describe : describe.skip)('a real dockerd over ssh://', () => {
  const dir = tempDir('ssh-daemon');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const sshdLog = path.join(dir, 'sshd.log');
  const privsep = '/run/sshd';
  let madePrivsep = false;
  let sshdPid: number | undefined;
  let host = '';
  const exporters: TestExporter[] = [];
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);

  beforeAll(async () => {
    await daemon.start();
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'ssh-web', 'busybox:test', 'true');
    keygen(path.join(dir, 'host_key'));
    keygen(path.join(dir, 'id_ed25519'));
    keygen(path.join(dir, 'other_host_key'));
    writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'id_ed25519.pub')));
    const port = await freePort();
    host = `ssh://root@127.0.0.1:${port}`;
    const hostKey = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const otherKey = readFileSync(path.join(dir, 'other_host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(path.join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
    writeFileSync(path.join(dir, 'wrong_known_hosts'), `[127.0.0.1]:${port} ${otherKey}\n`);
    writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        // The far side's docker CLI reaches this test's daemon, not the system's.
        `SetEnv DOCKER_HOST=${daemon.host}`,
        '',
      ].join('\n'),
    );
    if (!existsSync(privsep)) {
      mkdirSync(privsep, { mode: 0o755 });
      madePrivsep = true;
    }
    const child = startLogged(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], sshdLog);
    sshdPid = child.pid;
    await untilAnswering(
      child,
      'sshd',
      `127.0.0.1:${port}`,
      async () => readFileSync(sshdLog, 'utf8').includes('Server listening'),
      () => readFileSync(sshdLog, 'utf8'),
    );
  });

  afterAll(async () => {
    for (const exporter of exporters) await exporter.stop();
    await stopPid(sshdPid);
    if (madePrivsep) rmdirSync(privsep);
    await daemon.stop();
  });

  const sshArgs = (knownHosts: string) => [
    '--docker.host',
    host,
    '--docker.ssh-identity',
    path.join(dir, 'id_ed25519'),
    '--docker.ssh-known-hosts',
    path.join(dir, knownHosts),
  ];

  it('is scraped over ssh, the host key checked against known_hosts', async () => {
    const exporter = new TestExporter(path.join(dir, 'exporter.log'));
    exporters.push(exporter);
    await exporter.start(
      [...sshArgs('known_hosts'), '--docker.pid-file', daemon.pidFile, '--docker.timeout', '5s'],
      undefined,
      dockerEnv({}),
    );
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_containers', { state: 'created', network_mode: 'bridge' })).toBe(1);
    const check = await runCli(
      ['check', '--format', 'json', '--no-scan', ...sshArgs('known_hosts'), '--docker.pid-file', daemon.pidFile],
      dockerEnv({}),
    );
    expect(check.code).not.toBe(3);
    expect(JSON.parse(check.stdout)).toMatchObject({ daemon: { reachable: true } });
  });

  it('refuses a host whose key is not the one known_hosts lists: docker_up 0, check exit 3 saying so', async () => {
    const exporter = new TestExporter(path.join(dir, 'exporter-wrong.log'));
    exporters.push(exporter);
    await exporter.start(
      [...sshArgs('wrong_known_hosts'), '--docker.pid-file', daemon.pidFile, '--docker.timeout', '5s'],
      undefined,
      dockerEnv({}),
    );
    expect((await exporter.scrape()).value('docker_up')).toBe(0);
    await exporter.logged(/the host key of \[127\.0\.0\.1\]:\d+ is not the one listed in/);
    const check = await runCli(['check', '--format', 'json', '--no-scan', ...sshArgs('wrong_known_hosts')], dockerEnv({}));
    expect(check.code).toBe(3);
    expect(JSON.parse(check.stdout)).toMatchObject({ daemon: { reachable: false, reason: 'ssh' } });
  });
});
