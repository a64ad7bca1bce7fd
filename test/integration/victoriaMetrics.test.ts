import * as path from 'node:path';
import { dashboardQueries } from '../helpers/dashboardQueries';
import { FleetSimulator, planFleet } from '../helpers/fleetSimulator';
import { rulesWithShortFor, TestAlertmanager, WebhookReceiver } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';
import { TestVictoriaMetrics } from '../helpers/victoriaMetrics';

/**
 * The second backend: the same simulated fleet as test/integration/fleet.test.ts (where Prometheus
 * fires exactly the alerts the hosts are set up to fire), scraped by vmagent into VictoriaMetrics,
 * the shipped rules evaluated by vmalert (their `for` shortened), alerts sent through Alertmanager.
 */
const dir = tempDir('vm');
const hosts = planFleet(40);
const simulator = new FleetSimulator(hosts);
const vm = new TestVictoriaMetrics(dir);
const alertmanager = new TestAlertmanager(path.join(dir, 'alertmanager'));
const receiver = new WebhookReceiver();

beforeAll(async () => {
  const address = await simulator.start();
  const rules = rulesWithShortFor(dir);
  await receiver.start();
  await alertmanager.start(receiver.url);
  await vm.start(simulator.scrapeConfig(address, 'docker', '1s'), rules, alertmanager.url);
}, 120000);

afterAll(async () => {
  await vm.stop();
  await alertmanager.stop();
  await receiver.stop();
  await simulator.stop();
});

describe('the shipped rules and dashboards on VictoriaMetrics (vmagent, vmalert)', () => {
  it('fire exactly the alerts of the hosts set up to fire them, the same set as on Prometheus, and keep to them', async () => {
    await simulator.expectFiringExactly(() => vm.firing());
  }, 150000);

  it('send them through Alertmanager with their annotations filled in', async () => {
    const names = new Set(simulator.expectedFiring().map((e) => e.split(' ')[1]?.split('/')[0]));
    await waitFor('every alert name at the webhook', () =>
      [...names].every((n) => receiver.alerts.some((a) => a.labels['alertname'] === n)) ? true : undefined,
    );
    for (const a of receiver.alerts) {
      expect([a.labels['alertname'], a.annotations['summary']?.endsWith('.'), a.annotations['runbook_url']?.includes('#docker')]).toEqual([
        a.labels['alertname'],
        true,
        true,
      ]);
      expect([a.labels['alertname'], a.annotations['description']?.includes('{{')]).toEqual([a.labels['alertname'], false]);
    }
  });

  it('answer every dashboard query on the Prometheus-compatible API, the fleet counts from the recording rules among them', async () => {
    await waitFor('the recording rules written back', async () =>
      (await vm.query('docker:hosts:count')).data?.result.length ? true : undefined,
    );
    const failures: string[] = [];
    for (const { file, title, expr } of dashboardQueries()) {
      const res = await vm.query(expr);
      if (res.status !== 'success') failures.push(`${file} / ${title}: ${res.error ?? res.status}`);
    }
    expect(failures).toEqual([]);
    expect((await vm.query('docker:hosts:count')).data?.result.map((r) => r.metric['job'])).toEqual(['docker']);
  });
});
