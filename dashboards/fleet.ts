// The fleet dashboard: every host of the selected jobs, read mostly from the recording rules.
import type { DashboardSpec, PanelSpec } from './build';
import {
  AGG,
  countStat,
  deprecated,
  HOST,
  mergeTable,
  ORANGE_FROM_1,
  ORPHAN_THRESHOLDS,
  RED_FROM_1,
  SCAN_AGE_THRESHOLDS,
  SEL,
  TOP,
  USED_THRESHOLDS,
} from './panels';

/** The thin pools whose data or metadata space is fullest, coloured where the alerts fire. */
function fullestPools(space: 'data' | 'metadata', colours: string): PanelSpec {
  return {
    title: `Thin pool ${space} space used: fullest hosts`,
    description: `devicemapper hosts, the ${TOP} fullest: share of the thin pool ${space} space in use (docker:devicemapper_${space}_space_available:ratio). ${colours}`,
    type: 'bargauge',
    unit: 'percentunit',
    w: 12,
    h: 8,
    max: 1,
    thresholds: USED_THRESHOLDS,
    targets: [{ expr: `topk(${TOP}, 1 - docker:devicemapper_${space}_space_available:ratio{${HOST}})`, legend: '%(hostLegend)s' }],
  };
}

export const FLEET: DashboardSpec = {
  uid: 'dde-fleet',
  title: 'Docker daemons: fleet',
  description:
    'Every Docker host: storage drivers and the migration off deprecated ones, devicemapper thin pools, orphaned data, host networking, exporter health. Counts and totals read the recording rules of alerts/docker-daemon-exporter.recording.yml (load them with the alerts): they cover every host of the selected jobs.',
  hosts: 'many',
  panels: [
    countStat('Hosts', 'Targets of the selected jobs (docker:hosts:count).', 'docker:hosts:count', []),
    countStat(
      'Exporters down',
      'Hosts whose exporter Prometheus cannot scrape: no Docker alert fires for them (docker:hosts_exporter_down:count). Alert: DockerExporterDown.',
      'docker:hosts_exporter_down:count',
      RED_FROM_1,
    ),
    countStat(
      'Daemons down',
      'Hosts whose Docker daemon does not answer (docker:hosts_daemon_down:count). Alert: DockerDaemonDown.',
      'docker:hosts_daemon_down:count',
      RED_FROM_1,
    ),
    countStat(
      'On a deprecated driver',
      'Hosts whose storage driver is deprecated (devicemapper, aufs, legacy overlay): every image and container on them must be re-created (docker:hosts_deprecated_driver:count). Alert: DockerStorageDriverDeprecated.',
      'docker:hosts_deprecated_driver:count',
      ORANGE_FROM_1,
    ),
    countStat(
      'Deprecated, not explicit',
      'Hosts on a deprecated driver that nothing configures: Docker 23+ refuses to start there at the next restart (docker:hosts_deprecated_driver_not_explicit:count). Alert: DockerStorageDriverNotExplicit (critical).',
      'docker:hosts_deprecated_driver_not_explicit:count',
      RED_FROM_1,
    ),
    {
      title: 'Orphaned data',
      description:
        "Bytes in data roots that nothing uses, summed over the selected jobs (docker:data_root_orphaned_bytes:sum). `reclaim` gives back another driver's data and containers and what another userns-remap setting left but its volumes; the runbook says what to do with the rest.",
      type: 'stat',
      unit: 'bytes',
      w: 4,
      h: 4,
      thresholds: ORPHAN_THRESHOLDS,
      targets: [{ expr: `sum(docker:data_root_orphaned_bytes:sum{${AGG}}) or vector(0)` }],
    },
    {
      title: 'What each Docker version would do',
      description:
        'Hosts by what their daemon does when upgraded to each target version (docker:hosts_by_outcome:count, restart="false"): starts, refuses_to_start, fails_to_start, starts_without_containers, unknown. Alert: DockerUpgradeFails.',
      type: 'bargauge',
      unit: 'none',
      w: 8,
      h: 8,
      targets: [
        {
          expr: `sum by (target_version, outcome) (docker:hosts_by_outcome:count{${AGG},restart="false"})`,
          legend: 'Docker {{target_version}}: {{outcome}}',
        },
      ],
    },
    {
      title: 'Hosts blocked, by reason',
      description:
        "Hosts with each upgrade blocker (docker:hosts_by_blocker:count): a removed driver, a deprecated driver not explicitly configured, several drivers' data with none configured, a daemon.json the daemon will refuse.",
      type: 'bargauge',
      unit: 'none',
      w: 8,
      h: 8,
      thresholds: RED_FROM_1,
      targets: [{ expr: `sum by (reason) (docker:hosts_by_blocker:count{${AGG}})`, legend: '{{reason}}' }],
    },
    {
      title: 'Hosts per storage driver',
      description: 'How many hosts use each storage driver (docker:hosts_by_driver:count).',
      type: 'piechart',
      unit: 'none',
      w: 8,
      h: 8,
      targets: [{ expr: `sum by (driver) (docker:hosts_by_driver:count{${AGG}})`, legend: '{{driver}}' }],
    },
    {
      title: 'Storage drivers over time',
      description: 'Hosts per storage driver over time: the migration to overlay2 as it happens (docker:hosts_by_driver:count).',
      type: 'timeseries',
      unit: 'none',
      w: 12,
      h: 8,
      stacking: true,
      targets: [{ expr: `sum by (driver) (docker:hosts_by_driver:count{${AGG}})`, legend: '{{driver}}' }],
    },
    {
      title: 'Hosts that would not come back, over time',
      description:
        'Hosts whose daemon would refuse or fail to start, or start without its containers, per target version (docker:hosts_by_outcome:count), and hosts whose daemon or exporter is down.',
      type: 'timeseries',
      unit: 'none',
      w: 12,
      h: 8,
      targets: [
        {
          expr: `sum by (target_version) (docker:hosts_by_outcome:count{${AGG},restart="false",outcome=~"refuses_to_start|fails_to_start|starts_without_containers"})`,
          legend: 'Docker {{target_version}}',
        },
        { expr: `sum(docker:hosts_daemon_down:count{${AGG}})`, legend: 'daemon down' },
        { expr: `sum(docker:hosts_exporter_down:count{${AGG}})`, legend: 'exporter down' },
      ],
    },
    {
      title: 'Containers to re-create',
      description:
        'Containers on hosts with a deprecated storage driver: a driver switch makes them inaccessible; they must be re-created (`plan` lists them). Volumes are not affected.',
      type: 'stat',
      unit: 'none',
      w: 4,
      h: 8,
      targets: [{ expr: `sum(sum by (%(hostLabels)s) (docker_containers{${SEL}}) and on (%(hostLabels)s) ${deprecated}) or vector(0)` }],
    },
    {
      title: 'Hosts on deprecated drivers',
      description:
        'Each host on a deprecated storage driver: the Engine version that removes it, the containers and images to re-create, and whether the driver is explicitly configured (1) or picked by the daemon (0, will not start on Docker 23+).',
      type: 'table',
      unit: 'none',
      w: 20,
      h: 8,
      targets: [
        { expr: `docker_storage_driver_removal_version{${SEL}}`, table: true },
        { expr: `sum by (%(hostLabels)s) (docker_containers{${SEL}}) and on (%(hostLabels)s) ${deprecated}`, table: true },
        { expr: `docker_images{${SEL}} and on (%(hostLabels)s) ${deprecated}`, table: true },
        {
          expr: `max by (%(hostLabels)s, source) (docker_storage_driver_explicit{${SEL}}) and on (%(hostLabels)s) ${deprecated}`,
          table: true,
        },
      ],
      transformations: mergeTable(
        {
          'Value #A': 'removed in Engine',
          'Value #B': 'containers',
          'Value #C': 'images',
          'Value #D': 'explicit',
          source: 'configured by',
        },
        ['__name__'],
      ),
    },
    fullestPools(
      'data',
      'Orange when less than %(thinPoolFillingUpRatio)s of it is available (DockerDevicemapperDataSpaceFillingUp watches the trend), red below %(thinPoolAvailableRatio)s (DockerDevicemapperDataSpaceLow).',
    ),
    fullestPools('metadata', 'Red when less than %(thinPoolAvailableRatio)s of it is available (DockerDevicemapperMetadataSpaceLow).'),
    {
      title: 'Orphaned data: largest hosts',
      description: `The ${TOP} hosts with the most bytes in the data root that nothing uses (docker:data_root_orphaned_bytes:sum_by_host), from the last background scan; orange above %(orphanedBytes)s bytes (DockerDataRootOrphanedData).`,
      type: 'bargauge',
      unit: 'bytes',
      w: 12,
      h: 8,
      thresholds: ORPHAN_THRESHOLDS,
      targets: [{ expr: `topk(${TOP}, docker:data_root_orphaned_bytes:sum_by_host{${HOST}} > 0)`, legend: '%(hostLegend)s' }],
    },
    {
      title: 'Orphaned data against free space',
      description:
        'Per host with orphaned data: orphaned bytes and the free space of the filesystem holding the data root, from the last background scan.',
      type: 'table',
      unit: 'bytes',
      w: 12,
      h: 8,
      targets: [
        { expr: `docker:data_root_orphaned_bytes:sum_by_host{${HOST}} > 0`, table: true },
        {
          expr: `docker_data_root_filesystem_free_bytes{${SEL}} and on (%(hostLabels)s) (docker:data_root_orphaned_bytes:sum_by_host{${HOST}} > 0)`,
          table: true,
        },
        {
          expr: `docker_data_root_filesystem_size_bytes{${SEL}} and on (%(hostLabels)s) (docker:data_root_orphaned_bytes:sum_by_host{${HOST}} > 0)`,
          table: true,
        },
      ],
      transformations: mergeTable({ 'Value #A': 'orphaned', 'Value #B': 'free', 'Value #C': 'filesystem size' }, ['__name__']),
    },
    {
      title: 'Hosts with host-network containers',
      description:
        'Per host, the containers in host network mode, no longer recommended: re-create them on a bridge network (docker:containers_host_network:sum_by_host; the host dashboard names them). Alert: DockerHostNetworkContainers.',
      type: 'table',
      unit: 'none',
      w: 12,
      h: 8,
      targets: [{ expr: `docker:containers_host_network:sum_by_host{${HOST}} > 0`, table: true }],
      transformations: mergeTable({ Value: 'host-network containers' }, ['__name__']),
    },
    {
      title: 'Hosts with unhealthy containers',
      description:
        'Per host, the running containers whose health check fails (the host dashboard names them). Alert: DockerContainersUnhealthy.',
      type: 'table',
      unit: 'none',
      w: 12,
      h: 8,
      targets: [{ expr: `sum by (%(hostLabels)s) (docker_containers_health{${SEL},status="unhealthy"}) > 0`, table: true }],
      transformations: mergeTable({ Value: 'unhealthy containers' }, ['__name__']),
    },
    {
      title: 'Container restarts and OOM kills: busiest hosts',
      description: `Restarts and OOM kills per host over the dashboard's time range, the ${TOP} hosts with the most restarts (DockerContainerRestartLoop, DockerContainerOOMKilled).`,
      type: 'table',
      unit: 'none',
      w: 12,
      h: 8,
      targets: [
        { expr: `topk(${TOP}, round(increase(docker_containers_restarts_total{${SEL}}[$__range]))) > 0`, table: true },
        { expr: `round(increase(docker_containers_oom_kills_total{${SEL}}[$__range])) > 0`, table: true },
      ],
      transformations: mergeTable({ 'Value #A': 'restarts', 'Value #B': 'OOM kills' }, ['__name__']),
    },
    {
      title: 'Containers by network mode',
      description: 'Containers across the selected jobs by network mode (docker:containers:sum).',
      type: 'bargauge',
      unit: 'none',
      w: 12,
      h: 8,
      targets: [{ expr: `sum by (network_mode) (docker:containers:sum{${AGG}})`, legend: '{{network_mode}}' }],
    },
    {
      title: 'Exporter collectors failing',
      description:
        'Collectors that failed in the last collection, per host (docker_exporter_collector_success 0). Alert: DockerExporterCollectorFailing.',
      type: 'table',
      unit: 'none',
      w: 12,
      h: 8,
      targets: [{ expr: `docker_exporter_collector_success{${SEL}} == 0`, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, __name__: true } } }],
    },
    {
      title: 'Age of the data-root figures: stalest hosts',
      description: `Time since the last complete data-root scan, the ${TOP} stalest hosts; orange after %(scanStaleSeconds)s seconds (DockerDataRootScanStale).`,
      type: 'bargauge',
      unit: 's',
      w: 12,
      h: 8,
      thresholds: SCAN_AGE_THRESHOLDS,
      targets: [{ expr: `topk(${TOP}, time() - docker_data_root_scan_timestamp_seconds{${SEL}})`, legend: '%(hostLegend)s' }],
    },
  ],
};
