import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TestDaemon } from '../helpers/dockerd';
import { Metrics, TestExporter } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { tempDir } from '../helpers/tempDir';

const run = promisify(execFile);

/**
 * One real dockerd on the deprecated legacy `overlay` driver, with containers
 * in every network mode and several states; the built exporter reads it.
 */
describe('against a real dockerd on the legacy overlay driver', () => {
  const dir = tempDir('real');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));

  beforeAll(async () => {
    await daemon.start({ args: ['--storage-driver', 'overlay'] });
    await daemon.importBusybox();
    await daemon.docker('network', 'create', 'appnet');
    await daemon.docker('run', '-d', '--name', 'b-run', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '--name', 'b-exited', 'busybox:test', 'true');
    await daemon.docker('create', '--name', 'b-created', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '-d', '--name', 'p-run', 'busybox:test', 'sleep', '1000');
    await daemon.docker('pause', 'p-run');
    await daemon.docker('run', '-d', '--name', 'h-run', '--network', 'host', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '--name', 'h-exited', '--network', 'host', 'busybox:test', 'true');
    await daemon.docker('run', '-d', '--name', 'n-run', '--network', 'none', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '-d', '--name', 'c-run', '--network', 'container:b-run', 'busybox:test', 'sleep', '1000');
    await daemon.docker('run', '-d', '--name', 'u-run', '--network', 'appnet', 'busybox:test', 'sleep', '1000');
    await daemon.docker('volume', 'create', 'keep-me');
    await exporter.start([
      '--docker.host',
      daemon.host,
      '--docker.pid-file',
      daemon.pidFile,
      '--docker.daemon-config',
      path.join(dir, 'absent-daemon.json'),
      '--docker.timeout',
      '3s',
    ]);
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('counts containers by state and network mode, exactly, and only combinations that exist', async () => {
    const m = await exporter.scrape();
    const counts = Object.fromEntries(m.all('docker_containers').map((s) => [`${s.labels['state']}/${s.labels['network_mode']}`, s.value]));
    expect(counts).toEqual({
      'running/bridge': 1,
      'exited/bridge': 1,
      'created/bridge': 1,
      'paused/bridge': 1,
      'running/host': 1,
      'exited/host': 1,
      'running/none': 1,
      'running/container': 1,
      'running/custom': 1,
    });
  });

  it('names every host-network container', async () => {
    const m = await exporter.scrape();
    const named = m.all('docker_container_host_network_info').map((s) => s.labels);
    expect(named).toEqual(
      expect.arrayContaining([
        { name: 'h-run', image: 'busybox:test', state: 'running' },
        { name: 'h-exited', image: 'busybox:test', state: 'exited' },
      ]),
    );
    expect(named).toHaveLength(2);
  });

  it('describes the engine, images, volumes and warnings as docker info does', async () => {
    const m = await exporter.scrape();
    const version = await daemon.docker('version', '--format', '{{.Server.Version}}|{{.Server.APIVersion}}|{{.Server.KernelVersion}}');
    const [serverVersion, apiVersion, kernel] = version.split('|');
    expect(m.value('docker_up')).toBe(1);
    expect(m.all('docker_engine_info')[0]?.labels).toMatchObject({
      version: serverVersion,
      api_version: apiVersion,
      kernel_version: kernel,
      os: 'linux',
      data_root: daemon.dataRoot,
    });
    expect(m.value('docker_images')).toBe(Number(await daemon.docker('info', '--format', '{{.Images}}')));
    expect(m.value('docker_volumes')).toBe(1);
    const warnings: string[] = JSON.parse(await daemon.docker('info', '--format', '{{json .Warnings}}')) ?? [];
    expect(m.value('docker_daemon_warnings')).toBe(warnings.length);
    expect(m.all('docker_daemon_warning_info').map((s) => s.labels['warning'])).toEqual(warnings.map((w) => w.replace(/\s+/g, ' ').trim()));
  });

  it('reports the legacy overlay driver as deprecated, removed in 24, and explicitly set by flag', async () => {
    const m = await exporter.scrape();
    expect(m.all('docker_storage_driver_info')[0]?.labels['driver']).toBe('overlay');
    expect(m.all('docker_storage_driver_info')[0]?.labels['backing_filesystem']).toBe(
      await daemon.docker(
        'info',
        '--format',
        '{{range .DriverStatus}}{{if eq (index . 0) "Backing Filesystem"}}{{index . 1}}{{end}}{{end}}',
      ),
    );
    expect(m.value('docker_storage_driver_deprecated', { driver: 'overlay' })).toBe(1);
    expect(m.value('docker_storage_driver_removal_version', { driver: 'overlay' })).toBe(24);
    expect(m.value('docker_storage_driver_explicit_known')).toBe(1);
    expect(m.all('docker_storage_driver_explicit')).toEqual([
      { name: 'docker_storage_driver_explicit', labels: { source: 'flag' }, value: 1 },
    ]);
    expect(m.value('docker_storage_driver_dtype_supported')).toBe(1);
    // No thin pool on a host without devicemapper: absent, not zero.
    expect(m.samples.filter((s) => s.name.startsWith('docker_devicemapper_'))).toEqual([]);
    expect(m.all('docker_exporter_collector_success').every((s) => s.value === 1)).toBe(true);
  });

  it('shows a freshly started container in the very next scrape, and a removed one gone', async () => {
    await daemon.docker('run', '-d', '--name', 'fresh', '--network', 'host', 'busybox:test', 'sleep', '1000');
    let m = await exporter.scrape();
    expect(m.value('docker_container_host_network_info', { name: 'fresh' })).toBe(1);
    expect(m.value('docker_containers', { state: 'running', network_mode: 'host' })).toBe(2);
    await daemon.docker('rm', '-f', 'fresh');
    m = await exporter.scrape();
    expect(m.value('docker_container_host_network_info', { name: 'fresh' })).toBeUndefined();
    expect(m.value('docker_containers', { state: 'running', network_mode: 'host' })).toBe(1);
  });

  it('sends the daemon only GET requests, and no /system/df or size=true', async () => {
    // Only the exporter talks to the daemon in this window (the CLI's own calls come before).
    const before = daemon.apiCalls().length;
    await daemon.docker('run', '-d', '--name', 'seen-by-events', 'busybox:test', 'true');
    const cliCalls = daemon.apiCalls().length;
    // Spaced beyond --docker.min-interval (1s), so that each scrape asks the daemon.
    for (let i = 0; i < 3; i++) {
      await sleep(1100);
      await exporter.scrape();
    }
    const window = daemon.apiCalls().slice(cliCalls);
    expect(window.length).toBeGreaterThanOrEqual(3);
    expect(window.filter((c) => !c.startsWith('GET '))).toEqual([]);
    expect(before).toBeLessThan(cliCalls);
    const all = daemon.apiCalls();
    // The exporter's full list asks for stopped containers too.
    expect(all).toContainEqual(expect.stringMatching(/^GET \/containers\/json\?all=1$/));
    expect(all.filter((c) => c.includes('/system/df') || c.includes('size=true') || c.includes('size=1'))).toEqual([]);
    await daemon.docker('rm', 'seen-by-events');
  });

  it('with --collector.disable-defaults and one collector back on, asks the daemon only what those need', async () => {
    const lean = new TestExporter(path.join(dir, 'lean-exporter.log'));
    const before = daemon.apiCalls().length;
    try {
      await lean.start([
        '--docker.host',
        daemon.host,
        '--docker.pid-file',
        daemon.pidFile,
        '--no-scan',
        '--collector.disable-defaults',
        '--collector.volumes',
      ]);
      const m = await lean.scrape();
      await sleep(1100);
      await lean.scrape();
      expect(m.value('docker_up')).toBe(1);
      expect(m.value('docker_volumes')).toBe(1);
      expect(m.all('docker_containers')).toEqual([]);
      expect(m.all('docker_exporter_collector_success').map((s) => s.labels['collector'])).toEqual(['info', 'ping', 'volumes']);
      // No container list, no event stream, no image list.
      const asked = [
        ...new Set(
          daemon
            .apiCalls()
            .slice(before)
            .map((c) => c.replace(/^GET \/v[\d.]+/, 'GET ').replace(/\?.*/, '')),
        ),
      ].sort();
      expect(asked).toEqual(['GET /_ping', 'GET /info', 'GET /version', 'GET /volumes']);
    } finally {
      await lean.stop();
    }
  });

  it('passes promtool check metrics', async () => {
    const m = await exporter.scrape();
    const file = path.join(dir, 'metrics.txt');
    writeFileSync(file, m.text);
    const { stdout, stderr } = await run('sh', ['-c', `promtool check metrics < '${file}'; echo "exit=$?"`]);
    expect(`${stdout}${stderr}`.trim()).toBe('exit=0');
  });

  it('after a restart without --storage-driver, sees the daemon pick overlay by itself: deprecated and not explicit', async () => {
    await daemon.stop();
    await daemon.start();
    expect(daemon.logTail(400)).toContain('[graphdriver] using prior storage driver: overlay');
    const m = await exporter.scrape();
    expect(m.value('docker_storage_driver_deprecated', { driver: 'overlay' })).toBe(1);
    expect(m.all('docker_storage_driver_explicit')).toEqual([
      { name: 'docker_storage_driver_explicit', labels: { source: 'none' }, value: 0 },
    ]);
  });

  it('with the daemon stopped, answers the scrape in time with docker_up 0; recovers when it is back', async () => {
    await daemon.stop();
    // Beyond --docker.min-interval (1s) since the last test's scrape, so that this scrape asks the daemon
    // rather than being answered from that collection: a daemon that stopped in under a second read up 1.
    await sleep(1100);
    let m: Metrics = await exporter.scrape();
    expect(m.value('docker_up')).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'containers' })).toBe(0);
    expect(m.value('docker_images')).toBeUndefined();
    expect(m.all('docker_containers')).toEqual([]);
    await exporter.logged(/level=error msg="collector ping failed: GET \/_ping: .*(ENOENT|ECONNREFUSED)/);
    await daemon.start();
    m = await waitFor('docker_up 1', async () => {
      const scraped = await exporter.scrape();
      return scraped.value('docker_up') === 1 ? scraped : undefined;
    });
    // Containers without a restart policy are stopped now; the inventory still has all of them.
    const total = m.all('docker_containers').reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe((await daemon.docker('ps', '-aq')).split('\n').length);
    expect(m.value('docker_containers', { state: 'running', network_mode: 'custom' })).toBeUndefined();
    expect(m.value('docker_containers', { state: 'exited', network_mode: 'custom' })).toBe(1);
    await exporter.logged('collector ping works again');
  });
});
