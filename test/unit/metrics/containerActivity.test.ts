import { ContainerActivityMetrics } from '../../../src/metrics/containerActivity';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('ContainerActivityMetrics', () => {
  const containerActivity = {
    restartsTotal: 9,
    oomKillsTotal: 2,
    restarts: [
      { name: 'loop', count: 6 },
      { name: 'web', count: 2 },
      { name: 'db', count: 1 },
    ],
    oomKilled: [
      { name: 'hog', image: 'busybox', atSeconds: 200 },
      { name: 'eater', image: 'alpine', atSeconds: 100 },
    ],
  };

  it('exposes exact per-host totals as counters and the most restarted and last OOM-killed containers, each list capped', async () => {
    const m = await render((registry) => {
      const area = new ContainerActivityMetrics(registry, { restartsMaxSeries: 2, oomKillsMaxSeries: 1 });
      return () => area.update(snapshotOf({ containerActivity }));
    });
    expect(m.value('docker_containers_restarts_total')).toBe(9);
    expect(m.value('docker_containers_oom_kills_total')).toBe(2);
    expect(m.all('docker_container_restarts_total').map((s) => [s.labels['name'], s.value])).toEqual([
      ['loop', 6],
      ['web', 2],
    ]);
    expect(m.all('docker_container_oom_killed_info').map((s) => s.labels)).toEqual([{ name: 'hog', image: 'busybox' }]);
    expect(m.text).toContain('# TYPE docker_container_restarts_total counter');
  });

  it('says nothing where nobody follows the events (textfile, check)', async () => {
    const m = await render((registry) => {
      const area = new ContainerActivityMetrics(registry, { restartsMaxSeries: 50, oomKillsMaxSeries: 50 });
      return () => area.update(snapshotOf());
    });
    expect(m.samples).toEqual([]);
  });
});
