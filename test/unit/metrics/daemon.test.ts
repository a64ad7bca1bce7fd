import { DaemonMetrics } from '../../../src/metrics/daemon';
import { upgradeVerdict } from '../../../src/upgrade/verdict';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('DaemonMetrics', () => {
  it("says the daemon's warnings, and that its daemon.json will be accepted", async () => {
    const snapshot = snapshotOf();
    const m = await render((registry) => {
      const area = new DaemonMetrics(registry);
      return () => {
        area.update(snapshot);
        area.updateVerdict(upgradeVerdict(snapshot, undefined));
      };
    });
    expect(m.value('docker_daemon_warnings')).toBe(1);
    expect(m.all('docker_daemon_warning_info').map((s) => s.labels)).toEqual([{ warning: 'WARNING: No swap limit support' }]);
    expect(m.value('docker_daemon_config_valid')).toBe(1);
  });

  it('says 0 for a daemon.json the next start refuses, and nothing when the daemon is down', async () => {
    const broken = snapshotOf();
    if (broken.storageConfig?.known)
      broken.storageConfig.configuration.daemonJson = { file: '/etc/docker/daemon.json', bytes: Buffer.from('{"storage-driver": ') };
    const m = await render((registry) => {
      const area = new DaemonMetrics(registry);
      return () => area.updateVerdict(upgradeVerdict(broken, undefined));
    });
    expect(m.value('docker_daemon_config_valid')).toBe(0);
    const down = await render((registry) => {
      const area = new DaemonMetrics(registry);
      return () => {
        area.update(snapshotOf({ up: false, info: undefined }));
        area.updateVerdict(undefined);
      };
    });
    expect(down.samples).toEqual([]);
  });
});
