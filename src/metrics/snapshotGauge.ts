import type { Metric, Registry } from 'prom-client';

type LabelValues = Record<string, string>;

/**
 * A gauge that shows exactly the samples set since its last reset. prom-client's
 * Gauge reports 0 for an unlabelled gauge that was never set, which would claim
 * "0 bytes of thin pool" on a host without devicemapper, or "0 images" while the
 * daemon is down; here an unknown value is simply absent.
 */
export class SnapshotGauge {
  private samples = new Map<string, { labels: LabelValues; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    /** A total kept elsewhere and copied in at each snapshot is exposed as a counter. */
    readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  reset(): void {
    this.samples = new Map();
  }

  set(labels: LabelValues, value: number): void {
    this.samples.set(this.key(labels), { labels, value });
  }

  inc(labels: LabelValues, by = 1): void {
    const key = this.key(labels);
    const current = this.samples.get(key);
    this.samples.set(key, { labels, value: (current?.value ?? 0) + by });
  }

  get(): { name: string; help: string; type: 'gauge' | 'counter'; aggregator: 'sum'; values: { labels: LabelValues; value: number }[] } {
    // Sorted by label values, as Prometheus' Go client does: the same state always reads the same.
    const values = [...this.samples.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sample]) => sample);
    return { name: this.name, help: this.help, type: this.type, aggregator: 'sum', values };
  }

  private key(labels: LabelValues): string {
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length || names.some((n) => !this.labelNames.includes(n))) {
      throw new Error(`${this.name}: labels ${names.join(',')} do not match ${this.labelNames.join(',')}`);
    }
    return JSON.stringify(this.labelNames.map((n) => labels[n]));
  }
}
