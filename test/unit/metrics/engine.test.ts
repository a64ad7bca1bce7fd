import { EngineMetrics } from '../../../src/metrics/engine';
import { render, snapshotOf } from '../../helpers/snapshots';

describe('EngineMetrics', () => {
  it('says the daemon is up, what engine it is, and what it holds', async () => {
    const m = await render((registry) => {
      const area = new EngineMetrics(registry);
      return () => area.update(snapshotOf());
    });
    expect(m.value('docker_up')).toBe(1);
    expect(m.all('docker_engine_info')[0]?.labels).toEqual({
      engine: 'docker',
      version: '24.0.7',
      api_version: '1.43',
      os: 'linux',
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      kernel_version: '6.1.0-13-amd64',
      architecture: 'x86_64',
      data_root: '/var/lib/docker',
    });
    expect([m.value('docker_images'), m.value('docker_volumes')]).toEqual([3, 2]);
  });

  it('says docker_up 0 and nothing else when the daemon is down', async () => {
    const m = await render((registry) => {
      const area = new EngineMetrics(registry);
      return () => area.update(snapshotOf({ up: false, info: undefined, volumes: undefined }));
    });
    expect(m.samples.map((s) => `${s.name} ${s.value}`)).toEqual(['docker_up 0']);
  });
});
