import type { Logger } from 'winston';
import type { DataRootView, ScanResult } from './dataRoot';
import type { ScanRunner } from './runScan';
import { errorMessage } from '../util/errors';

export interface CompletedScan {
  result: ScanResult;
  durationSeconds: number;
  /** Unix seconds when it ended. */
  finishedAt: number;
}

export interface ScanSchedulerOptions {
  run: ScanRunner;
  intervalMs: number;
  logger: Logger;
  /** The data root as this process sees it, when it differs from the daemon's DockerRootDir. */
  rootOverride?: string;
  now?: () => number;
}

/**
 * Keeps the last complete data-root scan. Scans run in the background: once the
 * daemon has told us its data root and driver, then every interval, and at once
 * when the active driver changes. Never two at a time; scrapes never wait.
 */
export class ScanScheduler {
  private latestScan: CompletedScan | undefined;
  private view: DataRootView | undefined;
  private running: Promise<void> | undefined;
  private rerun = false;
  private timer: NodeJS.Timeout | undefined;
  private lastFailure: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ScanSchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  latest(): CompletedScan | undefined {
    return this.latestScan;
  }

  /** Called after each collection with what the daemon said (undefined when it has not said where its data root is). */
  noteDaemon(said: DataRootView | undefined): void {
    if (said === undefined) return;
    const next: DataRootView = this.options.rootOverride === undefined ? said : { ...said, root: this.options.rootOverride };
    const changed = !this.view || !sameView(this.view, next);
    this.view = next;
    if (changed) {
      if (this.latestScan)
        this.options.logger.info('storage driver or data root changed; scanning again', { root: next.root, driver: next.driver });
      void this.trigger();
    }
    if (!this.timer) {
      this.timer = setInterval(() => void this.trigger(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  /** Starts a scan, or, when one is running, one more right after it. */
  trigger(): Promise<void> {
    if (!this.view) return Promise.resolve();
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const view = this.view;
    this.running = this.scan(view).finally(() => {
      this.running = undefined;
      if (this.rerun) {
        this.rerun = false;
        void this.trigger();
      }
    });
    return this.running;
  }

  /** Resolves when no scan is running (tests, one-shot commands). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async scan(view: DataRootView): Promise<void> {
    const started = this.now();
    try {
      const result = await this.options.run(view);
      const finished = this.now();
      this.latestScan = { result, durationSeconds: (finished - started) / 1000, finishedAt: finished / 1000 };
      const errors = Object.fromEntries(result.errors);
      this.options.logger.info('data root scanned', {
        root: view.root,
        driver: view.driver,
        seconds: ((finished - started) / 1000).toFixed(3),
        files: result.files,
        ...(result.errors.size ? { errors: JSON.stringify(errors) } : {}),
      });
      const failure = result.complete ? undefined : `cannot read the data root ${view.root}: ${result.examples[0] ?? 'unknown error'}`;
      if (failure && failure !== this.lastFailure) {
        this.options.logger.error(
          'cannot read the data root; the exporter needs root or CAP_DAC_READ_SEARCH to read it (see docs/install.md)',
          {
            root: view.root,
            err: result.examples[0] ?? 'unknown error',
          },
        );
      }
      const permission = result.errors.get('permission');
      if (!failure && permission && this.lastFailure !== 'permission') {
        this.options.logger.warn('some of the data root could not be read; those parts are not counted', {
          errors: permission,
          example: result.examples[0],
        });
      }
      this.lastFailure = failure ?? (permission ? 'permission' : undefined);
    } catch (err) {
      this.options.logger.error('data root scan failed', { err: errorMessage(err) });
    }
  }
}

/** Every field of two views equal (a field absent in one is absent in the other): a new field is compared without a new line here. */
function sameView(a: DataRootView, b: DataRootView): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof DataRootView)[]);
  return [...keys].every((key) => a[key] === b[key]);
}
