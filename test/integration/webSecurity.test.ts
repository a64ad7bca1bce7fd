import bcrypt from 'bcryptjs';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { TestExporter } from '../helpers/exporter';
import { TestPrometheus } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { httpsRequest, issueCertificate, makePki, TestPki } from '../helpers/tls';
import { tempDir } from '../helpers/tempDir';

const info = { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 1 };

/** The exporter behind TLS and basic auth, as an operator configures node_exporter. */
describe('with --web.config.file: TLS, basic auth, headers', () => {
  const dir = tempDir('web');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const webConfig = path.join(dir, 'web.yml');
  let pki: TestPki;
  let url = '';
  const writeConfig = (password: string) =>
    writeFileSync(
      webConfig,
      `tls_server_config:
  cert_file: server.crt
  key_file: server.key
  min_version: TLS12
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: ${bcrypt.hashSync(password, 10)}
`,
    );

  beforeAll(async () => {
    pki = makePki(dir);
    writeConfig('s3cret');
    await server.start();
    await exporter.start([
      '--docker.host',
      server.host,
      '--web.config.file',
      webConfig,
      '--no-scan',
      '--docker.pid-file',
      path.join(dir, 'none.pid'),
    ]);
    url = exporter.url.replace('http://', 'https://');
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('serves metrics over TLS to the right user, with the configured headers', async () => {
    const res = await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth: 'prometheus:s3cret' });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^docker_up 1$/m);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('answers 401 to a wrong password, an unknown user and no credentials', async () => {
    for (const auth of ['prometheus:wrong', 'mallory:s3cret', undefined]) {
      const res = await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth });
      expect([auth, res.status]).toEqual([auth, 401]);
      expect(res.headers['www-authenticate']).toBe('Basic realm="docker-daemon-exporter"');
      expect(res.body).not.toContain('docker_up');
    }
  });

  it('refuses plain HTTP on the TLS port', async () => {
    const answer = await fetch(`${exporter.url}/metrics`).then(
      (res) => `status ${res.status}`,
      (err: unknown) => `refused: ${err instanceof Error ? err.message : String(err)}`,
    );
    expect(answer).toMatch(/^refused|^status 400$/);
  });

  it('answers only its own paths (404) and only GET and HEAD (405)', async () => {
    const auth = 'prometheus:s3cret';
    expect((await httpsRequest(`${url}/debug/pprof`, { ca: pki.caCert, auth })).status).toBe(404);
    expect((await httpsRequest(`${url}/metrics/../etc/passwd`, { ca: pki.caCert, auth })).status).toBe(404);
    const post = await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth, method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect((await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth, method: 'HEAD' })).status).toBe(200);
    for (const p of ['/', '/-/healthy', '/-/ready'])
      expect([p, (await httpsRequest(`${url}${p}`, { ca: pki.caCert, auth })).status]).toEqual([p, 200]);
  });

  it('is scraped by a real Prometheus through TLS with basic auth', async () => {
    const prometheus = new TestPrometheus(path.join(dir, 'prometheus'));
    try {
      await prometheus.start(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: docker
    scheme: https
    tls_config:
      ca_file: ${pki.caCert}
    basic_auth:
      username: prometheus
      password: s3cret
    static_configs:
      - targets: ['${url.replace('https://', '')}']
  - job_name: docker-wrong-password
    scheme: https
    tls_config:
      ca_file: ${pki.caCert}
    basic_auth:
      username: prometheus
      password: guess
    static_configs:
      - targets: ['${url.replace('https://', '')}']
`);
      const result = await waitFor('Prometheus to scrape both jobs', async () => {
        const res = await prometheus.query('up');
        return res.data && res.data.result.length === 2 ? res.data.result : undefined;
      });
      const up = Object.fromEntries(result.map((r) => [r.metric['job'], r.value[1]]));
      expect(up).toEqual({ docker: '1', 'docker-wrong-password': '0' });
      expect((await prometheus.query('docker_up{job="docker"}')).data?.result[0]?.value[1]).toBe('1');
    } finally {
      await prometheus.stop();
    }
  });

  it('re-reads the file when it changes: the new password works, the old one no longer does', async () => {
    writeConfig('n3w-s3cret');
    await waitFor(
      'the new password to be accepted',
      async () =>
        (await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth: 'prometheus:n3w-s3cret' })).status === 200 ? true : undefined,
      20000,
      500,
    );
    expect((await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth: 'prometheus:s3cret' })).status).toBe(401);
    await exporter.logged('web config reloaded');
  });

  it('keeps the working settings when the file is changed into something unusable', async () => {
    writeFileSync(webConfig, 'basic_auth_users: [not, a, map]\n');
    await waitFor(
      'the log to say so',
      () => (exporter.log().includes('web config changed but cannot be used') ? true : undefined),
      20000,
      500,
    );
    expect((await httpsRequest(`${url}/metrics`, { ca: pki.caCert, auth: 'prometheus:n3w-s3cret' })).status).toBe(200);
  });
});

describe('with client certificates required', () => {
  const dir = tempDir('mtls');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let pki: TestPki;

  beforeAll(async () => {
    pki = makePki(dir);
    writeFileSync(
      path.join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`,
    );
    await server.start();
    await exporter.start(['--docker.host', server.host, '--web.config.file', path.join(dir, 'web.yml'), '--no-scan']);
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('serves a client with a certificate from the CA and refuses one without', async () => {
    const url = `${exporter.url.replace('http://', 'https://')}/metrics`;
    expect((await httpsRequest(url, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey })).status).toBe(200);
    await expect(httpsRequest(url, { ca: pki.caCert })).rejects.toThrow();
  });
});

/** As node_exporter's web config does it: only certificates naming an allowed client get in, even from the right CA. */
describe('with client_allowed_sans', () => {
  const dir = tempDir('sans');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let pki: TestPki;
  let allowed: { cert: string; key: string };
  let other: { cert: string; key: string };

  beforeAll(async () => {
    pki = makePki(dir);
    allowed = issueCertificate(
      dir,
      'prom-a',
      '/CN=prom-a',
      'subjectAltName=DNS:prometheus-a.example,URI:spiffe://monitoring/prometheus\nextendedKeyUsage=clientAuth\n',
    );
    other = issueCertificate(dir, 'prom-b', '/CN=prom-b', 'subjectAltName=DNS:grafana.example,IP:10.0.0.9\nextendedKeyUsage=clientAuth\n');
    writeFileSync(
      path.join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [prometheus-a.example, 10.0.0.1]\n`,
    );
    await server.start();
    await exporter.start(['--docker.host', server.host, '--web.config.file', path.join(dir, 'web.yml'), '--no-scan']);
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('serves the certificate that carries an allowed name, refuses the one (same CA) that does not', async () => {
    const url = `${exporter.url.replace('http://', 'https://')}/metrics`;
    const ok = await httpsRequest(url, { ca: pki.caCert, cert: allowed.cert, key: allowed.key });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('docker_up 1');
    const refused = await httpsRequest(url, { ca: pki.caCert, cert: other.cert, key: other.key });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('client_allowed_sans');
    // A certificate without any alternative name at all.
    expect((await httpsRequest(url, { ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey })).status).toBe(403);
  });
});

describe('a web config that cannot be used', () => {
  const dir = tempDir('badweb');
  it.each([
    ['unknown_setting: 1\n', 'unknown_setting: unknown setting'],
    ['basic_auth_users:\n  admin: plaintext\n', 'basic_auth_users.admin: expected a bcrypt hash'],
    ['tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n', 'tls_server_config.cert_file: cannot read'],
    ['tls_server_config:\n  cert_file: a\n', 'cert_file (or cert) and tls_server_config.key_file (or key) are both required'],
    ['http_server_config:\n  http2: true\n', 'http_server_config.http2: HTTP/2 is not served by this exporter'],
    [
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [prometheus]\n',
      'client_allowed_sans: needs client_auth_type RequireAndVerifyClientCert, not NoClientCert',
    ],
    [
      // A self-signed certificate naming an allowed SAN would pass a name check on an unverified certificate.
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [prometheus]\n',
      'client_allowed_sans: RequireAnyClientCert never verifies the client certificate, so anyone can make one carrying an allowed name',
    ],
    ['http_server_config:\n  headers:\n    Set-Cookie: x\n', 'http_server_config.headers.Set-Cookie: not a header that can be set'],
    ['tls_server_config: [\n', 'not valid YAML'],
  ])('%j: exits 2 naming the problem', async (text, problem) => {
    const file = path.join(dir, `web-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    const { code, stderr } = await runCli(['--web.config.file', file, '--web.listen-address', '127.0.0.1:0']);
    expect(code).toBe(2);
    expect(stderr).toContain('--web.config.file');
    expect(stderr).toContain(problem);
  });

  it('a missing file: exits 2', async () => {
    const { code, stderr } = await runCli(['--web.config.file', path.join(dir, 'nope.yml')]);
    expect(code).toBe(2);
    expect(stderr).toContain('ENOENT');
  });
});
