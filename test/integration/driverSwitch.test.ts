import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { TestDaemon } from '../helpers/dockerd';
import { duBytes } from '../helpers/du';
import { Metrics, TestExporter } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';

/**
 * A real dockerd that ran on vfs, then was switched to overlay2 on the same
 * data root, as an operator migrating off a deprecated driver would: the vfs
 * images and containers stay on disk, and the exporter must find them.
 */
describe('after a real daemon switched from vfs to overlay2', () => {
  const dir = tempDir('switch');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let vfsContainers: string[] = [];
  let metrics: Metrics;

  beforeAll(async () => {
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    await daemon.importBusybox();
    await daemon.docker(
      'run',
      '--name',
      'vfs-exited',
      'busybox:test',
      'sh',
      '-c',
      'echo some output; dd if=/dev/zero of=/blob bs=1k count=300 2>/dev/null',
    );
    await daemon.docker('create', '--name', 'vfs-created', 'busybox:test', 'true');
    vfsContainers = (await daemon.docker('ps', '-aq', '--no-trunc')).split('\n');
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'o2-created', 'busybox:test', 'true');
    await exporter.startOn(daemon, '--scan.interval', '1h');
    metrics = await exporter.scanned();
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('the daemon lists only the overlay2 container', async () => {
    expect(await daemon.docker('ps', '-a', '--format', '{{.Names}}')).toBe('o2-created');
    expect(vfsContainers).toHaveLength(2);
  });

  it('counts the vfs leftovers as an inactive driver, byte for byte as du', () => {
    expect(metrics.value('docker_data_root_orphaned_bytes', { driver: 'vfs', reason: 'inactive_driver' })).toBe(
      duBytes(path.join(daemon.dataRoot, 'vfs'), path.join(daemon.dataRoot, 'image/vfs')),
    );
    expect(metrics.value('docker_data_root_orphaned_bytes', { driver: 'vfs', reason: 'inactive_driver' })).toBeGreaterThan(300 * 1024);
  });

  it('counts the vfs containers as foreign, byte for byte as du', () => {
    expect(metrics.value('docker_data_root_orphaned_bytes', { driver: 'vfs', reason: 'foreign_container' })).toBe(
      duBytes(...vfsContainers.map((id) => path.join(daemon.dataRoot, 'containers', id))),
    );
  });

  it('measures every top-level entry of the data root as du does', () => {
    const names = readdirSync(daemon.dataRoot);
    expect(
      metrics
        .all('docker_data_root_bytes')
        .map((s) => s.labels['dir'])
        .sort(),
    ).toEqual([...names].sort());
    for (const name of names) {
      expect([name, metrics.value('docker_data_root_bytes', { dir: name })]).toEqual([name, duBytes(path.join(daemon.dataRoot, name))]);
    }
  });

  it('finds no unreferenced overlay2 layers on a healthy daemon, and reports the filesystem', () => {
    expect(metrics.value('docker_data_root_orphaned_layers', { driver: 'overlay2' })).toBe(0);
    expect(metrics.value('docker_data_root_orphaned_bytes', { driver: 'overlay2', reason: 'unreferenced_layer' })).toBeUndefined();
    expect(metrics.value('docker_data_root_scan_success')).toBe(1);
    expect(metrics.value('docker_data_root_filesystem_size_bytes')).toBeGreaterThan(
      metrics.value('docker_data_root_filesystem_free_bytes') ?? Infinity,
    );
  });
});
