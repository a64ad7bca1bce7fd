import type { Registry } from 'prom-client';
import type { DaemonSnapshot } from '../collector/daemonCollector';
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
    this.containers = set.gauge('docker_containers', 'Containers by state and network mode (HostConfig.NetworkMode classified: bridge, host, none, container, custom).', [
      'state',
      'network_mode',
    ]);
    this.hostNetwork = set.gauge(
      'docker_container_host_network_info',
      `One series per container in host network mode, which is no longer recommended; always 1. At most --collector.host-network.max-series (${options.hostNetworkMaxSeries}) series, running containers first, then by name; docker_containers{network_mode="host"} counts them all.`,
      ['name', 'image', 'state'],
    );
  }

  update(snapshot: DaemonSnapshot): void {
    this.set.reset();
    if (!snapshot.containers) return;
    // Counted in a plain map first: a gauge sample per container would cost a label key each, 10,000 a scrape.
    const counts = new Map<string, { state: string; network_mode: string; count: number }>();
    for (const container of snapshot.containers) {
      const key = `${container.state}\u0000${container.networkMode}`;
      const entry = counts.get(key);
      if (entry) entry.count++;
      else counts.set(key, { state: container.state, network_mode: container.networkMode, count: 1 });
    }
    for (const { state, network_mode, count } of counts.values()) this.containers.set({ state, network_mode }, count);
    for (const container of hostNetworkFirst(snapshot.containers, this.options.hostNetworkMaxSeries)) {
      this.hostNetwork.set({ name: container.name, image: container.image, state: container.state }, 1);
    }
  }
}
