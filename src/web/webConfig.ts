import { readFileSync } from 'node:fs';
import { errorCode, errorMessage } from '../util/errors';
import * as path from 'node:path';
import { createSecureContext, SecureVersion } from 'node:tls';
import { ClientAuthType, TlsSettings, tlsServerOptions } from './tlsOptions';

export type { ClientAuthType, TlsSettings };
import { parse as parseYaml } from 'yaml';

/** rate_limit: a token bucket over every request, as Go's rate.Limiter (interval between tokens, burst). */
export interface RateLimit {
  intervalMs: number;
  burst: number;
}

/**
 * The exporter-toolkit web configuration file that operators already write for
 * node_exporter (--web.config.file): TLS, basic auth with bcrypt hashes, and
 * response headers.
 */
export interface WebConfig {
  tls?: TlsSettings;
  headers: Record<string, string>;
  /** user → bcrypt hash */
  users: Map<string, string>;
  rateLimit?: RateLimit;
}

export class WebConfigError extends Error {}

const CLIENT_AUTH: readonly ClientAuthType[] = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
];
const VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
// The headers exporter-toolkit lets operators set; the rest are the exporter's own business.
const HEADERS = ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection', 'Content-Security-Policy'];
const BCRYPT = /^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's names of the TLS 1.2 cipher suites (crypto/tls constants) and OpenSSL's for the same suite. */
const CIPHER_SUITES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
};
/** TLS 1.3's suites: Go accepts the names and does not let them be configured; so here. */
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
/** Go's crypto/tls CurveID names and OpenSSL's. */
const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/** A Go duration as exporter-toolkit's rate_limit takes it (1s, 100ms, 1m30s; 0 turns the limit off). */
function goDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  let rest = text;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return text === '' ? undefined : total;
}

function readFile(file: string, base: string, what: string): Buffer {
  const full = path.resolve(base, file);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new WebConfigError(`${what}: cannot read ${full}: ${errorCode(err)}`);
  }
}

/**
 * A mapping of the file with its own path (`tls_server_config.`): every value
 * read through it, and every refusal, names the key where it is.
 */
class Section {
  constructor(
    readonly values: Obj,
    private readonly path = '',
  ) {}

  /** The key's full name, as messages give it. */
  where(key: string): string {
    return `${this.path}${key}`;
  }

  fail(key: string, message: string): never {
    throw new WebConfigError(`${this.where(key)}: ${message}`);
  }

  /** Every key of the mapping must be one this exporter applies: a setting it would not honour is refused, never dropped. */
  keys(known: readonly string[]): void {
    for (const key of Object.keys(this.values)) {
      if (!known.includes(key)) this.fail(key, `unknown setting (this exporter applies ${known.join(', ')})`);
    }
  }

  str(key: string): string | undefined {
    const value = this.values[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') this.fail(key, 'expected a string');
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(key, 'expected true or false');
    return value;
  }

  strings(key: string): string[] | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) this.fail(key, 'expected a list of strings');
    return value as string[];
  }

  /** A mapping under `key`, carrying its path: absent (or empty) is undefined, anything but a mapping is refused. */
  section(key: string, expected = 'a mapping'): Section | undefined {
    const value = this.values[key];
    if (value === undefined || value === null) return undefined;
    if (!isObj(value)) this.fail(key, `expected ${expected}`);
    return new Section(value, `${this.where(key)}.`);
  }
}

/** Parses and checks a web configuration; files it names are read relative to the file's own directory. */
export function parseWebConfig(text: string, base: string): WebConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new WebConfigError(`not valid YAML: ${errorMessage(err).split('\n')[0]}`);
  }
  const config: WebConfig = { headers: {}, users: new Map() };
  if (doc === null || doc === undefined) return config;
  if (!isObj(doc)) throw new WebConfigError('expected a mapping at the top');
  const top = new Section(doc);
  top.keys(['tls_server_config', 'http_server_config', 'basic_auth_users', 'rate_limit']);
  const tls = top.section('tls_server_config');
  if (tls) config.tls = parseTlsServerConfig(tls, base);
  const http = top.section('http_server_config');
  if (http) config.headers = parseHttpServerConfig(http);
  const limit = top.section('rate_limit', 'a mapping with interval and burst');
  const rateLimit = limit ? parseRateLimit(limit) : undefined;
  if (rateLimit) config.rateLimit = rateLimit;
  const users = top.section('basic_auth_users', 'a mapping of user names to bcrypt hashes');
  if (users) config.users = parseUsers(users);
  return config;
}

