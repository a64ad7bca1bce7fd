import type { Registry } from 'prom-client';
import type { DaemonSnapshot } from '../collector/snapshot';
import { hostNetworkFirst } from '../parse/containers';
import { GaugeSet } from './gaugeSet';

export interface ContainerMetricsOptions {
  /** At most this many docker_container_host_network_info series. */
  hostNetworkMaxSeries: number;
}

/** Containers by state and network mode, and the host-network ones by name. */
export class ContainerMetrics {
  private readonly set: GaugeSet;
  private readonly containers;
  private readonly hostNetwork;

  constructor(
    registry: Registry,
    private readonly options: ContainerMetricsOptions,
  ) {
    const set = (this.set = new GaugeSet(registry));
    this.containers = set.gauge(
      'docker_containers',
      'Containers by state and network mode (HostConfig.NetworkMode classified: bridge, host, none, container, custom).',
      ['state', 'network_mode'],
    );
    this.hostNetwork = set.gauge(
      'docker_container_host_network_info',
      'One series per container in host network mode (no longer recommended), always 1, at most --collector.host-network.max-series of them (running first, then by name), while docker_containers{network_mode="host"} counts them all.',
      ['name', 'image', 'state'],
    );
  }

  update(snapshot: DaemonSnapshot): void {
    this.set.reset();
    if (!snapshot.containers) return;
    // Counted in plain maps first: a gauge sample per container would cost a label key each, 10,000 a
    // scrape; maps by state then mode, since a joined key string per container costs three times as much.
    const counts = new Map<string, Map<string, number>>();
    for (const container of snapshot.containers) {
      let byMode = counts.get(container.state);
      if (!byMode) counts.set(container.state, (byMode = new Map<string, number>()));
      byMode.set(container.networkMode, (byMode.get(container.networkMode) ?? 0) + 1);
    }
    for (const [state, byMode] of counts) {
      for (const [network_mode, count] of byMode) this.containers.set({ state, network_mode }, count);
    }
    for (const container of hostNetworkFirst(snapshot.containers, this.options.hostNetworkMaxSeries)) {
      this.hostNetwork.set({ name: container.name, image: container.image, state: container.state }, 1);
    }
  }
}
