import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import type { ThinPool } from '../parse/driverStatus';
import { POOL_MODES } from '../parse/dmsetupStatus';
import { GaugeSet } from './gaugeSet';
import type { SnapshotGauge } from './snapshotGauge';

/** The devicemapper thin pool, from DriverStatus; nothing on other drivers. */
export class DevicemapperMetrics {
  private readonly set: GaugeSet;
  private readonly poolInfo;
  private readonly numbers: { field: keyof ThinPool; gauge: SnapshotGauge }[];
  private readonly kernel: {
    field: 'dataUsedBytes' | 'dataTotalBytes' | 'metadataUsedBytes' | 'metadataTotalBytes';
    gauge: SnapshotGauge;
  }[];
  private readonly kernelSuccess: SnapshotGauge;
  private readonly poolMode: SnapshotGauge;
  private readonly needsCheck: SnapshotGauge;
  private readonly loopFsSize: SnapshotGauge;
  private readonly loopFsFree: SnapshotGauge;

  constructor(exposition: Exposition) {
    const set = (this.set = new GaugeSet(exposition));
    this.poolInfo = set.gauge('docker_devicemapper_pool_info', 'The devicemapper thin pool, always 1 (devicemapper only).', [
      'pool_name',
      'data_file',
      'metadata_file',
      'data_loop_file',
      'metadata_loop_file',
      'library_version',
    ]);
    const kernel = (field: DevicemapperMetrics['kernel'][number]['field'], name: string, help: string) => ({
      field,
      gauge: set.gauge(
        name,
        `${help}, exact, as the kernel counts it (dmsetup status; devicemapper only, where the exporter runs as root beside the daemon).`,
      ),
    });
    this.kernel = [
      kernel('dataUsedBytes', 'docker_devicemapper_kernel_data_used_bytes', 'Thin pool data space used'),
      kernel('dataTotalBytes', 'docker_devicemapper_kernel_data_total_bytes', 'Thin pool data space total'),
      kernel('metadataUsedBytes', 'docker_devicemapper_kernel_metadata_used_bytes', 'Thin pool metadata space used'),
      kernel('metadataTotalBytes', 'docker_devicemapper_kernel_metadata_total_bytes', 'Thin pool metadata space total'),
    ];
    this.kernelSuccess = set.gauge(
      'docker_devicemapper_kernel_status_success',
      'Whether the thin pool could be read from the kernel (dmsetup status needs root and /dev/mapper/control): 1 read, 0 not, when the kernel figures and the pool mode are unknown (devicemapper only).',
    );
    this.poolMode = set.gauge(
      'docker_devicemapper_pool_mode',
      "The thin pool's mode as the kernel reports it, 1 for the current one (rw; ro or out_of_data_space: writes fail or queue; fail: the pool failed); absent when the kernel could not be read (devicemapper only).",
      ['mode'],
    );
    this.needsCheck = set.gauge(
      'docker_devicemapper_pool_needs_check',
      'Whether the kernel flags the thin pool as needing thin_check before read-write use, 1 or 0 (devicemapper only).',
    );
    this.loopFsSize = set.gauge(
      'docker_devicemapper_loop_filesystem_size_bytes',
      "Size of the filesystem holding the thin pool's data loop file, statfs at each scrape (loop-lvm only).",
    );
    this.loopFsFree = set.gauge(
      'docker_devicemapper_loop_filesystem_free_bytes',
      "Free bytes of the filesystem holding the thin pool's data loop file, root's reserved blocks included as dockerd counts them (statfs f_bfree): when it reaches 0, writes to the pool fail (loop-lvm only).",
    );
    const pool = (field: keyof ThinPool, name: string, help: string) => ({
      field,
      gauge: set.gauge(name, `${help.replace(/\.$/, '')} (devicemapper only).`),
    });
    this.numbers = [
      pool('dataSpaceUsedBytes', 'docker_devicemapper_data_space_used_bytes', 'Thin pool data space used.'),
      pool('dataSpaceTotalBytes', 'docker_devicemapper_data_space_total_bytes', 'Thin pool data space total.'),
      pool(
        'dataSpaceAvailableBytes',
        'docker_devicemapper_data_space_available_bytes',
        "Thin pool data space the pool can still take: total − used, on loop-lvm capped by the free space of the filesystem holding the loop file (dockerd's figure; compare it with used + available, not with total, which on loop-lvm is the sparse file's size).",
      ),
      pool(
        'dataSpaceFreeBytes',
        'docker_devicemapper_data_space_free_bytes',
        'Thin pool data space free: total − used, the figure dockerd compares with the minimum free space before it creates a container or image device.',
      ),
      pool('metadataSpaceUsedBytes', 'docker_devicemapper_metadata_space_used_bytes', 'Thin pool metadata space used.'),
      pool('metadataSpaceTotalBytes', 'docker_devicemapper_metadata_space_total_bytes', 'Thin pool metadata space total.'),
      pool(
        'metadataSpaceAvailableBytes',
        'docker_devicemapper_metadata_space_available_bytes',
        'Thin pool metadata space the pool can still take: total − used, on loop-lvm capped by the free space of the filesystem holding the loop file.',
      ),
      pool(
        'metadataSpaceFreeBytes',
        'docker_devicemapper_metadata_space_free_bytes',
        'Thin pool metadata space free: total − used, the figure dockerd compares with its minimum free share.',
      ),
      pool(
        'minimumFreeSpaceBytes',
        'docker_devicemapper_thin_pool_minimum_free_space_bytes',
        'Data space free (total − used) below which the daemon refuses to create containers and images (dm.min_free_space of total; the same share of the metadata space holds for metadata).',
      ),
      pool('poolBlocksizeBytes', 'docker_devicemapper_pool_blocksize_bytes', 'Thin pool block size.'),
      pool('baseDeviceSizeBytes', 'docker_devicemapper_base_device_size_bytes', "Size of each container's base device."),
      pool('loopLvm', 'docker_devicemapper_loop_lvm', '1 when the thin pool sits on loop files (loop-lvm, unfit for production), else 0.'),
      pool('udevSyncSupported', 'docker_devicemapper_udev_sync_supported', '1 when udev sync is supported, else 0.'),
      pool('deferredRemovalEnabled', 'docker_devicemapper_deferred_removal_enabled', '1 when deferred device removal is enabled, else 0.'),
      pool(
        'deferredDeletionEnabled',
        'docker_devicemapper_deferred_deletion_enabled',
        '1 when deferred device deletion is enabled, else 0.',
      ),
      pool('deferredDeletedDevices', 'docker_devicemapper_deferred_deleted_devices', 'Devices marked for deferred deletion.'),
    ];
  }