const TLS_KEYS = [
  'cert',
  'key',
  'client_ca',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
];

/** tls_server_config: certificate and key, client certificates and their names, versions, suites, curves; checked by OpenSSL at the end. */
function parseTlsServerConfig(tls: Section, base: string): TlsSettings {
  tls.keys(TLS_KEYS);
  // Each of certificate, key and client CA inline or from a file, not both (exporter-toolkit's rule); files are read once every setting is checked.
  const pem = (inline: string, fileKey: string): (() => Buffer) | undefined => {
    const text = tls.str(inline);
    const file = tls.str(fileKey);
    if (text !== undefined && file !== undefined)
      throw new WebConfigError(`${tls.where(inline)} and ${tls.where(fileKey)}: give one of them, not both`);
    return text !== undefined ? () => Buffer.from(text) : file !== undefined ? () => readFile(file, base, tls.where(fileKey)) : undefined;
  };
  const certSource = pem('cert', 'cert_file');
  const keySource = pem('key', 'key_file');
  if (!certSource || !keySource)
    throw new WebConfigError(`${tls.where('cert_file')} (or cert) and ${tls.where('key_file')} (or key) are both required`);
  const clientAuthType = (tls.str('client_auth_type') ?? 'NoClientCert') as ClientAuthType;
  if (!CLIENT_AUTH.includes(clientAuthType)) tls.fail('client_auth_type', `expected one of ${CLIENT_AUTH.join(', ')}`);
  const caSource = pem('client_ca', 'client_ca_file');
  if ((clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert') && !caSource) {
    tls.fail('client_ca_file', `required with client_auth_type ${clientAuthType}`);
  }
  // A CA that is never used looks like client certificates are checked: refused, as exporter-toolkit refuses it.
  if (caSource && clientAuthType === 'NoClientCert') {
    tls.fail(
      'client_ca_file',
      'given with client_auth_type NoClientCert, which never asks for a client certificate: set client_auth_type (RequireAndVerifyClientCert) or remove the CA',
    );
  }
  const clientAllowedSans = allowedSans(tls, clientAuthType);
  const suites = cipherSuites(tls);
  const curves = curvePreferences(tls);
  const version = (key: string): SecureVersion | undefined => {
    const text = tls.str(key);
    if (text === undefined) return undefined;
    const v = VERSIONS[text];
    if (!v) tls.fail(key, `expected one of ${Object.keys(VERSIONS).join(', ')}`);
    return v;
  };
  const settings: TlsSettings = {
    cert: certSource(),
    key: keySource(),
    ...(caSource ? { ca: caSource() } : {}),
    clientAuthType,
    minVersion: version('min_version') ?? 'TLSv1.2',
    maxVersion: version('max_version'),
    ...(clientAllowedSans ? { clientAllowedSans } : {}),
    ...(suites ? { ciphers: suites } : {}),
    honorCipherOrder: tls.bool('prefer_server_cipher_suites') ?? true,
    ...(curves ? { ecdhCurve: curves } : {}),
  };
  checkWithOpenSsl(settings);
  return settings;
}

/**
 * client_allowed_sans: only with RequireAndVerifyClientCert. The other types let a client in without a
 * certificate, or (RequireAnyClientCert) with one nobody verified, which anyone can make carrying an
 * allowed name: checking names on it would look like access control and be none.
 */
function allowedSans(tls: Section, clientAuthType: ClientAuthType): string[] | undefined {
  const names = tls.strings('client_allowed_sans');
  if (names && clientAuthType === 'RequireAnyClientCert') {
    tls.fail(
      'client_allowed_sans',
      'RequireAnyClientCert never verifies the client certificate, so anyone can make one carrying an allowed name; use client_auth_type RequireAndVerifyClientCert with client_ca_file',
    );
  }
  if (names && clientAuthType !== 'RequireAndVerifyClientCert') {
    tls.fail('client_allowed_sans', `needs client_auth_type RequireAndVerifyClientCert, not ${clientAuthType}`);
  }
  return names;
}

/** cipher_suites in OpenSSL's names, colon-separated; TLS 1.3's names accepted and left out, as Go does. */
function cipherSuites(tls: Section): string | undefined {
  const names = tls.strings('cipher_suites')?.filter((name) => !TLS13_SUITES.includes(name));
  const openssl = names?.map((name) => {
    const suite = CIPHER_SUITES[name];
    if (!suite) tls.fail('cipher_suites', `${name} is not one of Go's TLS cipher suites (${Object.keys(CIPHER_SUITES).join(', ')})`);
    return suite;
  });
  return openssl && openssl.length > 0 ? openssl.join(':') : undefined;
}

/** curve_preferences in OpenSSL's names, colon-separated, in order. */
function curvePreferences(tls: Section): string | undefined {
  const curves = tls.strings('curve_preferences')?.map((name) => {
    const curve = CURVES[name];
    if (!curve) tls.fail('curve_preferences', `${name} is not one this exporter can offer (${Object.keys(CURVES).join(', ')})`);
    return curve;
  });
  return curves && curves.length > 0 ? curves.join(':') : undefined;
}

/** The certificate, key, CA, versions, suites and curves as OpenSSL will take them: refused now rather than at the first client. */
function checkWithOpenSsl(settings: TlsSettings): void {
  try {
    createSecureContext(tlsServerOptions(settings));
  } catch (err) {
    throw new WebConfigError(`tls_server_config: the certificate, key or CA cannot be used: ${errorMessage(err)}`);
  }
}

/** http_server_config: the headers to send; HTTP/2 refused (only HTTP/1.1 is served). */
function parseHttpServerConfig(http: Section): Record<string, string> {
  http.keys(['headers', 'http2']);
  // exporter-toolkit serves HTTP/2 over TLS unless told not to; this exporter serves HTTP/1.1 only (Prometheus scrapes either).
  if (http.bool('http2') === true) {
    http.fail(
      'http2',
      'HTTP/2 is not served by this exporter; set http2: false or leave it out (HTTP/1.1 is served, which Prometheus scrapes)',
    );
  }
  const out: Record<string, string> = {};
  const headers = http.section('headers');
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers.values)) {
    const canonical = HEADERS.find((h) => h.toLowerCase() === name.toLowerCase());
    if (!canonical) return headers.fail(name, `not a header that can be set (${HEADERS.join(', ')})`);
    if (typeof value !== 'string' || /[\r\n]/.test(value)) return headers.fail(name, 'expected a one-line string');
    out[canonical] = value;
  }
  return out;
}

