import type { Exposition } from './exposition';
import { BLOCKER_REASONS, UpgradeVerdict } from '../upgrade/verdict';
import { GaugeSet } from './gaugeSet';

/** The upgrade verdict as metrics: what this daemon does at its next start, as each target version, and what keeps it from surviving. */
export class UpgradeMetrics {
  private readonly set: GaugeSet;
  private readonly blocker;
  private readonly outcome;
  private readonly containers;
  private readonly images;
  private readonly writable;
  private readonly localOnly;
  private readonly imageStore;

  constructor(exposition: Exposition) {
    const set = (this.set = new GaugeSet(exposition));
    this.blocker = set.gauge(
      'docker_upgrade_blocker',
      '1 for each reason that will stop this daemon or lose its containers on the way to Docker 25 (removed_driver, deprecated_driver_not_explicit, several_prior_drivers_not_explicit, daemon_config_invalid), 0 for the others; absent when it cannot be told, and for Podman.',
      ['reason'],
    );
    this.outcome = set.gauge(
      'docker_upgrade_outcome',
      'What the daemon does when it next starts as Docker target_version, following dockerd\'s own start-up rules at that release (outcome: starts, refuses_to_start, fails_to_start, starts_without_containers, unknown); restart="true" for the running version (a plain restart); always 1, Docker only.',
      ['target_version', 'restart', 'outcome'],
    );
    this.imageStore = set.gauge(
      'docker_upgrade_image_store',
      'The image store the daemon starts on as Docker target_version (store: graphdriver or containerd; Docker 29 defaults fresh hosts to containerd); restart="true" for the running version; always 1, absent when it does not start or cannot be told, Docker only.',
      ['target_version', 'restart', 'store'],
    );
    this.containers = set.gauge(
      'docker_upgrade_recreate_containers',
      'Containers a storage driver switch requires re-creating (0 when the driver is not deprecated).',
    );
    this.images = set.gauge(
      'docker_upgrade_recreate_images',
      'Images a storage driver switch requires re-creating (0 when the driver is not deprecated); volumes are not affected.',
    );
    this.writable = set.gauge(
      'docker_upgrade_writable_layer_bytes',
      "Bytes the containers wrote in their writable layers, summed, which a storage driver switch loses unless copied out; counted as du -sx -B1 counts (btrfs subvolumes included), from the last complete data-root scan; directory drivers only (vfs counts the image's files too), Docker only.",
    );
    this.localOnly = set.gauge(
      'docker_upgrade_local_only_images',
      'Images without RepoDigests (built or imported on this host), which a storage driver switch loses unless saved (docker save); from GET /images/json, refreshed with /info; absent on the containerd image store, where every image has a digest, and for Podman.',
    );
  }

  update(verdict: UpgradeVerdict | undefined): void {
    this.set.reset();
    if (!verdict) return;
    for (const reason of BLOCKER_REASONS) {
      const value = verdict.blockers[reason];
      if (value !== undefined) this.blocker.set({ reason }, value ? 1 : 0);
    }
    for (const o of verdict.outcomes) {
      const restart = String(o.targetMajor === verdict.runningMajor);
      this.outcome.set({ target_version: String(o.targetMajor), restart, outcome: o.outcome }, 1);
      if (o.store) this.imageStore.set({ target_version: String(o.targetMajor), restart, store: o.store }, 1);
    }
    if (verdict.recreateContainers !== undefined) this.containers.set({}, verdict.recreateContainers);
    if (verdict.recreateImages !== undefined) this.images.set({}, verdict.recreateImages);
    if (verdict.writableLayerBytes !== undefined) this.writable.set({}, verdict.writableLayerBytes);
    if (verdict.localOnlyImages !== undefined) this.localOnly.set({}, verdict.localOnlyImages);
  }
}
