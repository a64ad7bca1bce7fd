import type { Exposition } from './exposition';
import type { DaemonSnapshot } from '../collector/snapshot';
import { deprecationOf } from '../docker/storageDrivers';
import { GaugeSet } from './gaugeSet';

/** The storage driver: which, whether deprecated and removed when, whether explicitly configured. */
export class StorageDriverMetrics {
  private readonly set: GaugeSet;
  private readonly driverInfo;
  private readonly deprecated;
  private readonly removal;
  private readonly explicit;
  private readonly explicitKnown;
  private readonly dType;

  constructor(exposition: Exposition) {
    const set = (this.set = new GaugeSet(exposition));
    this.driverInfo = set.gauge('docker_storage_driver_info', 'The storage driver in use and its backing filesystem; always 1.', [
      'driver',
      'backing_filesystem',
    ]);
    this.deprecated = set.gauge(
      'docker_storage_driver_deprecated',
      '1 when the storage driver in use is deprecated (devicemapper, aufs, legacy overlay), else 0.',
      ['driver'],
    );
    this.removal = set.gauge(
      'docker_storage_driver_removal_version',
      'Docker Engine major version that removes the deprecated storage driver in use.',
      ['driver'],
    );
    this.explicit = set.gauge(
      'docker_storage_driver_explicit',
      '1 when the storage driver is explicitly configured (source: flag, config_file, env), 0 when the daemon picked it itself (source="none"), which Docker 23+ refuse for a deprecated driver.',
      ['source'],
    );
    this.explicitKnown = set.gauge(
      'docker_storage_driver_explicit_known',
      '1 when the exporter could read the daemon command line, environment and config file, else 0.',
    );
    this.dType = set.gauge(
      'docker_storage_driver_dtype_supported',
      '1 when the overlay storage driver reports d_type support, else 0; only for overlay drivers.',
    );
  }

  update(snapshot: DaemonSnapshot): void {
    this.set.reset();
    const storage = snapshot.storageConfig;
    this.explicitKnown.set({}, storage?.known ? 1 : 0);
    if (storage?.known) this.explicit.set({ source: storage.source }, storage.source === 'none' ? 0 : 1);
    const info = snapshot.info;
    if (!info) return;
    if (info.driver !== undefined) {
      const driver = info.driver;
      this.driverInfo.set({ driver, backing_filesystem: info.backingFilesystem ?? '' }, 1);
      // Podman's "overlay" is containers/storage's driver, not Docker's removed legacy overlay.
      const deprecation = snapshot.engine === 'podman' ? undefined : deprecationOf(driver);
      this.deprecated.set({ driver }, deprecation ? 1 : 0);
      if (deprecation) this.removal.set({ driver }, deprecation.removedInMajor);
    }
    if (info.dTypeSupported !== undefined) this.dType.set({}, info.dTypeSupported ? 1 : 0);
  }
}
