import { collectDefaultMetrics, Registry } from 'prom-client';
import { PROM_CLIENT_EVENT_LOOP_METRICS, registerEventLoopLag } from '../../../src/metrics/eventLoopLag';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Keeps the event loop busy for about `ms`, so that the delay histogram has something to say. */
function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

function values(text: string): Record<string, number> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.startsWith('nodejs_eventloop'))
      .map((l) => [l.split(' ')[0] as string, Number(l.split(' ')[1])]),
  );
}

describe('the event-loop lag metrics', () => {
  it("are prom-client's, less the standard deviation: same names, help and types", async () => {
    const theirs = new Registry();
    collectDefaultMetrics({ register: theirs });
    const ours = new Registry();
    registerEventLoopLag(ours);
    const describe = async (r: Registry) =>
      (await r.getMetricsAsJSON())
        .filter((m) => m.name.startsWith('nodejs_eventloop'))
        .map((m) => `${m.name} ${m.type} ${m.help}`)
        .sort();
    const expected = (await describe(theirs)).filter((line) => !line.startsWith('nodejs_eventloop_lag_stddev_seconds'));
    expect(await describe(ours)).toEqual(expected);
    expect([...PROM_CLIENT_EVENT_LOOP_METRICS].sort()).toEqual((await describe(theirs)).map((l) => l.split(' ')[0]));
  });

  it('report one consistent set of figures per scrape, in the sorted order the exporter renders', async () => {
    const registry = new Registry();
    registerEventLoopLag(registry);
    await sleep(50);
    block(40);
    await sleep(30);
    const first = values(await registry.metrics());
    // Figures from the same histogram, read before it restarted: ordered, and the 40 ms block seen by max.
    expect(first['nodejs_eventloop_lag_min_seconds']).toBeGreaterThan(0);
    expect(first['nodejs_eventloop_lag_min_seconds']).toBeLessThanOrEqual(first['nodejs_eventloop_lag_p50_seconds'] as number);
    expect(first['nodejs_eventloop_lag_p50_seconds']).toBeLessThanOrEqual(first['nodejs_eventloop_lag_p90_seconds'] as number);
    expect(first['nodejs_eventloop_lag_p90_seconds']).toBeLessThanOrEqual(first['nodejs_eventloop_lag_p99_seconds'] as number);
    expect(first['nodejs_eventloop_lag_p99_seconds']).toBeLessThanOrEqual(first['nodejs_eventloop_lag_max_seconds'] as number);
    expect(first['nodejs_eventloop_lag_max_seconds']).toBeGreaterThanOrEqual(0.03);
    expect(first['nodejs_eventloop_lag_stddev_seconds']).toBeUndefined();

    // The histogram restarted at that scrape: the block is not in the next one.
    await sleep(60);
    const second = values(await registry.metrics());
    expect(second['nodejs_eventloop_lag_max_seconds']).toBeLessThan(0.03);
    expect(second['nodejs_eventloop_lag_seconds']).toBeGreaterThan(0);
  });
});
