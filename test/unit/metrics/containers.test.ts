import { ContainerMetrics } from '../../../src/metrics/containers';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('ContainerMetrics', () => {
  it('counts containers by state and network mode, and names the host-network ones', async () => {
    const m = await render((registry) => {
      const area = new ContainerMetrics(registry, { hostNetworkMaxSeries: 50, unhealthyMaxSeries: 50 });
      return () => area.update(snapshotOf());
    });
    expect(m.all('docker_containers').map((s) => [s.labels, s.value])).toEqual([
      [{ state: 'exited', network_mode: 'host' }, 1],
      [{ state: 'running', network_mode: 'bridge' }, 1],
    ]);
    expect(m.all('docker_container_host_network_info')).toEqual([
      { name: 'docker_container_host_network_info', labels: { name: 'proxy', image: 'haproxy:2.8', state: 'exited' }, value: 1 },
    ]);
  });

  it('names at most --collector.host-network.max-series, while the count stays exact; nothing without a container list', async () => {
    const capped = await render((registry) => {
      const area = new ContainerMetrics(registry, { hostNetworkMaxSeries: 0, unhealthyMaxSeries: 50 });
      return () => area.update(snapshotOf());
    });
    expect(capped.all('docker_container_host_network_info')).toEqual([]);
    expect(capped.value('docker_containers', { network_mode: 'host' })).toBe(1);
    const none = await render((registry) => {
      const area = new ContainerMetrics(registry, { hostNetworkMaxSeries: 50, unhealthyMaxSeries: 50 });
      return () => area.update(snapshotOf({ containers: undefined }));
    });
    expect(none.samples).toEqual([]);
  });

  it('counts containers by health, every status present, and names the unhealthy ones by name, at most --collector.unhealthy.max-series', async () => {
    const containers = snapshotOf().containers ?? [];
    const sick = ['zeta', 'alpha', 'mid'].map((name, i) => ({
      ...(containers[0] as (typeof containers)[0]),
      id: String(i),
      name,
      health: 'unhealthy' as const,
    }));
    const m = await render((registry) => {
      const area = new ContainerMetrics(registry, { hostNetworkMaxSeries: 50, unhealthyMaxSeries: 2 });
      return () => area.update(snapshotOf({ containers: [...containers, ...sick] }));
    });
    expect(Object.fromEntries(m.all('docker_containers_health').map((s) => [s.labels['status'], s.value]))).toEqual({
      healthy: 1,
      none: 1,
      starting: 0,
      unhealthy: 3,
    });
    expect(m.all('docker_container_unhealthy_info').map((s) => s.labels['name'])).toEqual(['alpha', 'mid']);
  });
});
