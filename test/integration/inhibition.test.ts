import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../helpers/exporter';
import { TestAlertmanager, WebhookReceiver } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * The shipped inhibition rules (alerts/docker-daemon-exporter.inhibit.yml) in a real Alertmanager
 * (Debian's): each host's alerts, labelled as the shipped rules label them, are posted as Prometheus
 * posts them; what reaches the receiver is one notification per cause.
 */
const INHIBIT_FILE = path.join(repoRoot(), 'alerts', 'docker-daemon-exporter.inhibit.yml');
const RULES_FILE = path.join(repoRoot(), 'alerts', 'docker-daemon-exporter.rules.yml');

/** Each shipped alert's severity, as its rule sets it. */
function severities(): Map<string, string> {
  const rules = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: { alert: string; labels: { severity: string } }[] }[] };
  return new Map(rules.groups.flatMap((g) => g.rules.map((r) => [r.alert, r.labels.severity] as const)));
}

describe('Alertmanager with the shipped inhibition rules: one page per cause', () => {
  const dir = tempDir('inhibit');
  const receiver = new WebhookReceiver();
  const alertmanager = new TestAlertmanager(path.join(dir, 'alertmanager'));
  const severity = severities();

  /** An alert as the shipped rule `alertname` would send it for `instance`, with the labels its expression keeps. */
  const alert = (alertname: string, instance: string, labels: Record<string, string> = {}) => {
    const level = severity.get(alertname);
    if (!level) throw new Error(`no shipped alert ${alertname}`);
    return {
      labels: { alertname, instance, job: 'docker', severity: level, ...labels },
      annotations: { summary: alertname },
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    };
  };

  const HOSTS = {
    // Docker 24 on devicemapper the daemon picked: the missing pin, the restart that fails because of it,
    // the deprecated driver, the upgrade that loses the containers.
    'implicit:9326': [
      alert('DockerStorageDriverNotExplicit', 'implicit:9326', { driver: 'devicemapper' }),
      alert('DockerRestartFails', 'implicit:9326', { target_version: '24', restart: 'true', outcome: 'refuses_to_start' }),
      alert('DockerStorageDriverDeprecated', 'implicit:9326', { driver: 'devicemapper' }),
      alert('DockerUpgradeFails', 'implicit:9326', { target_version: '25', restart: 'false', outcome: 'starts_without_containers' }),
    ],
    // A daemon that is down, with what it left stale.
    'down:9326': [
      alert('DockerDaemonDown', 'down:9326'),
      alert('DockerDataRootScanStale', 'down:9326'),
      alert('DockerContainersUnhealthy', 'down:9326'),
    ],
    // Two unrelated problems: the missing pin, and containers on host networking and OOM-killed.
    'two:9326': [
      alert('DockerStorageDriverNotExplicit', 'two:9326', { driver: 'devicemapper' }),
      alert('DockerHostNetworkContainers', 'two:9326'),
      alert('DockerContainerOOMKilled', 'two:9326', { name: 'hog', image: 'busybox' }),
    ],
    // A pool below its minimum (low and filling up too), and its metadata, a cause of its own, low.
    'pool:9326': [
      alert('DockerDevicemapperDataSpaceExhausted', 'pool:9326'),
      alert('DockerDevicemapperDataSpaceLow', 'pool:9326'),
      alert('DockerDevicemapperDataSpaceFillingUp', 'pool:9326'),
      alert('DockerDevicemapperMetadataSpaceLow', 'pool:9326'),
    ],
    // Pinned devicemapper: deprecated, and the upgrade fails for it.
    'pinned:9326': [
      alert('DockerStorageDriverDeprecated', 'pinned:9326', { driver: 'devicemapper' }),
      alert('DockerUpgradeFails', 'pinned:9326', { target_version: '25', restart: 'false', outcome: 'fails_to_start' }),
    ],
  };

  beforeAll(async () => {
    await receiver.start();
    const { inhibit_rules } = parse(readFileSync(INHIBIT_FILE, 'utf8')) as { inhibit_rules: unknown };
    await alertmanager.start(receiver.url, stringify({ inhibit_rules }));
    const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(Object.values(HOSTS).flat()),
    });
    expect(res.status).toBe(200);
    // Every group is sent after group_wait (1 s); wait until the receiver has heard of every host.
    await waitFor(
      'a notification for every host',
      () => (Object.keys(HOSTS).every((h) => receiver.alerts.some((a) => a.labels['instance'] === h)) ? true : undefined),
      30000,
      200,
    );
    // Give the other groups of each host their chance to arrive too (they must not).
    await new Promise((resolve) => setTimeout(resolve, 4000));
  });

  afterAll(async () => {
    await alertmanager.stop();
    await receiver.stop();
  });

  const received = (instance: string) =>
    [...new Set(receiver.alerts.filter((a) => a.labels['instance'] === instance).map((a) => a.labels['alertname']))].sort();

  it('a Docker 24 host on implicit devicemapper: one critical notification, the missing pin', () => {
    expect(received('implicit:9326')).toEqual(['DockerStorageDriverNotExplicit']);
    expect(receiver.alerts.find((a) => a.labels['instance'] === 'implicit:9326')?.labels['severity']).toBe('critical');
  });

  it('a daemon that is down: that alone', () => {
    expect(received('down:9326')).toEqual(['DockerDaemonDown']);
  });

  it('a host with unrelated problems gets each of them', () => {
    expect(received('two:9326')).toEqual(['DockerContainerOOMKilled', 'DockerHostNetworkContainers', 'DockerStorageDriverNotExplicit']);
  });

  it('a thin pool below its minimum: the exhaustion, and the metadata of its own', () => {
    expect(received('pool:9326')).toEqual(['DockerDevicemapperDataSpaceExhausted', 'DockerDevicemapperMetadataSpaceLow']);
  });

  it('pinned devicemapper: the deprecation, not the failing upgrade it causes', () => {
    expect(received('pinned:9326')).toEqual(['DockerStorageDriverDeprecated']);
  });

  it('is a configuration amtool accepts, and the jsonnet mixin renders the same rules', () => {
    expect(execFileSync('amtool', ['check-config', INHIBIT_FILE], { encoding: 'utf8' })).toContain('SUCCESS');
    const config = parse(readFileSync(INHIBIT_FILE, 'utf8')) as { inhibit_rules: unknown };
    const rendered = execFileSync(
      'jsonnet',
      ['-J', path.join(repoRoot(), 'mixin'), '-e', "(import 'mixin.libsonnet').alertmanagerInhibitRules"],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(rendered)).toEqual(config.inhibit_rules);
  });
});
