import { UpgradeMetrics } from '../../../src/metrics/upgrade';
import { upgradeVerdict } from '../../../src/upgrade/verdict';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('UpgradeMetrics', () => {
  it('an overlay2 host pinned in daemon.json: no blocker, every version starts, nothing to re-create', async () => {
    const m = await render((registry) => {
      const area = new UpgradeMetrics(registry);
      return () => area.update(upgradeVerdict(snapshotOf(), undefined, [25, 29]));
    });
    expect(m.all('docker_upgrade_blocker').every((s) => s.value === 0)).toBe(true);
    expect(
      m.all('docker_upgrade_outcome').map((s) => `${s.labels['target_version']} ${s.labels['restart']} ${s.labels['outcome']}`),
    ).toEqual(['24 true starts', '25 false starts', '29 false starts']);
    expect(m.value('docker_upgrade_recreate_containers')).toBe(0);
    expect(m.value('docker_upgrade_local_only_images')).toBe(1);
  });

  it('says nothing without a verdict (the daemon is down)', async () => {
    const m = await render((registry) => {
      const area = new UpgradeMetrics(registry);
      return () => area.update(undefined);
    });
    expect(m.samples).toEqual([]);
  });
});
