import winston from 'winston';
import type { DataRootView, ScanResult } from '../../../src/scan/dataRoot';
import { ScanScheduler } from '../../../src/scan/scheduler';

const logger = winston.createLogger({ silent: true });

function result(view: DataRootView): ScanResult {
  return {
    root: view.root,
    driver: view.driver,
    topLevel: new Map([['x', 1]]),
    orphaned: [],
    unmeasured: [],
    orphanedLayers: 0,
    buildCacheBytes: 0,
    reclaimable: new Map(),
    volumeBytes: new Map(),
    errors: new Map(),
    examples: [],
    priorDrivers: [],
    driverDirs: [],
    complete: true,
    files: 1,
  };
}

/** A scan runner the test releases by hand, recording what it was asked to scan. */
function controlledRunner() {
  const calls: DataRootView[] = [];
  const pending: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const run = (view: DataRootView) =>
    new Promise<ScanResult>((resolve) => {
      calls.push(view);
      running++;
      maxRunning = Math.max(maxRunning, running);
      pending.push(() => {
        running--;
        resolve(result(view));
      });
    });
  return {
    run,
    calls,
    release: () => pending.shift()?.(),
    get maxRunning() {
      return maxRunning;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ScanScheduler', () => {
  it('scans once the daemon tells it the data root, and serves nothing before the first scan ends', async () => {
    const runner = controlledRunner();
    const scheduler = new ScanScheduler({ run: runner.run, intervalMs: 3_600_000, logger });
    scheduler.noteDaemon(undefined);
    expect(runner.calls).toHaveLength(0);
    scheduler.noteDaemon({ root: '/var/lib/docker', driver: 'overlay2', containerdSnapshotter: false });
    expect(runner.calls).toEqual([{ root: '/var/lib/docker', driver: 'overlay2', containerdSnapshotter: false }]);
    expect(scheduler.latest()).toBeUndefined();
    runner.release();
    await scheduler.idle();
    expect(scheduler.latest()?.result.driver).toBe('overlay2');
    scheduler.stop();
  });

  it('never runs two scans at once, and scans again when the driver changes mid-scan', async () => {
    const runner = controlledRunner();
    const scheduler = new ScanScheduler({ run: runner.run, intervalMs: 3_600_000, logger });
    scheduler.noteDaemon({ root: '/d', driver: 'devicemapper', containerdSnapshotter: false });
    scheduler.noteDaemon({ root: '/d', driver: 'overlay2', containerdSnapshotter: false });
    void scheduler.trigger();
    void scheduler.trigger();
    expect(runner.calls).toHaveLength(1);
    runner.release();
    await tick();
    await tick();
    expect(runner.calls.map((c) => c.driver)).toEqual(['devicemapper', 'overlay2']);
    runner.release();
    await scheduler.idle();
    expect(runner.maxRunning).toBe(1);
    expect(scheduler.latest()?.result.driver).toBe('overlay2');
    scheduler.stop();
  });

  it('does not scan again for the same root and driver until the interval', async () => {
    const runner = controlledRunner();
    const scheduler = new ScanScheduler({ run: runner.run, intervalMs: 3_600_000, logger });
    scheduler.noteDaemon({ root: '/d', driver: 'overlay2', containerdSnapshotter: false });
    runner.release();
    await scheduler.idle();
    scheduler.noteDaemon({ root: '/d', driver: 'overlay2', containerdSnapshotter: false });
    expect(runner.calls).toHaveLength(1);
    scheduler.stop();
  });

  it("scans the path it was given instead of the daemon's, when the data root is mounted elsewhere", async () => {
    const runner = controlledRunner();
    const scheduler = new ScanScheduler({ run: runner.run, intervalMs: 3_600_000, logger, rootOverride: '/host/var/lib/docker' });
    scheduler.noteDaemon({ root: '/var/lib/docker', driver: 'overlay2', containerdSnapshotter: false });
    expect(runner.calls[0]?.root).toBe('/host/var/lib/docker');
    runner.release();
    await scheduler.idle();
    scheduler.stop();
  });

  it('keeps serving the last complete scan when a scan fails', async () => {
    let fail = false;
    const scheduler = new ScanScheduler({
      run: async (view) => {
        if (fail) throw new Error('worker died');
        return result(view);
      },
      intervalMs: 3_600_000,
      logger,
    });
    scheduler.noteDaemon({ root: '/d', driver: 'overlay2', containerdSnapshotter: false });
    await scheduler.idle();
    const first = scheduler.latest();
    fail = true;
    await scheduler.trigger();
    expect(scheduler.latest()).toBe(first);
    scheduler.stop();
  });
});
