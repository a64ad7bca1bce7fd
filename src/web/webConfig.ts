import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createSecureContext, SecureVersion } from 'node:tls';
import { parse as parseYaml } from 'yaml';

/**
 * The exporter-toolkit web configuration file that operators already write for
 * node_exporter (--web.config.file): TLS, basic auth with bcrypt hashes, and
 * response headers.
 */
export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';

export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  clientAuthType: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
}

export interface WebConfig {
  tls?: TlsSettings;
  headers: Record<string, string>;
  /** user → bcrypt hash */
  users: Map<string, string>;
  /** Settings read but not applied here (the log says so). */
  ignored: string[];
}

export class WebConfigError extends Error {}

const CLIENT_AUTH: readonly ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];
const VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };
// The headers exporter-toolkit lets operators set; the rest are the exporter's own business.
const HEADERS = ['Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'X-XSS-Protection', 'Content-Security-Policy'];
const BCRYPT = /^\$2[aby]?\$\d{2}\$[./A-Za-z0-9]{53}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function keysOf(obj: Obj, where: string, known: string[], tolerated: string[], ignored: string[]): void {
  for (const key of Object.keys(obj)) {
    if (tolerated.includes(key)) ignored.push(`${where}${key}`);
    else if (!known.includes(key)) throw new WebConfigError(`${where}${key}: unknown setting`);
  }
}

function str(obj: Obj, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new WebConfigError(`${where}${key}: expected a string`);
  return value;
}

function readFile(file: string, base: string, what: string): Buffer {
  const full = path.resolve(base, file);
  try {
    return readFileSync(full);
  } catch (err) {
    throw new WebConfigError(`${what}: cannot read ${full}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
}

/** Parses and checks a web configuration; files it names are read relative to the file's own directory. */
export function parseWebConfig(text: string, base: string): WebConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new WebConfigError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const config: WebConfig = { headers: {}, users: new Map(), ignored: [] };
  if (doc === null || doc === undefined) return config;
  if (!isObj(doc)) throw new WebConfigError('expected a mapping at the top');
  keysOf(doc, '', ['tls_server_config', 'http_server_config', 'basic_auth_users'], [], config.ignored);

  const tls = doc['tls_server_config'];
  if (tls !== undefined && tls !== null) {
    if (!isObj(tls)) throw new WebConfigError('tls_server_config: expected a mapping');
    const w = 'tls_server_config.';
    keysOf(tls, w, ['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version'], ['cipher_suites', 'curve_preferences', 'prefer_server_cipher_suites', 'client_allowed_sans'], config.ignored);
    const certFile = str(tls, 'cert_file', w);
    const keyFile = str(tls, 'key_file', w);
    if (!certFile || !keyFile) throw new WebConfigError(`${w}cert_file and ${w}key_file are both required`);
    const clientAuthType = (str(tls, 'client_auth_type', w) ?? 'NoClientCert') as ClientAuthType;
    if (!CLIENT_AUTH.includes(clientAuthType)) throw new WebConfigError(`${w}client_auth_type: expected one of ${CLIENT_AUTH.join(', ')}`);
    const caFile = str(tls, 'client_ca_file', w);
    if ((clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert') && !caFile) {
      throw new WebConfigError(`${w}client_ca_file: required with client_auth_type ${clientAuthType}`);
    }
    const version = (key: string): SecureVersion | undefined => {
      const text = str(tls, key, w);
      if (text === undefined) return undefined;
      const v = VERSIONS[text];
      if (!v) throw new WebConfigError(`${w}${key}: expected one of ${Object.keys(VERSIONS).join(', ')}`);
      return v;
    };
    const settings: TlsSettings = {
      cert: readFile(certFile, base, `${w}cert_file`),
      key: readFile(keyFile, base, `${w}key_file`),
      ca: caFile ? readFile(caFile, base, `${w}client_ca_file`) : undefined,
      clientAuthType,
      minVersion: version('min_version') ?? 'TLSv1.2',
      maxVersion: version('max_version'),
    };
    try {
      createSecureContext({ cert: settings.cert, key: settings.key, ca: settings.ca, minVersion: settings.minVersion, maxVersion: settings.maxVersion });
    } catch (err) {
      throw new WebConfigError(`tls_server_config: the certificate, key or CA cannot be used: ${(err as Error).message}`);
    }
    config.tls = settings;
  }

  const http = doc['http_server_config'];
  if (http !== undefined && http !== null) {
    if (!isObj(http)) throw new WebConfigError('http_server_config: expected a mapping');
    keysOf(http, 'http_server_config.', ['headers'], ['http2'], config.ignored);
    const headers = http['headers'];
    if (headers !== undefined && headers !== null) {
      if (!isObj(headers)) throw new WebConfigError('http_server_config.headers: expected a mapping');
      for (const [name, value] of Object.entries(headers)) {
        const canonical = HEADERS.find((h) => h.toLowerCase() === name.toLowerCase());
        if (!canonical) throw new WebConfigError(`http_server_config.headers.${name}: not a header that can be set (${HEADERS.join(', ')})`);
        if (typeof value !== 'string' || /[\r\n]/.test(value)) throw new WebConfigError(`http_server_config.headers.${name}: expected a one-line string`);
        config.headers[canonical] = value;
      }
    }
  }

  const users = doc['basic_auth_users'];
  if (users !== undefined && users !== null) {
    if (!isObj(users)) throw new WebConfigError('basic_auth_users: expected a mapping of user names to bcrypt hashes');
    for (const [user, hash] of Object.entries(users)) {
      if (user.includes(':')) throw new WebConfigError(`basic_auth_users.${user}: a user name cannot contain ":"`);
      if (typeof hash !== 'string' || !BCRYPT.test(hash)) throw new WebConfigError(`basic_auth_users.${user}: expected a bcrypt hash ($2y$10$…)`);
      config.users.set(user, hash);
    }
  }
  return config;
}

export function loadWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(`cannot read ${file}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  return parseWebConfig(text, path.dirname(path.resolve(file)));
}
