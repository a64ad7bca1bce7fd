import type { Exposition } from './exposition';
import type { CompletedScan } from '../scan/scheduler';
import { GaugeSet } from './gaugeSet';
import type { SnapshotGauge } from './snapshotGauge';

/** Said of every figure of the scan, in the same sentence: it is not measured at scrape time. */
const CACHED = 'from the last complete data-root scan (docker_data_root_scan_timestamp_seconds)';
/** Byte figures of the walk: allocated blocks, hardlinks once, no other filesystem, no symlink followed. */
const AS_DU = `counted as du -sx -B1 counts (btrfs subvolumes included), ${CACHED}`;

/** The data-root scan's figures; the last complete scan, served as it is. */
export class DataRootMetrics {
  private readonly set: GaugeSet;
  private readonly dirBytes: SnapshotGauge;
  private readonly orphanedBytes: SnapshotGauge;
  private readonly orphanedLayers: SnapshotGauge;
  private readonly unmeasured: SnapshotGauge;
  private readonly containerdRoot: SnapshotGauge;
  private readonly buildCache: SnapshotGauge;
  private readonly reclaimableBytes: SnapshotGauge;
  private readonly reclaimableCount: SnapshotGauge;
  private readonly volumeBytes: SnapshotGauge;
  private readonly fsSize: SnapshotGauge;
  private readonly fsFree: SnapshotGauge;
  private readonly duration: SnapshotGauge;
  private readonly timestamp: SnapshotGauge;
  private readonly success: SnapshotGauge;
  private readonly errors: SnapshotGauge;

  /** `volumesMaxSeries`: at most this many docker_volume_bytes series, the largest first (--collector.volumes.max-series). */
  constructor(
    exposition: Exposition,
    private readonly volumesMaxSeries = 20,
  ) {
    const set = (this.set = new GaugeSet(exposition));
    const g = (name: string, help: string, labels: string[] = []) => set.gauge(name, help, labels);
    this.dirBytes = g('docker_data_root_bytes', `Bytes of each top-level entry of the data root, ${AS_DU}.`, ['dir']);
    this.orphanedBytes = g(
      'docker_data_root_orphaned_bytes',
      `Bytes no image or container of the active storage driver uses: inactive_driver (another driver's directories), foreign_container (containers made with another driver), unreferenced_layer, userns_remap (what the daemon left under another --userns-remap setting, beside or inside its data root; driver names the drivers in it), ${AS_DU}.`,
      ['driver', 'reason'],
    );
    this.unmeasured = g(
      'docker_data_root_orphaned_unmeasured',
      `1 for each inactive storage driver whose left data the scan cannot measure from the data root's files (reason zfs_datasets: zfs keeps layers in datasets, see zfs list), given instead of docker_data_root_orphaned_bytes, ${CACHED}.`,
      ['driver', 'reason'],
    );
    this.containerdRoot = g(
      'docker_containerd_root_bytes',
      `Bytes of the root of the external containerd the daemon uses (--containerd; containerd's config from --containerd.config), where the containerd image store keeps content and snapshots, outside the data root; absent when the daemon runs its own containerd (inside the data root), ${AS_DU}.`,
    );
    this.orphanedLayers = g(
      'docker_data_root_orphaned_layers',
      `Number of layer directories of the active driver that no layer or container references, ${CACHED}.`,
      ['driver'],
    );
    this.buildCache = g('docker_data_root_build_cache_bytes', `Bytes of BuildKit build cache in the active driver's directory, ${AS_DU}.`);
    this.reclaimableBytes = g(
      'docker_data_root_reclaimable_bytes',
      `Bytes Docker's own prune commands would give back, by kind: dangling_volumes (local volumes no container mounts, docker volume prune; -a on Docker 23+ for named ones), dangling_images (layers only untagged images that nothing uses hold, docker image prune), build_cache (docker builder prune), stopped_containers (their writable layers, docker container prune); told from the data root's files, never from GET /system/df; reclaim removes none of them, ${AS_DU}.`,
      ['kind'],
    );
    this.reclaimableCount = g(
      'docker_data_root_reclaimable_items',
      `How many volumes, images, build cache entries and containers each kind of docker_data_root_reclaimable_bytes holds, ${CACHED}.`,
      ['kind'],
    );
    this.volumeBytes = g(
      'docker_volume_bytes',
      `Bytes of each local volume's directory, the largest --collector.volumes.max-series of them, ${AS_DU}.`,
      ['name'],
    );
    this.fsSize = g('docker_data_root_filesystem_size_bytes', `Size of the filesystem holding the data root (statfs), ${CACHED}.`);
    this.fsFree = g(
      'docker_data_root_filesystem_free_bytes',
      `Free bytes of the filesystem holding the data root that an unprivileged user may use (statfs f_bavail), ${CACHED}.`,
    );
    this.duration = g('docker_data_root_scan_duration_seconds', 'How long the last complete data-root scan took.');
    this.timestamp = g('docker_data_root_scan_timestamp_seconds', 'Unix time when the last complete data-root scan ended.');
    this.success = g('docker_data_root_scan_success', '1 when the last data-root scan could read the data root, else 0.');
    this.errors = g(
      'docker_data_root_scan_errors',
      'Entries the last data-root scan could not read, by reason (permission, vanished, loop, missing, metadata, other); they are not counted.',
      ['reason'],
    );
  }

  update(scan: CompletedScan | undefined): void {
    this.set.reset();
    if (!scan) return;
    const { result } = scan;
    this.duration.set({}, scan.durationSeconds);
    this.timestamp.set({}, scan.finishedAt);
    this.success.set({}, result.complete ? 1 : 0);
    for (const [reason, count] of result.errors) this.errors.set({ reason }, count);
    if (!result.complete) return;
    for (const [dir, bytes] of result.topLevel) this.dirBytes.set({ dir }, bytes);
    for (const o of result.orphaned) this.orphanedBytes.set({ driver: o.driver, reason: o.reason }, o.bytes);
    for (const u of result.unmeasured) this.unmeasured.set({ driver: u.driver, reason: u.reason }, 1);
    if (result.containerdRootBytes !== undefined) this.containerdRoot.set({}, result.containerdRootBytes);
    if (!result.driver.includes('snapshotter')) this.orphanedLayers.set({ driver: result.driver }, result.orphanedLayers);
    this.buildCache.set({}, result.buildCacheBytes);
    for (const [kind, { bytes, count }] of result.reclaimable) {
      this.reclaimableBytes.set({ kind }, bytes);
      this.reclaimableCount.set({ kind }, count);
    }
    const largest = [...result.volumeBytes].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).slice(0, this.volumesMaxSeries);
    for (const [name, bytes] of largest) this.volumeBytes.set({ name }, bytes);
    if (result.filesystem) {
      this.fsSize.set({}, result.filesystem.sizeBytes);
      this.fsFree.set({}, result.filesystem.freeBytes);
    }
  }
}
