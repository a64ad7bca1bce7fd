import Docker from 'dockerode';
import type { IncomingMessage } from 'node:http';

/**
 * The only Engine API endpoints the exporter reads. Every request is a GET:
 * the exporter never changes the daemon, and the type keeps it that way.
 * `/system/df` and `?size=true` are absent on purpose: they walk every layer
 * and are known to stall daemons for minutes.
 */
export type EnginePath = '/info' | '/containers/json?all=1' | '/volumes' | '/images/json';

export interface EngineResponse {
  body: unknown;
  /** The daemon's `Api-Version` response header. */
  apiVersion?: string;
}

export interface EngineApi {
  get(path: EnginePath): Promise<EngineResponse>;
}

export interface DockerEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
}

export class EngineError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'unreachable' | 'http' | 'too_large' | 'invalid_json',
  ) {
    super(message);
  }
}

/** `unix:///path` or `tcp://host:port`, as DOCKER_HOST takes them; throws on anything else. */
export function parseDockerHost(text: string): DockerEndpoint {
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new Error(`unix socket path must be absolute: ${text}`);
    return { socketPath };
  }
  if (text.startsWith('tcp://')) {
    const url = new URL(`http://${text.slice('tcp://'.length)}`);
    if (url.pathname !== '/' || url.search) throw new Error(`tcp address takes only host and port: ${text}`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 2375 : Number(url.port) };
  }
  throw new Error(`expected unix:///path or tcp://host:port, got ${JSON.stringify(text)}`);
}

export interface EngineApiOptions {
  endpoint: DockerEndpoint;
  /** Deadline for one whole request, connection to last byte. */
  timeoutMs: number;
  /** Answers above this are dropped: a daemon (or impostor) cannot exhaust our memory. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

/**
 * Engine API over dockerode's connection handling (unix sockets, TCP), read
 * as a stream so that one deadline covers the whole answer (a daemon that
 * drips bytes cannot hold a scrape) and its size is capped.
 */
export function createEngineApi(options: EngineApiOptions): EngineApi {
  const docker = new Docker(
    options.endpoint.socketPath
      ? { socketPath: options.endpoint.socketPath }
      : { host: options.endpoint.host, port: options.endpoint.port, protocol: 'http' },
  );
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return {
    get(path: EnginePath): Promise<EngineResponse> {
      const controller = new AbortController();
      return new Promise<EngineResponse>((resolve, reject) => {
        let settled = false;
        const finish = (err: EngineError | undefined, value?: EngineResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) {
            controller.abort();
            reject(err);
          } else resolve(value as EngineResponse);
        };
        const timer = setTimeout(
          () => finish(new EngineError(`GET ${path}: no complete answer within ${options.timeoutMs} ms`, 'timeout')),
          options.timeoutMs,
        );
        // docker-modem appends the query itself from `options` (and cuts the last
        // character of a path with '?' when there are none), so split it here.
        const [base = path, query] = path.split('?');
        docker.modem.dial(
          {
            path: query ? `${base}?` : base,
            method: 'GET',
            isStream: true,
            statusCodes: { 200: true },
            abortSignal: controller.signal,
            options: query ? Object.fromEntries(new URLSearchParams(query)) : {},
          },
          (err: unknown, res: unknown) => {
            if (err) {
              const status = (err as { statusCode?: number }).statusCode;
              const message = err instanceof Error ? err.message : String(err);
              finish(new EngineError(`GET ${path}: ${message.trim()}`, status ? 'http' : 'unreachable'));
              return;
            }
            readBody(res as IncomingMessage, maxBody, path, finish);
          },
        );
      });
    },
  };
}

function readBody(
  res: IncomingMessage,
  maxBody: number,
  path: string,
  finish: (err: EngineError | undefined, value?: EngineResponse) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBody) {
      res.destroy();
      finish(new EngineError(`GET ${path}: answer larger than ${maxBody} bytes`, 'too_large'));
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', (err) => finish(new EngineError(`GET ${path}: ${err.message}`, 'unreachable')));
  res.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      finish(new EngineError(`GET ${path}: the answer is not JSON`, 'invalid_json'));
      return;
    }
    const header = res.headers['api-version'];
    finish(undefined, { body, apiVersion: typeof header === 'string' ? header : undefined });
  });
}
