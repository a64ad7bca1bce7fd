import type { Exposition } from './exposition';
import { SnapshotGauge } from './snapshotGauge';

/** The gauges of one metric area, registered together and reset together before each snapshot. */
export class GaugeSet {
  private readonly gauges: SnapshotGauge[] = [];

  constructor(private readonly exposition: Exposition) {}

  gauge(name: string, help: string, labelNames: readonly string[] = [], type: 'gauge' | 'counter' = 'gauge'): SnapshotGauge {
    const gauge = this.exposition.add(new SnapshotGauge(name, help, labelNames, type));
    this.gauges.push(gauge);
    return gauge;
  }

  reset(): void {
    for (const gauge of this.gauges) gauge.reset();
  }
}
