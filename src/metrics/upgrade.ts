import type { Registry } from 'prom-client';
import { SnapshotGauge } from './snapshotGauge';
import { BLOCKER_REASONS, UpgradeVerdict } from '../upgrade/verdict';

/** The upgrade verdict as metrics: what keeps this host from surviving the move to Docker 25. */
export class UpgradeMetrics {
  private readonly blocker: SnapshotGauge;
  private readonly containers: SnapshotGauge;
  private readonly images: SnapshotGauge;

  constructor(registry: Registry) {
    this.blocker = new SnapshotGauge(
      'docker_upgrade_blocker',
      '1 for each reason that will stop this daemon or lose its containers on the way to Docker 25 (removed_driver, deprecated_driver_not_explicit, several_prior_drivers_not_explicit, unknown_configuration), 0 for the others; absent when it cannot be told.',
      ['reason'],
    ).register(registry);
    this.containers = new SnapshotGauge('docker_upgrade_recreate_containers', 'Containers a storage driver switch requires re-creating (0 when the driver is not deprecated).').register(registry);
    this.images = new SnapshotGauge('docker_upgrade_recreate_images', 'Images a storage driver switch requires re-creating (0 when the driver is not deprecated); volumes are not affected.').register(registry);
  }

  update(verdict: UpgradeVerdict | undefined): void {
    this.blocker.reset();
    this.containers.reset();
    this.images.reset();
    if (!verdict) return;
    for (const reason of BLOCKER_REASONS) {
      const value = verdict.blockers[reason];
      if (value !== undefined) this.blocker.set({ reason }, value ? 1 : 0);
    }
    if (verdict.recreateContainers !== undefined) this.containers.set({}, verdict.recreateContainers);
    if (verdict.recreateImages !== undefined) this.images.set({}, verdict.recreateImages);
  }
}
