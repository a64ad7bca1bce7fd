import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import {
  CONTAINER_HEALTH,
  ContainerHealth,
  ContainerSummary,
  exitedNonZero,
  failedExitsFirst,
  hostNetworkFirst,
  unhealthyByName,
} from '../parse/containers';
import { seriesLabelOf, seriesLabels } from '../parse/containerLabels';
import { GaugeSet } from './gaugeSet';

export interface ContainerMetricsOptions {
  /** At most this many docker_container_host_network_info series. */
  hostNetworkMaxSeries: number;
  /** At most this many docker_container_unhealthy_info series. */
  unhealthyMaxSeries: number;
  /** At most this many docker_container_last_exit_code series (--collector.exit-codes.max-series; 50 when not said). */
  exitCodesMaxSeries?: number;
  /** Container labels copied onto every per-container series as label_<key> (--collector.container-labels). */
  containerLabels?: readonly string[];
}

/** Containers by state and network mode, the host-network ones by name; containers by health, the unhealthy ones by name. */
export class ContainerMetrics {
  private readonly set: GaugeSet;
  private readonly containers;
  private readonly hostNetwork;
  private readonly health;
  private readonly unhealthy;
  private readonly exitedNonZero;
  private readonly lastExitCode;

  constructor(
    exposition: Exposition,
    private readonly options: ContainerMetricsOptions,
  ) {
    const set = (this.set = new GaugeSet(exposition));
    const owners = (this.options.containerLabels ?? []).map(seriesLabelOf);
    this.containers = set.gauge(
      'docker_containers',
      'Containers by state and network mode (HostConfig.NetworkMode classified: bridge, host, none, container, custom).',
      ['state', 'network_mode'],
    );
    this.hostNetwork = set.gauge(
      'docker_container_host_network_info',
      'One series per container in host network mode (no longer recommended), always 1, at most --collector.host-network.max-series of them (running first, then by name), while docker_containers{network_mode="host"} counts them all.',
      ['name', 'image', 'state', ...owners],
    );
    this.health = set.gauge(
      'docker_containers_health',
      "Containers by health check status (none: no health check, or not running), from the list's status and kept current by health_status events.",
      ['status'],
    );
    this.unhealthy = set.gauge(
      'docker_container_unhealthy_info',
      'One series per running container whose health check fails, always 1, at most --collector.unhealthy.max-series of them by name, while docker_containers_health counts them all.',
      ['name', 'image', ...owners],
    );
    this.exitedNonZero = set.gauge(
      'docker_containers_exited_nonzero',
      'Stopped containers whose last exit code is not 0: after a migration, what failed to come back shows here first.',
    );
    this.lastExitCode = set.gauge(
      'docker_container_last_exit_code',
      'The exit code of each stopped container that exited non-zero, at most --collector.exit-codes.max-series of them, the most recent exit first (State.FinishedAt where inspected, else the list\'s "Exited (N) … ago"), while docker_containers_exited_nonzero counts them all.',
      ['name', 'image', ...owners],
    );
  }

  /** The container list the samples were made from: the inventory hands the same array until a container changes. */
  private counted: readonly ContainerSummary[] | undefined;

  update(snapshot: DaemonSnapshot): void {
    if (snapshot.containers !== undefined && snapshot.containers === this.counted) return;
    this.counted = snapshot.containers;
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
      this.hostNetwork.set({ name: container.name, image: container.image, state: container.state, ...this.owners(container) }, 1);
    }
    const byHealth = new Map<ContainerHealth, number>(CONTAINER_HEALTH.map((status) => [status, 0]));
    for (const container of snapshot.containers) byHealth.set(container.health, (byHealth.get(container.health) ?? 0) + 1);
    for (const [status, count] of byHealth) this.health.set({ status }, count);
    for (const container of unhealthyByName(snapshot.containers, this.options.unhealthyMaxSeries)) {
      this.unhealthy.set({ name: container.name, image: container.image, ...this.owners(container) }, 1);
    }
    let failed = 0;
    for (const container of snapshot.containers) if (exitedNonZero(container)) failed += 1;
    this.exitedNonZero.set({}, failed);
    for (const container of failedExitsFirst(snapshot.containers, this.options.exitCodesMaxSeries ?? 50)) {
      this.lastExitCode.set({ name: container.name, image: container.image, ...this.owners(container) }, container.exitCode ?? 0);
    }
  }

  /** The container's label_<key> series labels; none without --collector.container-labels. */
  private owners(container: ContainerSummary): Record<string, string> {
    const wanted = this.options.containerLabels ?? [];
    return wanted.length === 0 ? {} : seriesLabels(container.labels, wanted);
  }
}
