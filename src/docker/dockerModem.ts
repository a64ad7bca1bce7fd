import * as http from 'node:http';
import type { IncomingMessage } from 'node:http';
import * as https from 'node:https';
import { inspect } from 'node:util';
import type Docker from 'dockerode';
import type Modem from 'docker-modem';
import { HostKeyVerdict, knownHostName, verifyHostKey } from '../parse/knownHosts';
import { accessReason } from '../util/errors';
import { lazily } from '../util/lazily';
import type { DockerConnection } from './connection';
import { dockerode } from './dockerode';
import type * as SshAgentModule from './sshAgent';

/**
 * The transport under the Engine API's request rules: dockerode's modem over a
 * unix socket, tcp, tcp with TLS or ssh, and every workaround that takes, in
 * this one module, each with where upstream does what it works around. The
 * request rules (src/docker/engineApi.ts: deadline, size caps, parsing) see
 * only `dial` and `failure`, never the modem or ssh.
 */
export interface Transport {
  /** One GET; its answer, whatever the status, as a stream. */
  dial(path: string, signal: AbortSignal, done: (err: Error | undefined, res?: IncomingMessage) => void): void;
  /** Why a dial failed, in one line, and of what kind: connection, TLS or ssh. */
  failure(err: Error): TransportFailure;
}

/** How a connection failed: the socket forbidden, absent or unanswered, TLS or ssh refused, or something else. */
export type TransportFailureKind = 'permission' | 'missing' | 'refused' | 'tls' | 'ssh' | 'unreachable';

export interface TransportFailure {
  message: string;
  kind: TransportFailureKind;
}

/** The transport for `connection`: one modem, one keep-alive agent. */
export function modemTransport(connection: DockerConnection, timeoutMs: number): Transport {
  const hostKeys = hostKeyCheck(connection);
  const modem = modemFor(connection, hostKeys.check, timeoutMs);
  return {
    dial: (path, signal, done) =>
      modem.dial(
        {
          ...dialPath(path),
          method: 'GET',
          headers: { Accept: 'application/json' },
          isStream: true,
          statusCodes: EVERY_STATUS,
          // docker-modem formats its request options for a debug line, this signal among them.
          abortSignal: quietlyInspected(signal),
        },
        (err, result) => (err ? done(err) : done(undefined, result as IncomingMessage)),
      ),
    failure: (err) => ({ message: hostKeys.explain(err), kind: connectFailure(err, connection) }),
  };
}

/** OpenSSL's and Node's codes for a certificate or handshake refused, either side. */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH)/;

/** A connection error's reason: the socket is missing, forbidden, refused, TLS or ssh failed, or something else. */
function connectFailure(err: NodeJS.ErrnoException & { level?: string }, connection: DockerConnection): TransportFailureKind {
  const reason = accessReason(err);
  if (reason !== 'other') return reason;
  if (err.code === 'ECONNREFUSED') return 'refused';
  if (err.code !== undefined && TLS_CODE.test(err.code)) return 'tls';
  // ssh2's errors carry a level (client-socket, client-authentication, …), not a code.
  if (connection.kind === 'ssh' && (err.level !== undefined || /ssh|handshake|authentication|host key|verification/i.test(err.message)))
    return 'ssh';
  return 'unreachable';
}

/**
 * docker-modem checks the status against this map (Modem.prototype.buildRequest) and turns any other
 * into an error holding the whole body, unread by any cap: every status comes back as a stream, read
 * with the size cap.
 */
const EVERY_STATUS: Record<number, boolean> = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [i + 100, true]));

/**
 * docker-modem writes every request's options, agent included, through
 * util.inspect(…, { showHidden: true, depth: null }) for its debug log, even
 * when that log is off (Modem.prototype.dial, https://github.com/apocas/docker-modem/blob/master/lib/modem.js): with a keep-alive agent's sockets that walk was a
 * quarter of a scrape's CPU time (profiled at 1,000 containers). The agent
 * shows itself in one word instead.
 */
function quietlyInspected<T extends object>(agent: T): T {
  Object.defineProperty(agent, inspect.custom, { value: () => `[${agent.constructor.name}]`, configurable: true });
  return agent;
}

/**
 * docker-modem follows redirects (its lib/http.js, after follow-redirects 0.0.x;
 * https://github.com/apocas/docker-modem/blob/master/lib/http.js): an answer of 3xx with
 * a Location makes it send a GET wherever that says, and an error of that request, which nobody
 * listens to, ends the process (a socket answering /_ping with a 301 to 127.0.0.1:1 ended the
 * exporter). The exporter asks the daemon only: the agent drops a redirect's Location before
 * docker-modem sees the answer, which comes back as the HTTP error it is.
 */
