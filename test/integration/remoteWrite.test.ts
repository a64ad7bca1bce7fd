import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../../mixin/config';
import { generatedFiles } from '../../mixin/generate';
import { ENGINE_HOSTS } from '../fixtures/engines/engineHosts';
import { startEngineReplay, type EngineReplay } from '../helpers/engineReplay';
import { TestExporter } from '../helpers/exporter';
import { rulesWithShortFor, TestAlertmanager, TestPrometheus, WebhookReceiver } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

/**
 * Past one Prometheus: a Prometheus in agent mode scrapes two exporters at a site and remote-writes
 * to a central Prometheus started with its remote-write receiver (the protocol Mimir and Thanos
 * Receive speak), which has no scrape job for them at all. The central one runs the mixin's rules,
 * rendered with `cluster` among the host and aggregation labels, and pages Alertmanager. The agent's
 * external label cluster="eu-1" reaches the alerts and the recorded fleet series.
 */
describe('remote_write: agent at the site, rules and Alertmanager at the centre', () => {
  const dir = tempDir('dde-rw-');
  const host = ENGINE_HOSTS.find((h) => h.engine === 'Docker 23.0' && h.situation === 'devicemapper, picked by the daemon');
  const replayed = new TestExporter(path.join(dir, 'replayed-exporter.log'));
  const down = new TestExporter(path.join(dir, 'down-exporter.log'));
  const agent = new TestPrometheus(path.join(dir, 'agent'));
  const central = new TestPrometheus(path.join(dir, 'central'));
  const alertmanager = new TestAlertmanager(path.join(dir, 'alertmanager'));
  const receiver = new WebhookReceiver();
  let replay: EngineReplay | undefined;
  let replayedInstance = '';
  let downInstance = '';

  beforeAll(async () => {
    if (!host) throw new Error('no Docker 23 devicemapper host in engineHosts.ts');
    replay = await startEngineReplay(host, path.join(dir, 'host'));
    await replayed.start(replay.flags);
    // This one leaves its own process metrics out, as a site short of series budget would.
    await down.start([
      '--docker.host',
      `unix://${path.join(dir, 'nothing.sock')}`,
      '--docker.pid-file',
      path.join(dir, 'none.pid'),
      '--web.disable-exporter-metrics',
    ]);
    replayedInstance = replayed.url.replace('http://', '');
    downInstance = down.url.replace('http://', '');

    const config = { ...DEFAULT_CONFIG, hostLabels: 'cluster, instance, job', aggregationLabels: 'cluster, job' };
    const files = generatedFiles(config);
    rulesWithShortFor(dir, Object.fromEntries(Object.entries(files).map(([file, text]) => [path.basename(file), text])));
    await receiver.start();
    await alertmanager.start(receiver.url);
    await central.start(
      `global:
  evaluation_interval: 1s
rule_files: [${JSON.stringify(path.join(dir, '*.yml'))}]
alerting:
  alertmanagers:
    - static_configs:
        - targets: [${JSON.stringify(alertmanager.url.replace('http://', ''))}]
`,
      ['--web.enable-remote-write-receiver'],
    );
    await agent.startAgent(`global:
  scrape_interval: 1s
  external_labels:
    cluster: eu-1
scrape_configs:
  - job_name: docker
    static_configs:
      - targets: [${JSON.stringify(replayedInstance)}, ${JSON.stringify(downInstance)}]
remote_write:
  - url: ${central.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
`);
  }, 120000);

  afterAll(async () => {
    await agent.stop();
    await central.stop();
    await alertmanager.stop();
    await receiver.stop();
    await replayed.stop();
    await down.stop();
    await replay?.stop();
  });

  it('pages, from the central Prometheus, the critical alerts of the hosts the agent scrapes, each with its cluster', async () => {
    await waitFor(
      'the alerts at the webhook',
      () =>
        receiver.firing('DockerRestartFails', { instance: replayedInstance }).length &&
        receiver.firing('DockerStorageDriverNotExplicit', { instance: replayedInstance }).length &&
        receiver.firing('DockerDaemonDown', { instance: downInstance }).length
          ? true
          : undefined,
      90000,
      250,
    );
    expect(receiver.firing('DockerRestartFails', { instance: replayedInstance })[0]?.labels).toMatchObject({
      cluster: 'eu-1',
      job: 'docker',
      target_version: '23',
      outcome: 'refuses_to_start',
      severity: 'critical',
    });
    expect(receiver.firing('DockerStorageDriverNotExplicit', { instance: replayedInstance })[0]?.labels).toMatchObject({
      cluster: 'eu-1',
      driver: 'devicemapper',
    });
    expect(receiver.firing('DockerDaemonDown', { instance: downInstance })[0]?.labels).toMatchObject({
      cluster: 'eu-1',
      severity: 'critical',
    });
    // The healthy exporters are up: nothing says they are down, and nothing fires for the down daemon's
    // host but that its daemon is down.
    expect(receiver.firing('DockerExporterDown')).toEqual([]);
    expect(receiver.firing('DockerExporterAbsent')).toEqual([]);
    expect(new Set(receiver.alerts.filter((a) => a.labels['instance'] === downInstance).map((a) => a.labels['alertname']))).toEqual(
      new Set(['DockerDaemonDown']),
    );
  });

  it('records the fleet views per cluster at the centre, which scrapes nothing itself', async () => {
    const hosts = await waitFor(
      'docker:hosts:count',
      async () => {
        const res = await central.query('docker:hosts:count');
        return res.data?.result.length ? res.data.result : undefined;
      },
      30000,
      500,
    );
    expect(hosts.map((r) => [r.metric, r.value[1]])).toEqual([[{ __name__: 'docker:hosts:count', cluster: 'eu-1', job: 'docker' }, '2']]);
    const drivers = await central.query('docker:hosts_by_driver:count');
    expect(drivers.data?.result.map((r) => r.metric)).toEqual([
      { __name__: 'docker:hosts_by_driver:count', cluster: 'eu-1', job: 'docker', driver: 'devicemapper' },
    ]);
    const targets = (await (await fetch(`${central.url}/api/v1/targets`)).json()) as { data: { activeTargets: unknown[] } };
    expect(targets.data.activeTargets).toEqual([]);
  });

  it('carries process metrics only from the exporter that keeps them (--web.disable-exporter-metrics)', async () => {
    const res = await central.query('count by (instance) ({__name__=~"process_.+|nodejs_.+"})');
    expect(res.data?.result.map((r) => r.metric['instance'])).toEqual([replayedInstance]);
    const dockerSeries = await central.query(`count({instance="${downInstance}",__name__=~"docker_.+"})`);
    expect(Number(dockerSeries.data?.result[0]?.value[1])).toBeGreaterThan(5);
  });
});
