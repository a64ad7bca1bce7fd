import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, Registry } from 'prom-client';

/** prom-client's event-loop metrics, which collectDefaultMetrics registers and this module replaces. */
export const PROM_CLIENT_EVENT_LOOP_METRICS = [
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

type Figure = 'min' | 'max' | 'mean' | 'p50' | 'p90' | 'p99';

/**
 * prom-client's event-loop lag metrics, the same names, help and values, less
 * the standard deviation: Node's delay histogram walks all of its buckets to
 * compute one (measured: more than every other process metric together; see
 * docs/benchmarks.md), where min, max, mean and percentiles cost microseconds.
 * As in prom-client, the histogram restarts at each scrape and the plain lag
 * is the delay of a setImmediate, reported at the next scrape.
 */
export function registerEventLoopLag(registry: Registry): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // A scrape calls every metric's collect in one tick: the first takes the figures and restarts the
  // histogram, the others read the same figures, whatever order the registry renders them in.
  let figures: Record<Figure, number> | null | undefined;
  const read = (): Record<Figure, number> | null => {
    if (figures === undefined) {
      // Nothing measured since the last scrape (an empty histogram says min 9223372036854776000): keep the last values.
      figures =
        histogram.count === 0
          ? null
          : {
              min: histogram.min,
              max: histogram.max,
              mean: histogram.mean,
              p50: histogram.percentile(50),
              p90: histogram.percentile(90),
              p99: histogram.percentile(99),
            };
      histogram.reset();
      setImmediate(() => (figures = undefined));
    }
    return figures;
  };
  const figure = (name: string, help: string, which: Figure) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect(this: Gauge) {
        const taken = read();
        if (taken) this.set(taken[which] / 1e9);
      },
    });
  const lag: Gauge = new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds.',
    registers: [registry],
    collect() {
      const start = process.hrtime.bigint();
      setImmediate(() => lag.set(Number(process.hrtime.bigint() - start) / 1e9));
    },
  });
  figure('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min');
  figure('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max');
  figure('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'mean');
  figure('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 'p50');
  figure('nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 'p90');
  figure('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 'p99');
}
