import { readFileSync } from 'node:fs';
import { parseWebConfig, WebConfigError } from '../../../src/web/webConfig';
import { tempDir } from '../../helpers/tempDir';
import { makePki } from '../../helpers/tls';

const HASH = '$2y$10$' + 'a'.repeat(53);

describe('parseWebConfig', () => {
  it('reads an empty file as no TLS, no users, no headers', () => {
    expect(parseWebConfig('', '/')).toEqual({ headers: {}, users: new Map() });
  });

  it('reads users and headers, with header names in their canonical spelling', () => {
    const config = parseWebConfig(
      `basic_auth_users:\n  prometheus: ${HASH}\nhttp_server_config:\n  headers:\n    x-frame-options: DENY\n`,
      '/',
    );
    expect(config.users).toEqual(new Map([['prometheus', HASH]]));
    expect(config.headers).toEqual({ 'X-Frame-Options': 'DENY' });
  });

  it('applies every exporter-toolkit TLS setting: inline PEM, allowed names, cipher suites in OpenSSL names, curves, cipher order', () => {
    const pki = makePki(tempDir('webconfig'));
    const inline = (file: string) => JSON.stringify(readFileSync(file, 'utf8'));
    const config = parseWebConfig(
      [
        'tls_server_config:',
        `  cert: ${inline(pki.serverCert)}`,
        `  key: ${inline(pki.serverKey)}`,
        `  client_ca: ${inline(pki.caCert)}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_allowed_sans: [prometheus.example, "::1"]',
        '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]',
        '  curve_preferences: [X25519, CurveP256]',
        '  prefer_server_cipher_suites: false',
        'http_server_config:',
        '  http2: false',
      ].join('\n'),
      '/',
    );
    expect(config.tls).toMatchObject({
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      clientAllowedSans: ['prometheus.example', '::1'],
      // TLS 1.3's suites are accepted and not configurable, as in Go.
      ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305',
      ecdhCurve: 'X25519:P-256',
      honorCipherOrder: false,
    });
  });

  it('reads rate_limit as Go durations; interval 0 is no limit', () => {
    expect(parseWebConfig('rate_limit:\n  interval: 1m30s\n  burst: 20\n', '/').rateLimit).toEqual({ intervalMs: 90000, burst: 20 });
    expect(parseWebConfig('rate_limit:\n  interval: 100ms\n  burst: 1\n', '/').rateLimit).toEqual({ intervalMs: 100, burst: 1 });
    expect(parseWebConfig('rate_limit:\n  interval: 0\n  burst: 5\n', '/').rateLimit).toBeUndefined();
  });

  it.each([
    ['tls_server_config: [1]', 'tls_server_config: expected a mapping'],
    ['tls_server_config:\n  cert_file: a.crt', 'cert_file (or cert) and tls_server_config.key_file (or key) are both required'],
    ['tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: Sometimes', 'client_auth_type: expected one of'],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert',
      'client_ca_file: required',
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_ca: x',
      'client_ca_file: given with client_auth_type NoClientCert, which never asks for a client certificate',
    ],
    ['tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key', 'cert_file: cannot read /nonexistent.crt: ENOENT'],
    ['basic_auth_users:\n  alice: plaintext', 'basic_auth_users.alice: expected a bcrypt hash'],
    [`basic_auth_users:\n  "a:b": ${HASH}`, 'cannot contain ":"'],
    ['http_server_config:\n  headers:\n    Set-Cookie: x', 'not a header that can be set'],
    ['nonsense: [', 'not valid YAML'],
    ['http_server_config:\n  http2: true', 'http_server_config.http2: HTTP/2 is not served by this exporter'],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_allowed_sans: [x]',
      'client_allowed_sans: needs client_auth_type',
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: [x]',
      'client_allowed_sans: RequireAnyClientCert never verifies the client certificate',
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n  cert: x\n  key_file: a.key',
      'tls_server_config.cert and tls_server_config.cert_file: give one of them, not both',
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]',
      "cipher_suites: TLS_RSA_WITH_RC4_128_SHA is not one of Go's TLS cipher suites",
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  curve_preferences: [X25519MLKEM768]',
      'curve_preferences: X25519MLKEM768 is not one this exporter can offer',
    ],
    [
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  session_tickets: false',
      'tls_server_config.session_tickets: unknown setting',
    ],
    ['rate_limit:\n  interval: soon\n  burst: 1', 'rate_limit.interval: expected a duration'],
    ['rate_limit:\n  interval: 1s\n  burst: 0', 'rate_limit.burst: 0 would refuse every request'],
    ['- a list', 'expected a mapping at the top'],
  ])('refuses %j, naming the setting', (text, message) => {
    expect(() => parseWebConfig(text, '/')).toThrow(WebConfigError);
    expect(() => parseWebConfig(text, '/')).toThrow(message);
  });
});
