import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { SnapshotGauge } from './snapshotGauge';
import type { DaemonSnapshot } from '../collector/daemonCollector';
import type { ContainerSummary } from '../parse/containers';
import type { ThinPool } from '../parse/driverStatus';
import { deprecationOf } from '../docker/storageDrivers';

type Labels = readonly string[];

export interface DaemonMetricsOptions {
  hostNetworkMaxSeries: number;
}

/**
 * The host-network containers worth naming first: running ones, then by name.
 * A host with thousands of them would otherwise expose thousands of series.
 */
export function hostNetworkFirst(containers: readonly ContainerSummary[], limit: number): ContainerSummary[] {
  return containers
    .filter((c) => c.networkMode === 'host')
    .sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** The metrics that describe the daemon, rebuilt from each snapshot so vanished things leave no series. */
export class DaemonMetrics {
  private readonly gauges: SnapshotGauge[] = [];
  private readonly up: SnapshotGauge;
  private readonly engineInfo: SnapshotGauge;
  private readonly containers: SnapshotGauge;
  private readonly hostNetwork: SnapshotGauge;
  private readonly images: SnapshotGauge;
  private readonly volumes: SnapshotGauge;
  private readonly warnings: SnapshotGauge;
  private readonly warningInfo: SnapshotGauge;
  private readonly driverInfo: SnapshotGauge;
  private readonly driverDeprecated: SnapshotGauge;
  private readonly driverRemoval: SnapshotGauge;
  private readonly explicit: SnapshotGauge;
  private readonly explicitKnown: SnapshotGauge;
  private readonly dType: SnapshotGauge;
  private readonly poolInfo: SnapshotGauge;
  private readonly poolNumbers: { field: keyof ThinPool; gauge: SnapshotGauge }[];
  private readonly eventStream: SnapshotGauge;
  private readonly infoTimestamp: SnapshotGauge;
  private readonly collectorDuration: SnapshotGauge;
  private readonly collectorSuccess: SnapshotGauge;
  private readonly parseErrors: SnapshotGauge;

  constructor(
    registry: Registry,
    private readonly options: DaemonMetricsOptions = { hostNetworkMaxSeries: 50 },
  ) {
    const g = (name: string, help: string, labelNames: Labels = []) => {
      const gauge = new SnapshotGauge(name, help, labelNames).register(registry);
      this.gauges.push(gauge);
      return gauge;
    };
    this.up = g('docker_up', '1 when the Docker daemon answered GET /_ping in the last collection (at most --docker.min-interval before this scrape), else 0.');
    this.eventStream = g('docker_exporter_event_stream_up', '1 while the exporter follows the daemon event stream (containers kept current from events), else 0 (containers listed at each scrape).');
    this.infoTimestamp = g('docker_exporter_info_timestamp_seconds', 'Unix time of the GET /info answer the engine, storage driver and thin pool figures come from (cached up to --docker.info-max-age).');
    this.engineInfo = g('docker_engine_info', 'The Docker Engine, from GET /info; always 1.', [
      'version',
      'api_version',
      'os',
      'operating_system',
      'kernel_version',
      'architecture',
      'data_root',
    ]);
    this.containers = g('docker_containers', 'Containers by state and network mode (HostConfig.NetworkMode classified: bridge, host, none, container, custom).', [
      'state',
      'network_mode',
    ]);
    this.hostNetwork = g('docker_container_host_network_info', `One series per container in host network mode, which is no longer recommended; always 1. At most --collector.host-network.max-series (${options.hostNetworkMaxSeries}) series, running containers first, then by name; docker_containers{network_mode="host"} counts them all.`, [
      'name',
      'image',
      'state',
    ]);
    this.images = g('docker_images', 'Images the daemon holds (Images in GET /info).');
    this.volumes = g('docker_volumes', 'Volumes the daemon knows (GET /volumes); volumes survive a storage driver change.');
    this.warnings = g('docker_daemon_warnings', 'Number of warnings in GET /info.');
    this.warningInfo = g('docker_daemon_warning_info', 'One series per daemon warning, folded to one line; always 1.', ['warning']);
    this.driverInfo = g('docker_storage_driver_info', 'The storage driver in use and its backing filesystem; always 1.', ['driver', 'backing_filesystem']);
    this.driverDeprecated = g('docker_storage_driver_deprecated', '1 when the storage driver in use is deprecated (devicemapper, aufs, legacy overlay), else 0.', ['driver']);
    this.driverRemoval = g('docker_storage_driver_removal_version', 'Docker Engine major version that removes the deprecated storage driver in use.', ['driver']);
    this.explicit = g(
      'docker_storage_driver_explicit',
      '1 when the storage driver is explicitly configured (source: flag, config_file, env), 0 when the daemon picked it itself (source="none"). Docker 23+ refuse to start on a deprecated driver unless it is explicit.',
      ['source'],
    );
    this.explicitKnown = g('docker_storage_driver_explicit_known', '1 when the exporter could read the daemon command line, environment and config file, else 0.');
    this.dType = g('docker_storage_driver_dtype_supported', '1 when the overlay storage driver reports d_type support, else 0; only for overlay drivers.');
    this.poolInfo = g('docker_devicemapper_pool_info', 'The devicemapper thin pool; always 1; only on devicemapper.', [
      'pool_name',
      'data_file',
      'metadata_file',
      'data_loop_file',
      'metadata_loop_file',
      'library_version',
    ]);
    const pool = (field: keyof ThinPool, name: string, help: string) => ({ field, gauge: g(name, `${help} Only on devicemapper.`) });
    this.poolNumbers = [
      pool('dataSpaceUsedBytes', 'docker_devicemapper_data_space_used_bytes', 'Thin pool data space used.'),
      pool('dataSpaceTotalBytes', 'docker_devicemapper_data_space_total_bytes', 'Thin pool data space total.'),
      pool('dataSpaceAvailableBytes', 'docker_devicemapper_data_space_available_bytes', 'Thin pool data space available (on loop-lvm capped by the free space of the filesystem holding the loop file).'),
      pool('metadataSpaceUsedBytes', 'docker_devicemapper_metadata_space_used_bytes', 'Thin pool metadata space used.'),
      pool('metadataSpaceTotalBytes', 'docker_devicemapper_metadata_space_total_bytes', 'Thin pool metadata space total.'),
      pool('metadataSpaceAvailableBytes', 'docker_devicemapper_metadata_space_available_bytes', 'Thin pool metadata space available.'),
      pool('minimumFreeSpaceBytes', 'docker_devicemapper_thin_pool_minimum_free_space_bytes', 'Free space below which the daemon refuses to create containers.'),
      pool('poolBlocksizeBytes', 'docker_devicemapper_pool_blocksize_bytes', 'Thin pool block size.'),
      pool('baseDeviceSizeBytes', 'docker_devicemapper_base_device_size_bytes', 'Size of each container\'s base device.'),
      pool('loopLvm', 'docker_devicemapper_loop_lvm', '1 when the thin pool sits on loop files (loop-lvm, unfit for production), else 0.'),
      pool('udevSyncSupported', 'docker_devicemapper_udev_sync_supported', '1 when udev sync is supported, else 0.'),
      pool('deferredRemovalEnabled', 'docker_devicemapper_deferred_removal_enabled', '1 when deferred device removal is enabled, else 0.'),
      pool('deferredDeletionEnabled', 'docker_devicemapper_deferred_deletion_enabled', '1 when deferred device deletion is enabled, else 0.'),
      pool('deferredDeletedDevices', 'docker_devicemapper_deferred_deleted_devices', 'Devices marked for deferred deletion.'),
    ];
    this.collectorDuration = g('docker_exporter_collector_duration_seconds', 'How long each collector took in the last collection.', ['collector']);
    this.collectorSuccess = g('docker_exporter_collector_success', '1 when the collector succeeded in the last collection, else 0.', ['collector']);
    // A counter of problems found whenever they were found (at start, from events, at a scrape), not only at scrapes.
    this.parseErrors = new SnapshotGauge(
      'docker_exporter_parse_errors_total',
      'Values in the daemon answers that the exporter could not use and left out, by field, since the exporter started.',
      ['field'],
      'counter',
    ).register(registry);
    this.gauges.push(this.parseErrors);
  }

  update(snapshot: DaemonSnapshot): void {
    for (const gauge of this.gauges) gauge.reset();
    this.up.set({}, snapshot.up ? 1 : 0);
    this.eventStream.set({}, snapshot.eventStreamConnected ? 1 : 0);
    if (snapshot.infoTimestamp !== undefined) this.infoTimestamp.set({}, snapshot.infoTimestamp);
    for (const status of snapshot.collectors) {
      this.collectorDuration.set({ collector: status.collector }, status.durationSeconds);
      this.collectorSuccess.set({ collector: status.collector }, status.success ? 1 : 0);
    }
    for (const [field, count] of snapshot.parseErrors) this.parseErrors.set({ field }, count);

    const info = snapshot.info;
    if (info) {
      this.engineInfo.set(
        {
          version: info.serverVersion ?? '',
          api_version: snapshot.apiVersion ?? '',
          os: info.osType ?? '',
          operating_system: info.operatingSystem ?? '',
          kernel_version: info.kernelVersion ?? '',
          architecture: info.architecture ?? '',
          data_root: info.dockerRootDir ?? '',
        },
        1,
      );
      if (info.images !== undefined) this.images.set({}, info.images);
      this.warnings.set({}, info.warnings.length);
      for (const warning of new Set(info.warnings)) this.warningInfo.set({ warning }, 1);
      if (info.driver !== undefined) {
        const driver = info.driver;
        this.driverInfo.set({ driver, backing_filesystem: info.backingFilesystem ?? '' }, 1);
        const deprecation = deprecationOf(driver);
        this.driverDeprecated.set({ driver }, deprecation ? 1 : 0);
        if (deprecation) this.driverRemoval.set({ driver }, deprecation.removedInMajor);
      }
      if (info.dTypeSupported !== undefined) this.dType.set({}, info.dTypeSupported ? 1 : 0);
      if (info.thinPool) this.updateThinPool(info.thinPool);
    }

    const explicit = snapshot.explicit;
    this.explicitKnown.set({}, explicit?.known ? 1 : 0);
    if (explicit?.known) this.explicit.set({ source: explicit.source }, explicit.source === 'none' ? 0 : 1);

    if (snapshot.volumes !== undefined) this.volumes.set({}, snapshot.volumes);
    if (snapshot.containers) {
      for (const container of snapshot.containers) this.containers.inc({ state: container.state, network_mode: container.networkMode });
      for (const container of hostNetworkFirst(snapshot.containers, this.options.hostNetworkMaxSeries)) {
        this.hostNetwork.set({ name: container.name, image: container.image, state: container.state }, 1);
      }
    }
  }

  private updateThinPool(pool: ThinPool): void {
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
    for (const { field, gauge } of this.poolNumbers) {
      const value = pool[field];
      if (typeof value === 'number') gauge.set({}, value);
      else if (typeof value === 'boolean') gauge.set({}, value ? 1 : 0);
    }
  }
}

export function registerExporterMetrics(registry: Registry, version: string, processMetrics = true): void {
  new Gauge({
    name: 'docker_exporter_build_info',
    help: 'The exporter\'s version and the Node.js running it; always 1.',
    labelNames: ['version', 'nodejs_version'],
    registers: [registry],
  }).set({ version, nodejs_version: process.version }, 1);
  if (!processMetrics) return;
  collectDefaultMetrics({ register: registry });
  // Gauges with a _total suffix break Prometheus naming (promtool check metrics
  // refuses them); nodejs_active_{handles,requests,resources} by type say the same.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
}
