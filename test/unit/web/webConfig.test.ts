import { parseWebConfig, WebConfigError } from '../../../src/web/webConfig';

const HASH = '$2y$10$' + 'a'.repeat(53);

describe('parseWebConfig', () => {
  it('reads an empty file as no TLS, no users, no headers', () => {
    expect(parseWebConfig('', '/')).toEqual({ headers: {}, users: new Map(), ignored: [] });
  });

  it('reads users and headers, with header names in their canonical spelling', () => {
    const config = parseWebConfig(`basic_auth_users:\n  prometheus: ${HASH}\nhttp_server_config:\n  headers:\n    x-frame-options: DENY\n`, '/');
    expect(config.users).toEqual(new Map([['prometheus', HASH]]));
    expect(config.headers).toEqual({ 'X-Frame-Options': 'DENY' });
  });

  it('accepts settings it does not apply, and says which', () => {
    const config = parseWebConfig('http_server_config:\n  http2: true\n', '/');
    expect(config.ignored).toEqual(['http_server_config.http2']);
  });

  it.each([
    ['tls_server_config: [1]', 'tls_server_config: expected a mapping'],
    ['tls_server_config:\n  cert_file: a.crt', 'cert_file and tls_server_config.key_file are both required'],
    ['tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: Sometimes', 'client_auth_type: expected one of'],
    ['tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert', 'client_ca_file: required'],
    ['tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key', 'cert_file: cannot read /nonexistent.crt: ENOENT'],
    ['basic_auth_users:\n  alice: plaintext', 'basic_auth_users.alice: expected a bcrypt hash'],
    [`basic_auth_users:\n  "a:b": ${HASH}`, 'cannot contain ":"'],
    ['http_server_config:\n  headers:\n    Set-Cookie: x', 'not a header that can be set'],
    ['nonsense: [', 'not valid YAML'],
    ['- a list', 'expected a mapping at the top'],
  ])('refuses %j, naming the setting', (text, message) => {
    expect(() => parseWebConfig(text, '/')).toThrow(WebConfigError);
    expect(() => parseWebConfig(text, '/')).toThrow(message);
  });
});
