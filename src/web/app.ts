import express, { Express, NextFunction, Request, Response } from 'express';
import { constants, gzipSync } from 'node:zlib';
import type { Logger } from 'winston';
import type { Exporter } from '../metrics/exporter';
import type { WebSecurity } from './security';
import { errorMessage } from '../util/errors';

export interface AppDeps {
  exporter: Exporter;
  telemetryPath: string;
  version: string;
  logger: Logger;
  security?: WebSecurity;
  /** At most this many scrapes at once; more get 503 (0: no limit), as node_exporter's --web.max-requests. */
  maxRequests?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The exporter's web interface: the landing page, the metrics and health
 * endpoints, nothing else. Other paths answer 404, other methods 405.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const paths = new Set(['/', deps.telemetryPath, '/-/healthy', '/-/ready']);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!paths.has(req.path)) {
      res.status(404).type('text/plain').send('Not Found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).setHeader('Allow', 'GET, HEAD').type('text/plain').send('Method Not Allowed\n');
      return;
    }
    next();
  });
  if (deps.security) app.use(deps.security.middleware());
  const maxRequests = deps.maxRequests ?? 0;
  /** The last body and its gzip: scrapes that share a rendering send the same compressed bytes. */
  let lastGzip: { body: string; gzipped: Buffer } | undefined;
  const gzipped = (body: string): Buffer => {
    if (lastGzip?.body !== body) lastGzip = { body, gzipped: gzipSync(body, { level: constants.Z_BEST_SPEED }) };
    return lastGzip.gzipped;
  };
  let scrapes = 0;
  app.get(deps.telemetryPath, async (req, res) => {
    if (maxRequests > 0 && scrapes >= maxRequests) {
      res.status(503).type('text/plain').send(`Limit of concurrent requests reached (${maxRequests}), try again later.\n`);
      return;
    }
    scrapes++;
    try {
      const body = await deps.exporter.scrape();
      res.type(deps.exporter.exposition.contentType).setHeader('Vary', 'Accept-Encoding');
      // Prometheus asks for gzip; the text shrinks about sevenfold. The fastest level: a third of the default's
      // time for a tenth more bytes (docs/benchmarks.md); in line, since the text stays that size at any
      // number of containers (counted, with host-network names capped).
      if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
        res.setHeader('Content-Encoding', 'gzip');
        res.send(gzipped(body));
        return;
      }
      res.send(body);
    } catch (err) {
      // Collectors catch their own failures; reaching here is a bug, not a daemon fault.
      deps.logger.error('scrape failed', { err: errorMessage(err) });
      res.status(500).type('text/plain').send('scrape failed\n');
    } finally {
      scrapes--;
    }
  });
  app.get('/', (_req, res) => {
    const path = escapeHtml(deps.telemetryPath);
    res
      .type('html')
      .send(
        `<!DOCTYPE html><html><head><title>Docker Daemon Exporter</title></head><body>` +
          `<h1>Docker Daemon Exporter</h1><p>Version ${escapeHtml(deps.version)}</p>` +
          `<p><a href="${path}">Metrics</a></p></body></html>\n`,
      );
  });
  app.get('/-/healthy', (_req, res) => void res.type('text/plain').send('Healthy\n'));
  app.get('/-/ready', (_req, res) => void res.type('text/plain').send('Ready\n'));
  return app;
}
