import { DataRootMetrics } from '../../../src/metrics/dataRoot';
import type { CompletedScan } from '../../../src/scan/scheduler';
import { render } from '../../helpers/snapshots';

const scan: CompletedScan = {
  durationSeconds: 1.5,
  finishedAt: 1795671211,
  result: {
    root: '/var/lib/docker',
    driver: 'overlay2',
    topLevel: new Map([
      ['overlay2', 4096000],
      ['devicemapper', 1024000],
    ]),
    orphaned: [{ driver: 'devicemapper', reason: 'inactive_driver', bytes: 1024000 }],
    unmeasured: [],
    orphanedLayers: 2,
    buildCacheBytes: 0,
    reclaimable: new Map(),
    volumeBytes: new Map(),
    filesystem: { sizeBytes: 100e9, freeBytes: 40e9 },
    errors: new Map(),
    examples: [],
    priorDrivers: ['overlay2', 'devicemapper'],
    driverDirs: ['overlay2', 'devicemapper'],
    complete: true,
    files: 1200,
  },
};

describe('DataRootMetrics', () => {
  it("gives the last complete scan's figures", async () => {
    const m = await render((registry) => {
      const area = new DataRootMetrics(registry);
      return () => area.update(scan);
    });
    expect(m.value('docker_data_root_bytes', { dir: 'devicemapper' })).toBe(1024000);
    expect(m.value('docker_data_root_orphaned_bytes', { driver: 'devicemapper', reason: 'inactive_driver' })).toBe(1024000);
    expect(m.value('docker_data_root_orphaned_layers', { driver: 'overlay2' })).toBe(2);
    expect(m.value('docker_data_root_filesystem_free_bytes')).toBe(40e9);
    expect(m.value('docker_data_root_scan_success')).toBe(1);
    expect(m.value('docker_data_root_scan_duration_seconds')).toBe(1.5);
  });

  it('says nothing before the first scan', async () => {
    const m = await render((registry) => {
      const area = new DataRootMetrics(registry);
      return () => area.update(undefined);
    });
    expect(m.samples).toEqual([]);
  });
});
