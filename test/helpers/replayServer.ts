import { rmSync } from 'node:fs';
import * as http from 'node:http';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * A stand-in Docker daemon on a unix socket that replays captured Engine API
 * answers (devicemapper hosts cannot run on this kernel) or misbehaves on
 * purpose. Paths are matched without their /vX.Y prefix and query; every
 * request is recorded, method and full path.
 */
export class ReplayServer {
  readonly requests: string[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(
    readonly socketPath: string,
    readonly routes: Record<string, Route>,
    readonly apiVersion = '1.41',
  ) {
    this.server = http.createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      const bare = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0] ?? '';
      res.setHeader('Api-Version', this.apiVersion);
      res.setHeader('Server', 'Docker/replay (linux)');
      const route = this.routes[bare] ?? this.patternRoute(bare);
      if (route) return route(req, res);
      if (bare === '/_ping') return void res.end('OK');
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ message: `page not found: ${bare}` }));
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** A route whose key has `*` for one path segment, such as /containers/*\/json. */
  private patternRoute(bare: string): Route | undefined {
    for (const [key, route] of Object.entries(this.routes)) {
      if (!key.includes('*')) continue;
      const pattern = new RegExp(
        `^${key
          .split('*')
          .map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&'))
          .join('[^/]+')}$`,
      );
      if (pattern.test(bare)) return route;
    }
    return undefined;
  }

  get host(): string {
    return `unix://${this.socketPath}`;
  }

  start(): Promise<void> {
    rmSync(this.socketPath, { force: true });
    return new Promise((resolve) => this.server.listen(this.socketPath, resolve));
  }

  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const json =
  (body: unknown): Route =>
  (_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };

/** A daemon's /info, /containers/json and /volumes answered from a captured /info. */
export function daemonRoutes(info: unknown, containers: unknown[] = [], volumes: unknown[] = []): Record<string, Route> {
  return {
    '/info': json(info),
    '/containers/json': json(containers),
    '/volumes': json({ Volumes: volumes, Warnings: null }),
    '/version': json({ Version: (info as { ServerVersion?: string }).ServerVersion ?? '', ApiVersion: '1.26', Os: 'linux', Arch: 'amd64' }),
    // Every image pulled from a registry: none only here.
    '/images/json': json([]),
  };
}