  update(snapshot: DaemonSnapshot): void {
    this.set.reset();
    const pool = snapshot.info?.thinPool;
    if (!pool) return;
    const kernelPool = snapshot.kernelPool;
    if (kernelPool) {
      this.kernelSuccess.set({}, 'error' in kernelPool ? 0 : 1);
      if (!('error' in kernelPool)) {
        for (const mode of POOL_MODES) this.poolMode.set({ mode }, kernelPool.mode === mode ? 1 : 0);
        this.needsCheck.set({}, kernelPool.needsCheck ? 1 : 0);
        for (const { field, gauge } of this.kernel) {
          const value = kernelPool[field];
          if (value !== undefined) gauge.set({}, value);
        }
      }
    }
    const fs = snapshot.loopFilesystem;
    if (fs && !('error' in fs)) {
      this.loopFsSize.set({}, fs.sizeBytes);
      this.loopFsFree.set({}, fs.freeBytes);
    }
    this.poolInfo.set(
      {
        pool_name: pool.poolName ?? '',
        data_file: pool.dataFile ?? '',
        metadata_file: pool.metadataFile ?? '',
        data_loop_file: pool.dataLoopFile ?? '',
        metadata_loop_file: pool.metadataLoopFile ?? '',
        library_version: pool.libraryVersion ?? '',
      },
      1,
    );
    for (const { field, gauge } of this.numbers) {
      const value = pool[field];
      if (typeof value === 'number') gauge.set({}, value);
      else if (typeof value === 'boolean') gauge.set({}, value ? 1 : 0);
    }
  }
}
