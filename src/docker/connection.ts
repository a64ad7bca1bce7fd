import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectionSettings } from '../config/config';
import { DockerEndpoint } from '../parse/dockerHost';
import { KnownHost, parseKnownHosts } from '../parse/knownHosts';
import { errorCode, errorMessage } from '../util/errors';

export interface ClientTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** Everything needed to reach the daemon, files read. */
export type DockerConnection =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: ClientTls }
  | {
      kind: 'ssh';
      host: string;
      port: number;
      username: string;
      privateKey?: Buffer;
      /** The ssh agent's socket (SSH_AUTH_SOCK). */
      agent?: string;
      knownHosts: KnownHost[];
      knownHostsFile: string;
    };

/** A connection flag that cannot be used: the message starts with the flag. */
export class ConnectionError extends Error {}

/** `~/x` as the shell would expand it: flags' defaults are shown with `~`. */
export function expandHome(file: string, home = os.homedir()): string {
  return file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
}

/** A file that could not be read, in a few words (the path is already in the message). */
function fileProblem(err: unknown): string {
  const code = errorCode(err);
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'a directory, not a file'
        : errorMessage(err);
}

function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The certificates of --docker.cert-path as the docker CLI takes them: each of
 * ca.pem, cert.pem and key.pem that exists is used (no ca.pem: the system's
 * roots); cert.pem and key.pem go together.
 */
function loadTls(certPath: string): ClientTls {
  const dir = expandHome(certPath);
  const fail = (problem: string): never => {
    throw new ConnectionError(`--docker.cert-path: ${problem}`);
  };
  let files: Record<'ca' | 'cert' | 'key', Buffer | undefined>;
  try {
    files = {
      ca: readOptional(path.join(dir, 'ca.pem')),
      cert: readOptional(path.join(dir, 'cert.pem')),
      key: readOptional(path.join(dir, 'key.pem')),
    };
  } catch (err) {
    return fail(`${dir}: ${fileProblem(err)}`);
  }
  if (!files.ca && !files.cert && !files.key)
    fail(`none of ca.pem, cert.pem, key.pem in ${dir} (--docker.tls-verify is on, from the flag or DOCKER_TLS_VERIFY)`);
  if (Boolean(files.cert) !== Boolean(files.key))
    fail(`${dir} has ${files.cert ? 'cert.pem without key.pem' : 'key.pem without cert.pem'}; the client certificate needs both`);
  return { ...(files.ca ? { ca: files.ca } : {}), ...(files.cert ? { cert: files.cert } : {}), ...(files.key ? { key: files.key } : {}) };
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function loadSsh(
  settings: ConnectionSettings,
  endpoint: Extract<DockerEndpoint, { kind: 'ssh' }>,
  env: NodeJS.ProcessEnv,
): DockerConnection {
  const knownHostsFile = expandHome(settings.sshKnownHosts);
  let knownHosts: KnownHost[];
  try {
    knownHosts = parseKnownHosts(readFileSync(knownHostsFile, 'utf8'));
  } catch (err) {
    throw new ConnectionError(
      `--docker.ssh-known-hosts: ${knownHostsFile}: ${fileProblem(err)} (an ssh:// daemon's host key must be known, as ssh requires)`,
    );
  }
  let privateKey: Buffer | undefined;
  if (settings.sshIdentity !== '') {
    const file = expandHome(settings.sshIdentity);
    try {
      privateKey = readFileSync(file);
    } catch (err) {
      throw new ConnectionError(`--docker.ssh-identity: ${file}: ${fileProblem(err)}`);
    }
  } else {
    for (const name of DEFAULT_IDENTITIES) {
      privateKey = readOptional(path.join(os.homedir(), '.ssh', name));
      if (privateKey) break;
    }
  }
  const agent = env['SSH_AUTH_SOCK'] || undefined;
  if (!privateKey && !agent) {
    throw new ConnectionError(
      `--docker.ssh-identity: no key for ${endpoint.host}: SSH_AUTH_SOCK is not set and none of ~/.ssh/${DEFAULT_IDENTITIES.join(', ~/.ssh/')} exists`,
    );
  }
  return {
    kind: 'ssh',
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.username ?? os.userInfo().username,
    ...(privateKey ? { privateKey } : {}),
    ...(agent ? { agent } : {}),
    knownHosts,
    knownHostsFile,
  };
}

/** Reads the files the connection flags name; throws ConnectionError naming the flag. */
export function loadConnection(settings: ConnectionSettings, env: NodeJS.ProcessEnv = process.env): DockerConnection {
  const { endpoint } = settings;
  switch (endpoint.kind) {
    case 'unix':
      return endpoint;
    case 'tcp': {
      // The docker CLI's defaults: 2376 with TLS, 2375 without.
      const port = endpoint.port ?? (settings.tlsVerify ? 2376 : 2375);
      return settings.tlsVerify
        ? { kind: 'tcp', host: endpoint.host, port, tls: loadTls(settings.certPath) }
        : { kind: 'tcp', host: endpoint.host, port };
    }
    case 'ssh':
      return loadSsh(settings, endpoint, env);
  }
}

/** The daemon's address as logs and reports name it (no credentials). */
export function describeConnection(connection: DockerConnection): string {
  switch (connection.kind) {
    case 'unix':
      return `unix://${connection.socketPath}`;
    case 'tcp':
      return `tcp://${connection.host.includes(':') ? `[${connection.host}]` : connection.host}:${connection.port}${connection.tls ? ' (TLS)' : ''}`;
    case 'ssh':
      return `ssh://${connection.username}@${connection.host}:${connection.port}`;
  }
}

/**
 * A daemon on another host (tcp:// or ssh:// to anything but this host's
 * loopback): its pid file, daemon.json and data root are on that host, and
 * the files of the same names here belong to another daemon or none.
 */
export function isRemote(connection: DockerConnection): boolean {
  if (connection.kind === 'unix') return false;
  const host = connection.host.toLowerCase();
  return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}
