import * as path from 'node:path';
import { FleetSimulator, planFleet } from '../helpers/fleetSimulator';
import { rulesWithShortFor, TestPrometheus } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * A fleet of 100 simulated hosts of every kind (tests/helpers/fleetSimulator.ts) scraped by the
 * Debian Prometheus with the shipped rules, their `for` shortened so that a test can wait for them:
 * the alerts firing are exactly those of the hosts set up to fire, one per host and condition, and
 * the recording rules count the fleet as it was planned.
 */
const dir = tempDir('dde-fleet-');
const hosts = planFleet(100);
const simulator = new FleetSimulator(hosts);
const prometheus = new TestPrometheus(path.join(dir, 'prometheus'));

const key = (alertname: string, targetVersion?: string) => (targetVersion ? `${alertname}/${targetVersion}` : alertname);

async function firing(): Promise<string[]> {
  const res = await prometheus.query('ALERTS{alertstate="firing"}');
  return (res.data?.result ?? [])
    .map((r) => `${r.metric['instance'] ?? '-'} ${key(r.metric['alertname'] ?? '', r.metric['target_version'])}`)
    .sort();
}

async function value(expr: string): Promise<Record<string, number>> {
  const res = await prometheus.query(expr);
  return Object.fromEntries((res.data?.result ?? []).map((r) => [JSON.stringify(r.metric), Number(r.value[1])]));
}

beforeAll(async () => {
  const address = await simulator.start();
  rulesWithShortFor(dir);
  await prometheus.start(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [${JSON.stringify(path.join(dir, '*.yml'))}]
scrape_configs:
${simulator.scrapeConfig(address, 'docker', '1s')}`);
}, 90000);

afterAll(async () => {
  await prometheus.stop();
  await simulator.stop();
});

describe('a simulated fleet of 100 hosts on one Prometheus with the shipped rules', () => {
  it('has every kind of host set up to fire something, and some set up to fire nothing', () => {
    const expected = simulator.expectedFiring();
    expect(new Set(expected.map((e) => e.split(' ')[1])).size).toBeGreaterThanOrEqual(12);
    expect(hosts.filter((h) => simulator.expected(h).length === 0).length).toBeGreaterThan(10);
  });

  it('fires exactly the alerts of the hosts set up to fire them, one per host and condition, and keeps to them', async () => {
    // Then five more evaluations: nothing else starts firing, nothing stops.
    await simulator.expectFiringExactly(firing);
  }, 150000);

  it('counts the fleet in the recording rules as it was planned', async () => {
    const byDriver: Record<string, number> = {};
    for (const h of hosts) {
      const driver = /^docker_storage_driver_info\{driver="([^"]+)"/m.exec(simulator.profileText(h.profile))?.[1];
      if (driver && !h.exporterDown) byDriver[driver] = (byDriver[driver] ?? 0) + 1;
    }
    await waitFor(
      'the recording rules',
      async () => (Object.keys(await value('docker:hosts_by_driver:count')).length ? true : undefined),
      30000,
      500,
    );
    expect(await value('docker:hosts:count')).toEqual({
      [JSON.stringify({ __name__: 'docker:hosts:count', job: 'docker' })]: hosts.length,
    });
    expect(Object.values(await value('docker:hosts_exporter_down:count'))).toEqual([hosts.filter((h) => h.exporterDown).length]);
    expect(Object.values(await value('docker:hosts_daemon_down:count'))).toEqual([hosts.filter((h) => h.profile === 'daemon-down').length]);
    const recorded = await value('docker:hosts_by_driver:count');
    expect(
      Object.fromEntries(Object.entries(recorded).map(([labels, n]) => [(JSON.parse(labels) as Record<string, string>)['driver'], n])),
    ).toEqual(byDriver);
    const filling = hosts
      .filter((h) => h.filling)
      .map((h) => h.instance)
      .sort();
    const low = await value(`docker:devicemapper_data_space_available:ratio < 0.2`);
    expect(
      Object.keys(low)
        .map((l) => (JSON.parse(l) as Record<string, string>)['instance'])
        .sort(),
    ).toEqual(filling);
  });
});
