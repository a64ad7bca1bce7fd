import type { Registry } from 'prom-client';
import { SnapshotGauge } from './snapshotGauge';

/** The gauges of one metric area, registered together and reset together before each snapshot. */
export class GaugeSet {
  private readonly gauges: SnapshotGauge[] = [];

  constructor(private readonly registry: Registry) {}

  gauge(name: string, help: string, labelNames: readonly string[] = [], type: 'gauge' | 'counter' = 'gauge'): SnapshotGauge {
    const gauge = new SnapshotGauge(name, help, labelNames, type).register(this.registry);
    this.gauges.push(gauge);
    return gauge;
  }

  reset(): void {
    for (const gauge of this.gauges) gauge.reset();
  }
}