/** rate_limit: interval and burst; an interval of 0 is no limit. */
function parseRateLimit(limit: Section): RateLimit | undefined {
  limit.keys(['interval', 'burst']);
  const intervalText = limit.values['interval'];
  const intervalMs = typeof intervalText === 'string' ? goDuration(intervalText) : intervalText === 0 ? 0 : undefined;
  if (intervalMs === undefined) limit.fail('interval', 'expected a duration such as 1s or 100ms (0: no limit)');
  const burst = limit.values['burst'];
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 0) limit.fail('burst', 'expected a whole number');
  if (intervalMs === 0) return undefined;
  if (burst === 0) limit.fail('burst', '0 would refuse every request; give at least 1');
  return { intervalMs, burst };
}

/** basic_auth_users: user names to bcrypt hashes. */
function parseUsers(users: Section): Map<string, string> {
  const out = new Map<string, string>();
  for (const [user, hash] of Object.entries(users.values)) {
    if (user.includes(':')) users.fail(user, 'a user name cannot contain ":"');
    if (typeof hash !== 'string' || !BCRYPT.test(hash)) users.fail(user, 'expected a bcrypt hash ($2y$10$…)');
    out.set(user, hash);
  }
  return out;
}

export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(`cannot read ${file}: ${errorCode(err)}`);
  }
  return parseWebConfig(text, path.dirname(path.resolve(file)));
}
