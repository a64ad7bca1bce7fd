import * as path from 'node:path';
import { alertsFiringFor } from '../helpers/alertsFor';
import { runCli } from '../helpers/cli';
import { Metrics, TestExporter } from '../helpers/exporter';
import { TestPodman } from '../helpers/podman';
import { waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

/**
 * A real Podman (Debian's 4.3) serving the Docker-compatible API: its
 * "overlay" is containers/storage's driver, not Docker's removed legacy
 * overlay, and Docker's upgrade rules say nothing about it.
 */
describe('against a real Podman', () => {
  const dir = tempDir('podman');
  const podman = new TestPodman(path.join(dir, 'podman'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let m: Metrics;

  beforeAll(async () => {
    await podman.start();
    await podman.importBusybox();
    await podman.podman('run', '-d', '--name', 'p-host', '--network', 'host', 'busybox:test', 'sleep', '1000');
    await podman.podman('run', '-d', '--name', 'p-bridge', 'busybox:test', 'sleep', '1000');
    await podman.podman('run', '-d', '--name', 'p-none', '--network', 'none', 'busybox:test', 'sleep', '1000');
    await podman.podman('run', '--name', 'p-exited', '--network', 'none', 'busybox:test', 'true');
    await exporter.start(['--docker.host', podman.host, '--docker.pid-file', path.join(dir, 'none.pid')]);
    m = await waitFor('the event stream and a data-root scan', async () => {
      const scraped = await exporter.scrape();
      return scraped.value('docker_exporter_event_stream_up') === 1 && scraped.value('docker_data_root_scan_success') === 1
        ? scraped
        : undefined;
    });
  }, 180000);
  afterAll(async () => {
    await exporter.stop();
    await podman.stop();
  });

  it('says it is Podman, and that its overlay driver is not deprecated', () => {
    expect(m.all('docker_engine_info')[0]?.labels).toMatchObject({ engine: 'podman', version: '4.3.1' });
    expect(m.value('docker_storage_driver_deprecated', { driver: 'overlay' })).toBe(0);
    expect(m.all('docker_storage_driver_removal_version')).toEqual([]);
  });

  it('has no blocker and no outcome: those are Docker rules', () => {
    expect(m.all('docker_upgrade_blocker')).toEqual([]);
    expect(m.all('docker_upgrade_outcome')).toEqual([]);
    expect(m.all('docker_daemon_config_valid')).toEqual([]);
  });

  it('counts containers by the network mode inspect gives (its list has no HostConfig), host networking included', () => {
    const counts = Object.fromEntries(m.all('docker_containers').map((s) => [`${s.labels['state']}/${s.labels['network_mode']}`, s.value]));
    expect(counts).toEqual({ 'running/host': 1, 'running/bridge': 1, 'running/none': 1, 'exited/none': 1 });
    expect(m.all('docker_container_host_network_info').map((s) => s.labels['name'])).toEqual(['p-host']);
    expect(m.all('docker_exporter_parse_errors_total')).toEqual([]);
  });

  it('calls none of its live layers orphaned', () => {
    expect(m.all('docker_data_root_orphaned_bytes')).toEqual([]);
    expect(m.value('docker_data_root_bytes', { dir: 'overlay' })).toBeGreaterThan(0);
  });

  it('check: Podman, no verdict on Docker versions, exit 1 for the host-network container only', async () => {
    const { code, stdout } = await runCli([
      'check',
      '--format',
      'json',
      '--docker.host',
      podman.host,
      '--docker.pid-file',
      path.join(dir, 'none.pid'),
    ]);
    const report = JSON.parse(stdout) as Report;
    expect(report.daemon.engine).toBe('podman');
    expect(report.upgrade).toEqual([]);
    expect(report.verdict.blockers).toEqual([]);
    expect(report.verdict.warnings.map((w) => w.reason)).toEqual(['host_network']);
    expect(code).toBe(1);
  });

  it('fires none of the shipped alerts but the host-network one, evaluated by promtool over what it scraped', () => {
    expect(alertsFiringFor(m, dir)).toEqual(['DockerHostNetworkContainers']);
  });
});
