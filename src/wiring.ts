import { loopFilesystemReader } from './docker/loopFilesystem';
import { kernelPoolReader } from './docker/thinPoolKernel';
import type { Logger } from 'winston';
import { DaemonCollector } from './collector/daemonCollector';
import type { Config } from './config/config';
import { describeConnection, isRemote, loadConnection } from './docker/connection';
import { modemTransport } from './docker/dockerModem';
import { createEngineApi, EngineApi } from './docker/engineApi';
import { wakingReason, withoutWaking } from './docker/socketActivation';
import { createScanRunner, ScanRunner } from './scan/runScan';
import { ScanScheduler } from './scan/scheduler';

/**
 * The one place that builds the exporter's parts from the configuration. The
 * long-running exporter follows the daemon's events and rescans on a timer;
 * the one-shot commands (check, textfile) collect once, with /info fresh.
 * The metrics (and prom-client) are built apart, by exporterFor in
 * metrics/exporter.ts: plan, check and reclaim do not load them.
 */
export interface Parts {
  api: EngineApi;
  collector: DaemonCollector;
  /** Absent with --no-scan. */
  scanner: ScanScheduler | undefined;
  runScan: ScanRunner;
  /** The daemon is on another host: nothing of it can be read from this host's files (unless --docker.data-root names where its data root is mounted). */
  remote: boolean;
  /** The daemon's data root can be read from this host: a local daemon, or --docker.data-root naming where a remote one's is mounted. */
  dataRootHere: boolean;
  /** The daemon's address as logs name it: scheme, host, port, and whether TLS. */
  daemon: string;
}

export type Mode = 'serve' | 'once';

export function buildParts(config: Config, logger: Logger, mode: Mode): Parts {
  const connection = loadConnection(config.docker);
  const remote = isRemote(connection);
  // A remote daemon's data root is on its own host: the path of that name here is another one.
  const dataRootHere = !remote || config.dataRoot !== undefined;
  const engineApi = createEngineApi({ transport: modemTransport(connection, config.dockerTimeoutMs), timeoutMs: config.dockerTimeoutMs });
  // A local daemon's socket may be held by systemd for activation (NixOS's docker.socket): reading must not start it.
  const api =
    connection.kind === 'unix' && !config.wakeSocketActivated
      ? withoutWaking(engineApi, () => wakingReason({ socketPath: connection.socketPath, pidFile: config.pidFile }))
      : engineApi;
  const collector = new DaemonCollector({
    api,
    storageConfig: {
      pidFile: config.pidFile,
      daemonConfigFile: config.daemonConfigFile,
      ...(remote ? { remoteDaemon: describeConnection(connection) } : {}),
    },
    logger,
    infoMaxAgeMs: mode === 'serve' ? config.infoMaxAgeMs : 0,
    imagesResyncMs: mode === 'serve' ? config.imagesResyncMs : 0,
    timeoutMs: config.dockerTimeoutMs,
    collectors: config.collectors,
    containerLabels: config.containerLabels,
    ...(dataRootHere ? { loopFilesystem: loopFilesystemReader(config.dataRoot) } : {}),
    // The pool is a device of the daemon's own kernel: readable only when the daemon runs here.
    ...(remote ? {} : { kernelPool: kernelPoolReader(config.dockerTimeoutMs) }),
    ...(mode === 'serve' ? { minIntervalMs: config.minIntervalMs } : { watchEvents: false }),
  });
  const runScan = createScanRunner();
  const scanner =
    config.scan && dataRootHere
      ? new ScanScheduler({
          run: runScan,
          intervalMs: mode === 'serve' ? config.scanIntervalMs : 24 * 3600 * 1000,
          logger,
          rootOverride: config.dataRoot,
        })
      : undefined;
  return { api, collector, scanner, runScan, remote, dataRootHere, daemon: describeConnection(connection) };
}
