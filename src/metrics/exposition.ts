import { Registry } from 'prom-client';
import type { SnapshotGauge } from './snapshotGauge';
import { byName } from '../util/order';

/** The process's families by name, rendered. */
export type ProcessFamilies = ReadonlyMap<string, string>;

/** A family as docs/metrics.md lists it. */
export interface FamilyDescription {
  name: string;
  type: string;
  labels: readonly string[];
  help: string;
}

/**
 * What a scrape reads, from two registries rendered as one text: the
 * exporter's own families (SnapshotGauge: what the last snapshot set, each
 * rendering itself from text kept while its samples stay the same), and
 * prom-client's registry for the process (`process`: its process_* and
 * nodejs_* metrics, the event-loop lag, the build info), rendered as
 * prom-client renders them, and ahead of the daemon's answer when a scrape
 * asks. Families in name order, as Prometheus' Go client has them: the text
 * depends on what is measured, not on the order of registration, so a golden
 * file survives refactoring. The Prometheus text format only (never
 * OpenMetrics); no default labels on either side.
 */
export class Exposition {
  /** prom-client's registry: the process's own metrics. */
  readonly process = new Registry();
  private readonly own = new Map<string, SnapshotGauge>();

  readonly contentType = this.process.contentType;

  /** Takes one of the exporter's own families; a name taken twice, on either side, is a programming error. */
  add<T extends SnapshotGauge>(family: T): T {
    if (this.own.has(family.name) || this.process.getSingleMetric(family.name)) throw new Error(`${family.name}: registered twice`);
    this.own.set(family.name, family);
    return family;
  }

  /** Every family's name, type, label names and help, in name order. */
  descriptions(): FamilyDescription[] {
    const own = [...this.own.values()].map((f) => ({ name: f.name, type: f.type, labels: f.labelNames, help: f.help }));
    const theirs = this.process.getMetricsAsArray().map((metric) => {
      const m = metric as unknown as { name: string; help: string; type: string; labelNames?: readonly string[] };
      return { name: m.name, type: m.type, labels: m.labelNames ?? [], help: m.help };
    });
    return [...own, ...theirs].sort(byName);
  }

  /**
   * Starts rendering the process's families: they do not depend on the daemon, so a scrape renders
   * them while the daemon answers. All are collected in this one tick, as a scrape of the registry would.
   */
  async processFamilies(): Promise<ProcessFamilies> {
    const names = this.process.getMetricsAsArray().map((metric) => metric.name);
    const texts = await Promise.all(names.map((name) => this.process.getSingleMetricAsString(name)));
    return new Map(names.map((name, i) => [name, texts[i] ?? '']));
  }

  /** Every family in name order; the process's from `processFamilies` when rendered ahead. */
  async metrics(processFamilies?: ProcessFamilies): Promise<string> {
    const own = [...this.own.values()].map((f) => ({ name: f.name, text: Promise.resolve(f.text()) }));
    const theirs = this.process.getMetricsAsArray().map((metric) => {
      const ahead = processFamilies?.get(metric.name);
      return { name: metric.name, text: ahead !== undefined ? Promise.resolve(ahead) : this.process.getSingleMetricAsString(metric.name) };
    });
    const families = [...own, ...theirs].sort(byName);
    return `${(await Promise.all(families.map((f) => f.text))).join('\n\n')}\n`;
  }
}
