import { registerMetricAreas } from '../../../src/metrics/exporter';
import { Exposition } from '../../../src/metrics/exposition';

async function helps(hostNetworkMaxSeries: number, upgradeTargets: number[]): Promise<Map<string, string>> {
  const exposition = new Exposition();
  registerMetricAreas(
    exposition,
    {
      version: 'test',
      processMetrics: false,
      hostNetworkMaxSeries,
      unhealthyMaxSeries: 50,
      restartsMaxSeries: 50,
      oomKillsMaxSeries: 50,
      upgradeTargets,
    },
    true,
  );
  return new Map(exposition.descriptions().map((m) => [m.name, m.help]));
}

describe('the HELP of every docker_* metric', () => {
  it('is one sentence, ending with a period', async () => {
    const notOne = [...(await helps(50, [25, 29]))].filter(([, help]) => help.split(/\.\s+(?=[A-Z])/).length > 1 || !help.endsWith('.'));
    expect(notOne).toEqual([]);
  });

  it('is the same whatever the flags: no flag value in it', async () => {
    expect(await helps(3, [26])).toEqual(await helps(50, [25, 29]));
  });
});
