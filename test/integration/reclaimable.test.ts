import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { duBytes } from '../helpers/du';
import { Metrics, TestExporter } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';
import { hiddenPids } from '../helpers/treeChecksum';

/**
 * What Docker's own prune commands would give back, on a real dockerd with one
 * of each: a dangling volume, a dangling image with a layer of its own, a
 * stopped container with data in its writable layer, beside a running
 * container and the volumes in use. Every figure is checked against what the
 * daemon itself says (its filters, GraphDriver.Data.UpperDir) and du.
 */
describe('what docker prune would give back, on a real daemon', () => {
  const dir = tempDir('reclaimable');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let metrics: Metrics;
  const write = (file: string, kib: number) => `dd if=/dev/urandom of=${file} bs=1k count=${kib} 2>/dev/null`;

  beforeAll(async () => {
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    await daemon.docker('run', '-d', '--name', 'web', '-v', 'used:/v', 'busybox:test', 'sh', '-c', `${write('/v/f', 1024)}; sleep 100000`);
    await daemon.docker('run', '--name', 'stopped', '-v', 'used-by-stopped:/v', 'busybox:test', 'sh', '-c', write('/layer', 1536));
    await daemon.docker('run', '--rm', '-v', 'dangling:/v', 'busybox:test', 'sh', '-c', write('/v/f', 3072));
    // Two images tagged app:1 in turn: the first, its tag gone, is dangling, with a 512 KiB layer of its own.
    for (const kib of [512, 256]) {
      await daemon.docker('run', '--name', 'builder', 'busybox:test', 'sh', '-c', write('/made', kib));
      await daemon.docker('commit', 'builder', 'app:1');
      await daemon.docker('rm', 'builder');
    }
    await exporter.startOn(daemon, '--scan.interval', '1h', '--collector.volumes.max-series', '2');
    metrics = await exporter.scanned();
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  const lines = async (...args: string[]) => (await daemon.docker(...args)).split('\n').filter(Boolean);
  /** A layer's directory under overlay2, from what the daemon says of an image's or a container's upper directory. */
  const upperDir = async (what: 'image' | 'container', name: string) =>
    daemon.docker(what, 'inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', name);

  it('dangling volumes: the ones the daemon calls dangling, byte for byte as du', async () => {
    expect(await lines('volume', 'ls', '-q', '--filter', 'dangling=true')).toEqual(['dangling']);
    expect(metrics.value('docker_data_root_reclaimable_items', { kind: 'dangling_volumes' })).toBe(1);
    const bytes = metrics.value('docker_data_root_reclaimable_bytes', { kind: 'dangling_volumes' });
    expect(bytes).toBe(duBytes(path.join(daemon.dataRoot, 'volumes', 'dangling')));
    expect(bytes).toBeGreaterThan(3072 * 1024);
  });

  it('dangling images: the ones the daemon calls dangling, and the layer only they hold, byte for byte as du', async () => {
    const dangling = await lines('images', '-q', '--no-trunc', '--filter', 'dangling=true');
    expect(dangling).toHaveLength(1);
    expect(metrics.value('docker_data_root_reclaimable_items', { kind: 'dangling_images' })).toBe(1);
    const layer = path.dirname(await upperDir('image', dangling[0] ?? ''));
    const bytes = metrics.value('docker_data_root_reclaimable_bytes', { kind: 'dangling_images' });
    expect(bytes).toBe(duBytes(layer));
    expect(bytes).toBeGreaterThan(512 * 1024);
  });

  it("stopped containers: the daemon's exited ones, their writable layers byte for byte as du", async () => {
    expect(await lines('ps', '-a', '--format', '{{.Names}}', '--filter', 'status=exited')).toEqual(['stopped']);
    expect(metrics.value('docker_data_root_reclaimable_items', { kind: 'stopped_containers' })).toBe(1);
    const bytes = metrics.value('docker_data_root_reclaimable_bytes', { kind: 'stopped_containers' });
    expect(bytes).toBe(duBytes(await upperDir('container', 'stopped')));
    expect(bytes).toBeGreaterThan(1536 * 1024);
  });

  it('build cache: none, as docker system df says', async () => {
    expect(await daemon.docker('system', 'df', '--format', '{{.Type}} {{.TotalCount}}')).toContain('Build Cache 0');
    expect(metrics.value('docker_data_root_reclaimable_items', { kind: 'build_cache' })).toBe(0);
    expect(metrics.value('docker_data_root_reclaimable_bytes', { kind: 'build_cache' })).toBe(0);
  });

  it('docker_volume_bytes: the two largest volumes (--collector.volumes.max-series 2), byte for byte as du', async () => {
    expect((await lines('volume', 'ls', '-q')).sort()).toEqual(['dangling', 'used', 'used-by-stopped']);
    expect(
      metrics
        .all('docker_volume_bytes')
        .map((s) => s.labels['name'])
        .sort(),
    ).toEqual(['dangling', 'used']);
    for (const name of ['dangling', 'used'])
      expect([name, metrics.value('docker_volume_bytes', { name })]).toEqual([name, duBytes(path.join(daemon.dataRoot, 'volumes', name))]);
  });

  it('check lists them with the command that gives each back; reclaim names them and removes none', async () => {
    const { stdout } = await runCli(['check', '--format', 'json', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
    const report = JSON.parse(stdout) as { reclaimable: { kind: string; bytes: number; count: number; command: string }[] };
    expect(report.reclaimable.find((r) => r.kind === 'dangling_images')).toEqual({
      kind: 'dangling_images',
      bytes: metrics.value('docker_data_root_reclaimable_bytes', { kind: 'dangling_images' }),
      count: 1,
      command: 'docker image prune',
    });
    const text = await runCli(['check', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
    expect(text.stdout).toMatch(/1 dangling volume \(docker volume prune/);
    expect(text.stdout).toMatch(/1 stopped container's writable layer \(docker container prune\)/);
    const reclaim = await runCli(['reclaim', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...hiddenPids(), '--yes']);
    expect(reclaim.stdout).toContain("leaves what Docker's own commands give back");
    expect(await lines('volume', 'ls', '-q', '--filter', 'dangling=true')).toEqual(['dangling']);
    expect(await lines('images', '-q', '--filter', 'dangling=true')).toHaveLength(1);
    expect(await lines('ps', '-a', '--format', '{{.Names}}', '--filter', 'status=exited')).toEqual(['stopped']);
  });
});
