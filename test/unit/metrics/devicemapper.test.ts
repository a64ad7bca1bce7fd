import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DevicemapperMetrics } from '../../../src/metrics/devicemapper';
import { parseInfo } from '../../../src/parse/info';
import { ProblemList } from '../../../src/parse/problems';
import { render, snapshotOf } from '../../helpers/snapshots';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/devicemapper', `${name}.json`), 'utf8'));

describe('DevicemapperMetrics', () => {
  it("gives a loop-lvm host's thin pool in bytes, as docker info shows it", async () => {
    const m = await render((registry) => {
      const area = new DevicemapperMetrics(registry);
      return () => area.update(snapshotOf({ info: parseInfo(fixture('loop-lvm-17.03'), new ProblemList()) }));
    });
    expect(m.value('docker_devicemapper_loop_lvm')).toBe(1);
    expect(m.value('docker_devicemapper_data_space_total_bytes')).toBeGreaterThan(0);
    expect(m.all('docker_devicemapper_pool_info')).toHaveLength(1);
  });

  it('says nothing on another driver', async () => {
    const m = await render((registry) => {
      const area = new DevicemapperMetrics(registry);
      return () => area.update(snapshotOf());
    });
    expect(m.samples).toEqual([]);
  });
});
