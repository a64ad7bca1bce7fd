import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { dashboardQueries } from '../helpers/dashboardQueries';
import { runOomKilled, runWithHealthCheck } from '../helpers/containerTroubles';
import { TestDaemon } from '../helpers/dockerd';
import { TestExporter } from '../helpers/exporter';
import { rulesWithShortFor, TestAlertmanager, TestPrometheus, WebhookReceiver } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

const root = path.join(__dirname, '../..');
const RUNBOOK = 'https://github.com/docker-daemon-exporter/docker-daemon-exporter/blob/main/docs/runbook.md#';

/**
 * Real processes end to end: a dockerd that picked the deprecated legacy
 * overlay driver by itself and runs a host-network container, the exporter,
 * Prometheus scraping it every second with the shipped rules, Alertmanager
 * routing to a webhook receiver here; then a replayed devicemapper host.
 */
describe.each([2, 3] as const)('end to end: dockerd, exporter, Prometheus %i, Alertmanager', (prometheusVersion) => {
  const dir = tempDir('e2e');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const dmExporter = new TestExporter(path.join(dir, 'dm-exporter.log'));
  const prometheus = new TestPrometheus(path.join(dir, 'prometheus'), prometheusVersion);
  const alertmanager = new TestAlertmanager(path.join(dir, 'alertmanager'));
  const receiver = new WebhookReceiver();
  const targetsFile = path.join(dir, 'prometheus', 'targets.json');
  // A loop-lvm host whose thin pool is nearly full: 99 GB of 107.4 GB used, so 8.4 GB free (below the
  // 10.74 GB minimum: the daemon refuses new containers) and 5 GB available; its metadata nearly full too.
  const dmInfo = JSON.parse(readFileSync(path.join(root, 'test/fixtures/devicemapper/loop-lvm-17.03.json'), 'utf8')) as {
    DriverStatus: [string, string][];
  };
  const nearlyFull: Record<string, string> = {
    'Data Space Used': '99 GB',
    'Data Space Available': '5 GB',
    'Metadata Space Used': '2 GB',
    'Metadata Space Available': '80 MB',
  };
  dmInfo.DriverStatus = dmInfo.DriverStatus.map(([k, v]): [string, string] => [k, nearlyFull[k] ?? v]);
  // And one value the exporter cannot use, so the parse-error panel has something to show.
  const dmServer = new ReplayServer(
    path.join(dir, 'dm.sock'),
    {
      ...daemonRoutes({ ...dmInfo, Images: 'unknown' }),
      '/volumes': (_req, res) => {
        res.statusCode = 500;
        res.end('{"message":"volume store unavailable"}');
      },
    },
    '1.26',
  );
  let instance = '';
  let dmInstance = '';

  const writeTargets = (targets: string[]) => writeFileSync(targetsFile, JSON.stringify([{ targets, labels: {} }]));

  beforeAll(async () => {
    // vfs first (its leftovers are orphans later; dockerd 20.10 ignores vfs when it looks for a prior driver),
    // then overlay by flag, then no flag: the daemon picks the deprecated overlay by itself.
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'left-on-vfs', 'busybox:test', 'true');
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'overlay'] });
    // An empty driver directory is not a prior driver: give overlay an image.
    await daemon.importBusybox();
    await daemon.stop();
    await daemon.start();
    await daemon.docker('run', '-d', '--name', 'legacy-proxy', '--network', 'host', 'busybox:test', 'sleep', '100000');
    // A volume in use: the largest-volumes panel has a series to show.
    await daemon.docker('run', '-d', '--name', 'web', '-v', 'web-data:/data', 'busybox:test', 'sleep', '100000');

    await exporter.start([
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--docker.daemon-config',
      path.join(dir, 'none.json'),
    ]);
    await dmServer.start();
    await dmExporter.start(['--docker.host', dmServer.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan']);
    instance = exporter.url.replace('http://', '');
    dmInstance = dmExporter.url.replace('http://', '');

    await receiver.start();
    await alertmanager.start(receiver.url);
    // The recording rules too: the fleet dashboard reads their series.
    const ruleFiles = rulesWithShortFor(path.join(dir, 'prometheus'));
    writeTargets([instance]);
    await prometheus.start(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ${JSON.stringify(ruleFiles)}
alerting:
  alertmanagers:
    - static_configs:
        - targets: [${JSON.stringify(alertmanager.url.replace('http://', ''))}]
scrape_configs:
  - job_name: docker
    file_sd_configs:
      - files: [${JSON.stringify(targetsFile)}]
`);
    // Seen live by the exporter (it counts what the events tell) once Prometheus has its counters at 0: a failing
    // health check, a restart and an OOM kill.
    await waitFor('a scrape of the counters at 0', async () =>
      (await prometheus.query(`docker_containers_oom_kills_total{instance="${instance}"} == 0`)).data?.result.length ? true : undefined,
    );
    await waitFor('the event stream', async () =>
      (await exporter.scrape()).value('docker_exporter_event_stream_up') === 1 ? true : undefined,
    );
    await runWithHealthCheck(daemon, 'sick', 'false');
    await daemon.docker('restart', '-t', '0', 'web');
    await runOomKilled(daemon, 'hog');
  });

  afterAll(async () => {
    await prometheus.stop();
    await alertmanager.stop();
    await receiver.stop();
    await exporter.stop();
    await dmExporter.stop();
    await dmServer.stop();
    await daemon.stop();
  });

  it(`runs Prometheus ${prometheusVersion}`, async () => {
    const res = (await (await fetch(`${prometheus.url}/api/v1/status/buildinfo`)).json()) as { data: { version: string } };
    expect(res.data.version).toMatch(new RegExp(`^${prometheusVersion}\\.`));
  });

  it('the daemon really picked the legacy overlay driver by itself', () => {
    expect(daemon.logTail(2000)).toContain('[graphdriver] using prior storage driver: overlay');
  });

  it('pages DockerStorageDriverDeprecated, DockerStorageDriverNotExplicit and DockerHostNetworkContainers through Alertmanager', async () => {
    await waitFor(
      'the three alerts at the webhook',
      () =>
        receiver.firing('DockerStorageDriverDeprecated', { instance }).length &&
        receiver.firing('DockerStorageDriverNotExplicit', { instance }).length &&
        receiver.firing('DockerHostNetworkContainers', { instance }).length
          ? true
          : undefined,
      90000,
      250,
    );
    const deprecated = receiver.firing('DockerStorageDriverDeprecated', { instance })[0];
    expect(deprecated?.labels).toMatchObject({ severity: 'warning', driver: 'overlay', job: 'docker' });
    expect(deprecated?.annotations['summary']).toBe('The Docker daemon uses a deprecated storage driver.');
    expect(deprecated?.annotations['description']).toContain('overlay storage driver, which Docker Engine 24 removes');
    expect(deprecated?.annotations['runbook_url']).toBe(`${RUNBOOK}dockerstoragedriverdeprecated`);

    const notExplicit = receiver.firing('DockerStorageDriverNotExplicit', { instance })[0];
    expect(notExplicit?.labels).toMatchObject({ severity: 'critical', driver: 'overlay' });
    expect(notExplicit?.annotations['summary']).toBe(
      'A deprecated storage driver is in use without being configured; the daemon will refuse to start.',
    );
    expect(notExplicit?.annotations['runbook_url']).toBe(`${RUNBOOK}dockerstoragedrivernotexplicit`);

    const hostNet = receiver.firing('DockerHostNetworkContainers', { instance });
    // One alert for the host, naming its host-network containers.
    expect(hostNet).toHaveLength(1);
    expect(hostNet[0]?.labels['severity']).toBe('info');
    expect(hostNet[0]?.annotations['description']).toContain('1 running container on');
    expect(hostNet[0]?.annotations['description']).toContain('legacy-proxy (busybox:test)');
  });

  it('pages DockerContainersUnhealthy and DockerContainerOOMKilled through Alertmanager, naming the containers', async () => {
    await waitFor(
      'the container alerts at the webhook',
      () =>
        receiver.firing('DockerContainersUnhealthy', { instance }).length &&
        receiver.firing('DockerContainerOOMKilled', { instance }).length
          ? true
          : undefined,
      90000,
      250,
    );
    expect(receiver.firing('DockerContainersUnhealthy', { instance })[0]?.annotations['description']).toContain('1 running container on');
    expect(receiver.firing('DockerContainersUnhealthy', { instance })[0]?.annotations['description']).toContain('sick (busybox:test)');
    expect(receiver.firing('DockerContainerOOMKilled', { instance })[0]?.annotations['description']).toContain('hog (busybox:test)');
    // One restart by hand is no loop.
    expect(receiver.firing('DockerContainerRestartLoop', { instance })).toEqual([]);
  });

  it('fires no devicemapper alert for the overlay host', async () => {
    const res = await prometheus.query(`ALERTS{instance="${instance}",alertname=~"DockerDevicemapper.*"}`);
    expect(res.status).toBe('success');
    expect(res.data?.result).toEqual([]);
    expect(receiver.alerts.filter((a) => a.labels['alertname']?.startsWith('DockerDevicemapper'))).toEqual([]);
  });

  it('then, with a nearly full loop-lvm devicemapper host as a second target, pages its alerts', async () => {
    writeTargets([instance, dmInstance]);
    const expected = [
      'DockerDevicemapperLoopLvm',
      'DockerDevicemapperDataSpaceLow',
      'DockerDevicemapperDataSpaceExhausted',
      'DockerDevicemapperMetadataSpaceLow',
      'DockerStorageDriverDeprecated',
    ];
    await waitFor(
      'the devicemapper alerts at the webhook',
      () => (expected.every((name) => receiver.firing(name, { instance: dmInstance }).length > 0) ? true : undefined),
      90000,
      250,
    );
    const exhausted = receiver.firing('DockerDevicemapperDataSpaceExhausted', { instance: dmInstance })[0];
    expect(exhausted?.labels['severity']).toBe('critical');
    expect(exhausted?.annotations['description']).toBe(
      `${dmInstance} has 8.4GB of thin pool data space free (total − used), below the pool's minimum free space: the daemon refuses to create containers and images.`,
    );
    expect(receiver.firing('DockerStorageDriverDeprecated', { instance: dmInstance })[0]?.annotations['description']).toContain(
      'Docker Engine 25 removes',
    );
    // The overlay host still has none.
    expect(
      receiver.alerts.filter((a) => a.labels['instance'] === instance && a.labels['alertname']?.startsWith('DockerDevicemapper')),
    ).toEqual([]);
  });

  it('answers every dashboard query on the live Prometheus, with data', async () => {
    // rate() needs a few samples of the counter.
    await waitFor(
      'parse errors counted twice',
      async () =>
        (await prometheus.query('count_over_time(docker_exporter_parse_errors_total[1m]) > 2')).data?.result.length ? true : undefined,
      30000,
      500,
    );
    const failures: string[] = [];
    for (const { file, title, expr } of dashboardQueries()) {
      const res = await prometheus.query(expr);
      if (res.status !== 'success') failures.push(`${file} / ${title}: ${res.error}`);
      else if (!res.data?.result.length) failures.push(`${file} / ${title}: no data for ${expr}`);
    }
    expect(failures).toEqual([]);
  });
});