function withoutRedirects<T extends http.Agent>(agent: T): T {
  // Not in Node's types, but every ClientRequest is handed to its agent here, after its own 'response' listener is added.
  const withRequests = agent as unknown as { addRequest: (req: http.ClientRequest, options: unknown) => void };
  const addRequest = withRequests.addRequest.bind(agent);
  withRequests.addRequest = (req, options) => {
    req.prependListener('response', (res: IncomingMessage) => {
      if ((res.statusCode ?? 0) >= 300 && (res.statusCode ?? 0) < 400) delete res.headers.location;
    });
    addRequest(req, options);
  };
  return agent;
}

/** What every request goes through: the exporter's agent, quiet when inspected and deaf to redirects. */
function exporterAgent<T extends http.Agent>(agent: T): T {
  return withoutRedirects(quietlyInspected(agent));
}

/** The ssh transport, loaded with ssh2 (0.08 s) only for a daemon reached over ssh. */
const sshAgentModule = lazily(
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, which an import cannot be
  () => require('./sshAgent') as typeof SshAgentModule,
);

/**
 * dockerode's modem for this connection. docker-modem fills its options from
 * DOCKER_HOST and DOCKER_CERT_PATH by itself, reading the certificate files
 * synchronously and throwing when one is missing; the flags have already
 * read those variables (and a flag beats its variable), so the modem is
 * built with DOCKER_HOST out of its sight.
 */
function modemFor(connection: DockerConnection, hostKeyCheck: (key: Buffer) => boolean, timeoutMs: number): Modem {
  const keepAlive = { keepAlive: true, maxFreeSockets: 4 };
  let options: Modem.ConstructorOptions;
  switch (connection.kind) {
    case 'unix':
      options = { socketPath: connection.socketPath, agent: exporterAgent(new http.Agent(keepAlive)) };
      break;
    case 'tcp':
      options = connection.tls
        ? {
            host: connection.host,
            port: connection.port,
            protocol: 'https',
            ...connection.tls,
            agent: exporterAgent(new https.Agent(keepAlive)),
          }
        : { host: connection.host, port: connection.port, protocol: 'http', agent: exporterAgent(new http.Agent(keepAlive)) };
      break;
    case 'ssh':
      // HTTP through `docker system dial-stdio` channels of one kept ssh connection (sshAgent says why not docker-modem's own ssh).
      options = {
        host: connection.host,
        port: connection.port,
        protocol: 'http',
        agent: exporterAgent(
          new (sshAgentModule().SshAgent)({
            host: connection.host,
            port: connection.port,
            username: connection.username,
            ...(connection.privateKey ? { privateKey: connection.privateKey } : {}),
            ...(connection.agent ? { agent: connection.agent } : {}),
            hostVerifier: hostKeyCheck,
            readyTimeout: timeoutMs,
            // A dead peer is noticed within a minute, not at the kernel's TCP timeout.
            keepaliveInterval: 15000,
          }),
        ),
      };
  }
  const saved = process.env['DOCKER_HOST'];
  delete process.env['DOCKER_HOST'];
  try {
    // dockerode hands its options to docker-modem whole; its types leave out the modem's agent.
    const Dockerode = dockerode();
    return new Dockerode(options as Docker.DockerOptions).modem;
  } finally {
    if (saved !== undefined) process.env['DOCKER_HOST'] = saved;
  }
}

/** An Engine API path as docker-modem takes it: the query apart, the path ending in "?". */
function dialPath(path: string): Pick<Modem.DialOptions, 'path' | 'options'> {
  const query = path.indexOf('?');
  if (query === -1) return { path };
  return { path: path.slice(0, query + 1), options: Object.fromEntries(new URLSearchParams(path.slice(query + 1))) };
}

/** ssh host keys checked against known_hosts; the last verdict says why a connection was refused. */
function hostKeyCheck(connection: DockerConnection): { check: (key: Buffer) => boolean; explain: (err: Error) => string } {
  let verdict: HostKeyVerdict = 'known';
  return {
    check: (key) => {
      if (connection.kind !== 'ssh') return false;
      verdict = verifyHostKey(connection.knownHosts, knownHostName(connection.host, connection.port), key);
      return verdict === 'known';
    },
    explain: (err) => {
      if (connection.kind === 'ssh' && verdict !== 'known' && /verification failed/i.test(err.message)) {
        const listed = verdict === 'unknown' ? 'not listed' : verdict === 'changed' ? 'not the one listed' : 'revoked';
        return `ssh: the host key of ${knownHostName(connection.host, connection.port)} is ${listed} in ${connection.knownHostsFile}`;
      }
      return err.message.trim();
    },
  };
}
