import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import { seriesLabelOf, seriesLabels } from '../parse/containerLabels';
import { GaugeSet } from './gaugeSet';

export interface ContainerActivityMetricsOptions {
  /** At most this many docker_container_restarts_total series. */
  restartsMaxSeries: number;
  /** At most this many docker_container_oom_killed_info series. */
  oomKillsMaxSeries: number;
  /** Container labels copied onto the per-container series as label_<key> (--collector.container-labels), from the container of that name. */
  containerLabels?: readonly string[];
}

/** Restarts and OOM kills seen since the exporter started: per host exactly, per container for the few that matter most. */
export class ContainerActivityMetrics {
  private readonly set: GaugeSet;
  private readonly restartsTotal;
  private readonly restarts;
  private readonly oomKillsTotal;
  private readonly oomKilled;

  constructor(
    exposition: Exposition,
    private readonly options: ContainerActivityMetricsOptions,
  ) {
    const set = (this.set = new GaugeSet(exposition));
    const owners = (this.options.containerLabels ?? []).map(seriesLabelOf);
    this.restartsTotal = set.gauge(
      'docker_containers_restarts_total',
      "Container restarts seen since the exporter started, every container counted (the restart policy's, from RestartCount, and docker restart's, from restart events).",
      [],
      'counter',
    );
    this.restarts = set.gauge(
      'docker_container_restarts_total',
      'Restarts of each container seen since the exporter started, at most --collector.restarts.max-series containers, the most recently restarted first, while docker_containers_restarts_total counts them all.',
      ['name', ...owners],
      'counter',
    );
    this.oomKillsTotal = set.gauge(
      'docker_containers_oom_kills_total',
      'Containers killed by the kernel for want of memory (oom events) since the exporter started, every container counted.',
      [],
      'counter',
    );
    this.oomKilled = set.gauge(
      'docker_container_oom_killed_info',
      'One series per container the kernel OOM-killed since the exporter started, always 1, at most --collector.oom-kills.max-series of them, the last killed first.',
      ['name', 'image', ...owners],
    );
  }

  /** The view the samples were made from: the collector hands the same object until something happened. */
  private shown: DaemonSnapshot['containerActivity'];

  update(snapshot: DaemonSnapshot): void {
    const activity = snapshot.containerActivity;
    if (activity !== undefined && activity === this.shown) return;
    this.shown = activity;
    this.set.reset();
    if (!activity) return;
    this.restartsTotal.set({}, activity.restartsTotal);
    this.oomKillsTotal.set({}, activity.oomKillsTotal);
    const owners = this.ownersByName(snapshot);
    for (const { name, count } of activity.restarts.slice(0, this.options.restartsMaxSeries))
      this.restarts.set({ name, ...owners(name) }, count);
    for (const { name, image } of activity.oomKilled.slice(0, this.options.oomKillsMaxSeries))
      this.oomKilled.set({ name, image, ...owners(name) }, 1);
  }

  /** A container's label_<key> series labels by its name, from the snapshot's containers (empty for one removed since). */
  private ownersByName(snapshot: DaemonSnapshot): (name: string) => Record<string, string> {
    const wanted = this.options.containerLabels ?? [];
    if (wanted.length === 0) return () => ({});
    const byName = new Map((snapshot.containers ?? []).map((c) => [c.name, c.labels]));
    return (name) => seriesLabels(byName.get(name), wanted);
  }
}
