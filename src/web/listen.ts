import { createHash } from 'node:crypto';
import { errorMessage } from '../util/errors';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Express } from 'express';
import type { Logger } from 'winston';
import { WebSecurity } from './security';
import { tlsServerOptions } from './tlsOptions';
import { loadWebConfig, WebConfig } from './webConfig';

/** A fingerprint of the config file and the files it names, to see when any of them changed. */
function fingerprint(file: string, config: WebConfig | undefined): string {
  const hash = createHash('sha256');
  try {
    hash.update(readFileSync(file));
  } catch {
    hash.update('unreadable');
  }
  if (config?.tls)
    hash
      .update(config.tls.cert)
      .update(config.tls.key)
      .update(config.tls.ca ?? '');
  return hash.digest('hex');
}

export interface WebServer {
  server: http.Server;
  security: WebSecurity | undefined;
  close(): void;
}

/**
 * Serves the app over HTTP, or HTTPS when the web config says so. The config
 * file (and the certificates it names) is re-read when it changes: users,
 * headers and certificates take effect at once; switching TLS on or off, or
 * the client-auth type, needs a restart, and the log says so. A bad new file
 * keeps the old settings.
 */
export function createWebServer(
  app: (security: WebSecurity | undefined) => Express,
  configFile: string | undefined,
  initial: WebConfig | undefined,
  logger: Logger,
): WebServer {
  const security = initial ? new WebSecurity(initial) : undefined;
  const handler = app(security);
  const server = initial?.tls ? https.createServer(tlsServerOptions(initial.tls), handler) : http.createServer(handler);
  if (!configFile || !initial) return { server, security, close: () => undefined };

  let current = initial;
  let print = fingerprint(configFile, initial);
  const check = () => {
    let next: WebConfig;
    try {
      next = loadWebConfig(configFile);
    } catch (err) {
      const now = fingerprint(configFile, current);
      if (now !== print)
        logger.error('web config changed but cannot be used; keeping the previous one', { file: configFile, err: errorMessage(err) });
      print = now;
      return;
    }
    const now = fingerprint(configFile, next);
    if (now === print) return;
    print = now;
    if (Boolean(next.tls) !== Boolean(current.tls) || next.tls?.clientAuthType !== current.tls?.clientAuthType) {
      logger.warn('web config changed TLS on/off or the client auth type: restart the exporter to apply that part', { file: configFile });
    }
    if (next.tls && current.tls && server instanceof https.Server) {
      server.setSecureContext(tlsServerOptions({ ...next.tls, clientAuthType: current.tls.clientAuthType }));
    }
    security?.apply(next);
    current = next;
    logger.info('web config reloaded', { file: configFile, users: next.users.size, tls: Boolean(next.tls) });
  };
  watchFile(configFile, { interval: 2000 }, check);
  const timer = setInterval(check, 10000);
  timer.unref();
  return {
    server,
    security,
    close: () => {
      unwatchFile(configFile);
      clearInterval(timer);
    },
  };
}
