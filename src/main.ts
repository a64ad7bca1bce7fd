#!/usr/bin/env node
import { DaemonCollector } from './collector/daemonCollector';
import { runCheck } from './commands/check';
import { runTextfile } from './commands/textfile';
import { commandHelpText, Config, ConfigError, helpText, parseConfig } from './config/config';
import { createEngineApi } from './docker/engineApi';
import { Exporter } from './metrics/exporter';
import { createLogger } from './util/logger';
import { createScanRunner } from './scan/runScan';
import { ScanScheduler } from './scan/scheduler';
import { createApp } from './web/app';
import { createWebServer } from './web/listen';
import { loadWebConfig, WebConfig, WebConfigError } from './web/webConfig';
import { VERSION } from './util/version';

const PROGRAM = 'docker-daemon-exporter';

function main(): void {
  // A reader that went away (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${PROGRAM}: ${err.message}\n(see --help)\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.command ? commandHelpText(PROGRAM, parsed.command, process.env) : helpText(PROGRAM, process.env)}\n`);
    return;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${PROGRAM} ${VERSION} (node ${process.version})\n`);
    return;
  }
  if (parsed.kind === 'check' || parsed.kind === 'textfile') {
    const logger = createLogger(parsed.config.logLevel, parsed.config.logFormat);
    const done =
      parsed.kind === 'check'
        ? runCheck(parsed.config, parsed.format, parsed.limit, logger)
        : runTextfile(parsed.config, parsed.output, VERSION, logger);
    done.then(
      (code) => exitWhenWritten(code),
      (err: unknown) => {
        process.stderr.write(`${PROGRAM} ${parsed.kind}: ${err instanceof Error ? err.message : String(err)}\n`);
        exitWhenWritten(parsed.kind === 'check' ? 3 : 1);
      },
    );
    return;
  }
  serve(parsed.config);
}

/**
 * Exits once stdout and stderr have handed everything to the kernel. On a
 * pipe, process.exit() right after a large write drops what the pipe had not
 * taken yet (a report through `| jq` was cut at 64 KiB).
 */
function exitWhenWritten(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

function serve(config: Config): void {
  // A bad web config is bad configuration: refuse to start, naming the problem.
  let webConfig: WebConfig | undefined;
  if (config.webConfigFile) {
    try {
      webConfig = loadWebConfig(config.webConfigFile);
    } catch (err) {
      if (!(err instanceof WebConfigError)) throw err;
      process.stderr.write(`${PROGRAM}: --web.config.file: ${config.webConfigFile}: ${err.message}\n`);
      process.exit(2);
    }
  }
  const logger = createLogger(config.logLevel, config.logFormat);
  const api = createEngineApi({ endpoint: config.docker, timeoutMs: config.dockerTimeoutMs });
  const collector = new DaemonCollector({
    api,
    explicit: { pidFile: config.pidFile, defaultConfigFile: config.daemonConfig },
    logger,
    infoMaxAgeMs: config.infoMaxAgeMs,
    timeoutMs: config.dockerTimeoutMs,
    minIntervalMs: config.minIntervalMs,
  });
  const scanner = config.scan
    ? new ScanScheduler({ run: createScanRunner(), intervalMs: config.scanIntervalMs, logger, rootOverride: config.dataRoot })
    : undefined;
  const exporter = new Exporter(collector, scanner, { version: VERSION, hostNetworkMaxSeries: config.hostNetworkMaxSeries });
  // Learn the data root and driver now, so the first scan starts without waiting for a scrape.
  void exporter.collect();
  const web = createWebServer(
    (security) => createApp({ exporter, telemetryPath: config.telemetryPath, version: VERSION, logger, security }),
    config.webConfigFile,
    webConfig,
    logger,
  );
  const server = web.server;
  if (config.listen.host) server.listen(config.listen.port, config.listen.host);
  else server.listen(config.listen.port);
  server.on('listening', () => {
    const address = server.address();
    const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
    logger.info('listening', {
      address: where,
      telemetry_path: config.telemetryPath,
      docker_host: config.dockerHost,
      tls: Boolean(webConfig?.tls),
      basic_auth: Boolean(webConfig?.users.size),
      version: VERSION,
    });
  });
  server.on('error', (err) => {
    logger.error('cannot listen', { address: `${config.listen.host ?? ''}:${config.listen.port}`, err: err.message });
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

main();
