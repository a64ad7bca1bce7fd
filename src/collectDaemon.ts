import type { Logger } from 'winston';
import { EngineApi, EnginePath, EngineResponse } from './docker/engineApi';
import { detectExplicitConfig, ExplicitConfig, ExplicitConfigOptions } from './explicitConfig';
import { FailureLog } from './failureLog';
import { ContainerSummary, parseContainerList, parseVolumeCount } from './parse/containers';
import { EngineInfo, parseInfo } from './parse/info';
import { ProblemList } from './parse/problems';

export type CollectorName = 'info' | 'containers' | 'volumes' | 'storage_config';

export interface CollectorStatus {
  collector: CollectorName;
  success: boolean;
  durationSeconds: number;
}

/** Everything one collection learned from the daemon; what metrics, `check` and `textfile` read. */
export interface DaemonSnapshot {
  up: boolean;
  apiVersion?: string;
  info?: EngineInfo;
  containers?: ContainerSummary[];
  volumes?: number;
  explicit?: ExplicitConfig;
  collectors: CollectorStatus[];
  problems: { field: string; detail: string }[];
}

export interface DaemonCollectorDeps {
  api: EngineApi;
  explicit: ExplicitConfigOptions;
  logger: Logger;
  now?: () => number;
}

/**
 * Collects the daemon's state: three GETs, run side by side, and the
 * storage-driver configuration from /proc. Concurrent callers share the
 * collection in flight, so any number of scrapers costs the daemon no more
 * requests than one.
 */
export class DaemonCollector {
  private inFlight: Promise<DaemonSnapshot> | undefined;
  private readonly failures: FailureLog;
  /** Missing access to /proc is a deployment choice, not a fault: say it once. */
  private readonly configLog: FailureLog;

  constructor(private readonly deps: DaemonCollectorDeps) {
    const now = deps.now ?? Date.now;
    this.failures = new FailureLog(deps.logger, now);
    this.configLog = new FailureLog(deps.logger, now, Infinity);
  }

  collect(): Promise<DaemonSnapshot> {
    if (!this.inFlight) {
      this.inFlight = this.collectOnce().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  private async collectOnce(): Promise<DaemonSnapshot> {
    const problems = new ProblemList();
    const collectors: CollectorStatus[] = [];
    const timed = async <T>(collector: CollectorName, work: () => Promise<T>): Promise<T | undefined> => {
      const started = process.hrtime.bigint();
      let result: T | undefined;
      let success = true;
      try {
        result = await work();
      } catch (err) {
        success = false;
        this.failures.failed(collector, `collector ${collector} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (success) this.failures.succeeded(collector, `collector ${collector} works again`);
      collectors.push({ collector, success, durationSeconds: Number(process.hrtime.bigint() - started) / 1e9 });
      return result;
    };
    const fetch = (path: EnginePath) => this.deps.api.get(path);

    const [infoResponse, containers, volumes, explicit] = await Promise.all([
      timed<EngineResponse>('info', () => fetch('/info')),
      timed('containers', async () => parseContainerList((await fetch('/containers/json?all=1')).body, problems)),
      timed('volumes', async () => {
        const count = parseVolumeCount((await fetch('/volumes')).body, problems);
        if (count === undefined) throw new Error('GET /volumes: no volume list in the answer');
        return count;
      }),
      timed('storage_config', async () => this.explicitConfig()),
    ]);
    const info = infoResponse ? parseInfo(infoResponse.body, problems) : undefined;
    for (const problem of problems.items) {
      this.deps.logger.debug('unusable value in the daemon answer', problem);
    }
    collectors.sort((a, b) => a.collector.localeCompare(b.collector));
    return {
      up: infoResponse !== undefined,
      apiVersion: infoResponse?.apiVersion,
      info,
      containers,
      volumes,
      explicit,
      collectors,
      problems: problems.items,
    };
  }

  private async explicitConfig(): Promise<ExplicitConfig> {
    const result = await detectExplicitConfig(this.deps.explicit);
    if (result.known) {
      this.configLog.succeeded('explicit_config', 'storage driver configuration is readable again');
    } else {
      this.configLog.failed('explicit_config', `cannot tell whether the storage driver is explicitly configured: ${result.reason}`, 'warn');
    }
    return result;
  }
}
