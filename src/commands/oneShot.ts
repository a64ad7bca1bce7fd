import type { Logger } from 'winston';
import { DaemonCollector } from '../collector/daemonCollector';
import type { Config } from '../config/config';
import { createEngineApi, EngineApi } from '../docker/engineApi';

/** A collector for a single collection: no event stream, /info always fresh. */
export function oneShotCollector(config: Config, logger: Logger): { api: EngineApi; collector: DaemonCollector } {
  const api = createEngineApi({ endpoint: config.docker, timeoutMs: config.dockerTimeoutMs });
  const collector = new DaemonCollector({
    api,
    explicit: { pidFile: config.pidFile, defaultConfigFile: config.daemonConfig },
    logger,
    infoMaxAgeMs: 0,
    timeoutMs: config.dockerTimeoutMs,
    watchEvents: false,
  });
  return { api, collector };
}
