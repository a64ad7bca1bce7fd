import { StorageDriverMetrics } from '../../../src/metrics/storageDriver';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('StorageDriverMetrics', () => {
  it('names the driver, not deprecated, explicitly configured in daemon.json', async () => {
    const m = await render((registry) => {
      const area = new StorageDriverMetrics(registry);
      return () => area.update(snapshotOf());
    });
    expect(m.all('docker_storage_driver_info')[0]?.labels).toMatchObject({ driver: 'overlay2', backing_filesystem: 'extfs' });
    expect(m.value('docker_storage_driver_deprecated', { driver: 'overlay2' })).toBe(0);
    expect(m.value('docker_storage_driver_explicit', { source: 'config_file' })).toBe(1);
    expect(m.value('docker_storage_driver_explicit_known')).toBe(1);
  });

  it('a deprecated driver nothing configures: deprecated, removed in 25, not explicit', async () => {
    const snapshot = snapshotOf();
    snapshot.info = { ...snapshot.info, driver: 'devicemapper', warnings: [], containerdSnapshotter: false };
    if (snapshot.storageConfig?.known) snapshot.storageConfig = { ...snapshot.storageConfig, source: 'none', driver: undefined };
    const m = await render((registry) => {
      const area = new StorageDriverMetrics(registry);
      return () => area.update(snapshot);
    });
    expect(m.value('docker_storage_driver_deprecated', { driver: 'devicemapper' })).toBe(1);
    expect(m.value('docker_storage_driver_removal_version', { driver: 'devicemapper' })).toBe(25);
    expect(m.value('docker_storage_driver_explicit', { source: 'none' })).toBe(0);
  });
});
