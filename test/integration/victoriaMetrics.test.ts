import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DASHBOARDS } from '../../dashboards/generate';
import { repoRoot } from '../helpers/exporter';
import { FleetSimulator, planFleet } from '../helpers/fleetSimulator';
import { TestAlertmanager, WebhookReceiver } from '../helpers/monitoring';
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

function expectedFiring(): string[] {
  return hosts.flatMap((h) => simulator.expected(h).map((a) => `${h.instance} ${a}`)).sort();
}

beforeAll(async () => {
  const address = await simulator.start();
  const root = repoRoot();
  const rules = ['docker-daemon-exporter.rules.yml', 'docker-daemon-exporter.recording.yml'].map((file) => {
    const to = path.join(dir, file);
    writeFileSync(to, readFileSync(path.join(root, 'alerts', file), 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 1s'));
    return to;
  });
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
    const expected = expectedFiring();
    let last: string[] = [];
    await waitFor(
      'the firing alerts to be the expected ones',
      async () => {
        last = await vm.firing();
        return JSON.stringify(last) === JSON.stringify(expected) ? true : undefined;
      },
      120000,
      1000,
    ).catch(() => undefined);
    expect({ missing: expected.filter((e) => !last.includes(e)), unexpected: last.filter((e) => !expected.includes(e)) }).toEqual({
      missing: [],
      unexpected: [],
    });
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(await vm.firing()).toEqual(expected);
  }, 150000);

  it('send them through Alertmanager with their annotations filled in', async () => {
    const names = new Set(expectedFiring().map((e) => e.split(' ')[1]?.split('/')[0]));
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
    for (const [file, build] of Object.entries(DASHBOARDS)) {
      const dashboard = build() as { panels: { title: string; targets: { expr: string }[] }[] };
      for (const p of dashboard.panels) {
        for (const t of p.targets) {
          const expr = t.expr
            .replace(/\$job/g, '.+')
            .replace(/\$instance/g, '.+')
            .replace(/\$__rate_interval/g, '1m')
            .replace(/\$__range/g, '1h');
          const res = await vm.query(expr);
          if (res.status !== 'success') failures.push(`${file} / ${p.title}: ${res.error ?? res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect((await vm.query('docker:hosts:count')).data?.result.map((r) => r.metric['job'])).toEqual(['docker']);
  });
});
