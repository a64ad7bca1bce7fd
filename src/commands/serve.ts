import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { errorMessage } from '../util/errors';
import { VERSION } from '../util/version';
import { createApp } from '../web/app';
import { createWebServer } from '../web/listen';
import type { WebConfig } from '../web/webConfig';
import { exporterFor } from '../metrics/exporter';
import { buildParts } from '../wiring';

/** The long-running exporter: serves /metrics until SIGTERM or SIGINT. */
export function runServe(config: Config, webConfig: WebConfig | undefined, logger: Logger, systemdFd?: number): void {
  const { collector, scanner, remote, daemon } = buildParts(config, logger, 'serve');
  const exporter = exporterFor(config, collector, scanner, 'serve');
  if (remote) {
    logger.info(
      'the daemon is on another host: its storage-driver configuration is not readable from here, and its data root is scanned only where --docker.data-root says it is mounted',
      { docker_host: daemon, data_root: config.dataRoot ?? 'none' },
    );
  }
  // Learn the data root and driver now, so the first scan starts without waiting for a scrape.
  void exporter.collect();
  const web = createWebServer(
    (security) =>
      createApp({ exporter, telemetryPath: config.telemetryPath, version: VERSION, logger, security, maxRequests: config.maxRequests }),
    config.webConfigFile,
    webConfig,
    logger,
  );
  const server = web.server;
  if (systemdFd !== undefined) server.listen({ fd: systemdFd });
  else if (config.listen.host) server.listen(config.listen.port, config.listen.host);
  else server.listen(config.listen.port);
  server.on('listening', () => {
    const address = server.address();
    const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
    logger.info('listening', {
      address: where,
      ...(systemdFd !== undefined ? { systemd_socket: true } : {}),
      telemetry_path: config.telemetryPath,
      docker_host: daemon,
      tls: Boolean(webConfig?.tls),
      basic_auth: Boolean(webConfig?.users.size),
      version: VERSION,
    });
  });
  server.on('error', (err) => {
    logger.error('cannot listen', { address: `${config.listen.host ?? ''}:${config.listen.port}`, err: errorMessage(err) });
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    collector.stop();
    scanner?.stop();
    web.close();
    // Stop accepting, let scrapes in flight finish, then exit; never hang on a stuck client.
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
