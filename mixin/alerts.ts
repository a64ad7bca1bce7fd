import type { AlertRule, RuleGroup } from './model';

/**
 * The alert rules, written once: `SEL` stands for the exporter's selector (`_config.selector`),
 * `%(name)s` for a threshold of `_config.thresholds`; `runbook` is the anchor of the alert's
 * section in docs/runbook.md. Rendered by mixin/render.ts; `npm run mixin` writes alerts/.
 */
/**
 * available / (used + available): the share of what the thin pool can still take that is free (`space`:
 * data or metadata), the same on loop-lvm and direct-lvm. `indent`: where it starts inside a larger expression.
 */
const reachableShare = (space: 'data' | 'metadata', indent = '') =>
  `${indent}docker_devicemapper_${space}_space_available_bytes{%(selector)s}\n${indent}  / (docker_devicemapper_${space}_space_used_bytes{%(selector)s} + docker_devicemapper_${space}_space_available_bytes{%(selector)s})`;

/** The free share of the filesystem holding a loop-lvm pool's loop file. */
const LOOP_FILESYSTEM_FREE =
  'docker_devicemapper_loop_filesystem_free_bytes{%(selector)s} / docker_devicemapper_loop_filesystem_size_bytes{%(selector)s}';

export const ALERT_GROUPS: RuleGroup<AlertRule>[] = [
  {
    // The exporter itself. Groups are evaluated concurrently (Prometheus, vmalert): kept small, each stays under a second at 10,000 hosts (npm run bench fleet).
    name: 'docker-exporter',
    rules: [
      {
        alert: 'DockerExporterDown',
        expr: 'up{%(selector)s} == 0',
        for: '5m',
        severity: 'warning',
        summary: 'Prometheus cannot scrape the Docker daemon exporter: every other Docker alert of the host is silent.',
        description:
          'Prometheus has not scraped the exporter on {{ $labels.instance }} for 5 minutes: no Docker alert can fire for that host until it is back.',
        runbook: 'dockerexporterdown',
      },
      {
        alert: 'DockerExporterAbsent',
        expr: 'absent(up{%(selector)s})',
        for: '15m',
        severity: 'warning',
        summary: 'Prometheus scrapes no Docker daemon exporter at all: every Docker alert is silent.',
        description:
          "No target of the exporter's job has been scraped for 15 minutes (the scrape configuration lost it, or service discovery finds none): no Docker alert can fire.",
        runbook: 'dockerexporterabsent',
      },
      {
        alert: 'DockerExporterCollectorFailing',
        expr: '(docker_exporter_collector_success{%(selector)s} == 0) unless on (%(hostLabels)s) (docker_up{%(selector)s} == 0)',
        for: '15m',
        severity: 'warning',
        summary: "The exporter cannot collect part of the Docker daemon's state.",
        description:
          'The {{ $labels.collector }} collector of the exporter on {{ $labels.instance }} has failed for 15 minutes while the daemon answers pings; the metrics it feeds are missing.',
        runbook: 'dockerexportercollectorfailing',
      },
    ],
  },
  {
    // The daemon answering at all.
    name: 'docker-daemon',
    rules: [
      {
        alert: 'DockerDaemonDown',
        expr: 'docker_up{%(selector)s} == 0',
        for: '2m',
        severity: 'critical',
        summary: 'The Docker daemon does not answer.',
        description:
          'The exporter on {{ $labels.instance }} has had no answer from the Docker daemon for 2 minutes; containers may still run, but nothing can be started, stopped or inspected.',
        runbook: 'dockerdaemondown',
      },
    ],
  },
  {
    name: 'docker-storage-driver',
    rules: [
      {
        alert: 'DockerStorageDriverConfigUnknown',
        expr: '(docker_storage_driver_explicit_known{%(selector)s} == 0) and on (%(hostLabels)s) (docker_storage_driver_deprecated{%(selector)s} == 1)',
        for: '30m',
        severity: 'warning',
        summary: 'The exporter cannot tell whether a deprecated storage driver is explicitly configured.',
        description:
          "{{ $labels.instance }} runs a deprecated storage driver, and the exporter cannot read the daemon's pid file, /proc entry or daemon.json, so it cannot tell whether the daemon will start again on Docker 23 or later.",
        runbook: 'dockerstoragedriverconfigunknown',
      },
      {
        alert: 'DockerStorageDriverDeprecated',
        expr: 'docker_storage_driver_removal_version{%(selector)s} and on (%(hostLabels)s, driver) (docker_storage_driver_deprecated{%(selector)s} == 1)',
        for: '10m',
        severity: 'warning',
        summary: 'The Docker daemon uses a deprecated storage driver.',
        description:
          '{{ $labels.instance }} stores its images and containers with the {{ $labels.driver }} storage driver, which Docker Engine {{ $value }} removes. Every image and container on it must be re-created on overlay2 before that upgrade; volumes are not affected.',
        runbook: 'dockerstoragedriverdeprecated',
      },
      {
        alert: 'DockerStorageDriverNotExplicit',
        expr: '(docker_storage_driver_deprecated{%(selector)s} == 1) and on (%(hostLabels)s) (docker_storage_driver_explicit{%(selectorAnd)ssource="none"} == 0)',
        for: '10m',
        severity: 'critical',
        summary: 'A deprecated storage driver is in use without being configured; the daemon will refuse to start.',
        description:
          '{{ $labels.instance }} uses the deprecated {{ $labels.driver }} storage driver only because the daemon found its data; nothing configures it. Docker 23 and later refuse to start on such a host at their next restart, and the platform upgrade to Docker 25 loses every image and container on it. Pin the driver now (storage-driver = "{{ $labels.driver }}") or migrate.',
        runbook: 'dockerstoragedrivernotexplicit',
      },
    ],
  },
  {
    name: 'docker-upgrade',
    rules: [
      {
        alert: 'DockerDaemonConfigInvalid',
        expr: 'docker_daemon_config_valid{%(selector)s} == 0',
        for: '5m',
        severity: 'critical',
        summary: 'The Docker daemon will refuse its daemon.json at its next start.',
        description:
          'The daemon on {{ $labels.instance }} runs, but its daemon.json will be refused the next time it starts (a reboot, an update, a crash): it will not come back. `check` names the file, the line and the column.',
        runbook: 'dockerdaemonconfiginvalid',
      },
      {
        alert: 'DockerRestartFails',
        expr: '(docker_upgrade_outcome{%(selectorAnd)srestart="true",outcome=~"refuses_to_start|fails_to_start|starts_without_containers"} == 1) unless on (%(hostLabels)s) (docker_daemon_config_valid{%(selector)s} == 0)',
        for: '10m',
        severity: 'critical',
        summary: 'A plain restart of the Docker daemon would not bring its containers back.',
        description:
          'If the daemon on {{ $labels.instance }} restarts as the Docker {{ $labels.target_version }} it runs, it {{ $labels.outcome | reReplaceAll "_" " " }}. `check` gives the line the daemon will log.',
        runbook: 'dockerrestartfails',
      },
      {
        alert: 'DockerUpgradeFails',
        expr: 'docker_upgrade_outcome{%(selectorAnd)srestart="false",outcome=~"refuses_to_start|fails_to_start|starts_without_containers"} == 1',
        for: '30m',
        severity: 'warning',
        summary: 'Upgraded to a later Docker, this daemon would not start, or would start without its containers.',
        description:
          'On Docker {{ $labels.target_version }}, the daemon on {{ $labels.instance }} {{ $labels.outcome | reReplaceAll "_" " " }}. Migrate before the upgrade; `check --upgrade.target-version {{ $labels.target_version }}` says what the daemon will log and what to do.',
        runbook: 'dockerupgradefails',
      },
    ],
  },
  {
    name: 'docker-devicemapper',
    rules: [
      {
        alert: 'DockerDevicemapperLoopLvm',
        expr: 'docker_devicemapper_loop_lvm{%(selector)s} == 1',
        for: '15m',
        severity: 'warning',
        summary: 'The devicemapper thin pool runs on loop files (loop-lvm), unfit for production.',
        description:
          '{{ $labels.instance }} keeps its devicemapper thin pool in sparse loop files: slow, and the pool fails when the filesystem holding them fills.',
        runbook: 'dockerdevicemapperlooplvm',
      },
      {
        // available / (used + available): the share of the space the pool can still take that is free.
        // Not available / total: on loop-lvm total is the 100 GB sparse file and available is capped by
        // the free space of the filesystem holding it, so a new, empty pool read as nearly full.
        alert: 'DockerDevicemapperDataSpaceLow',
        expr: `${reachableShare('data')}\n< %(thinPoolAvailableRatio)s`,
        for: '15m',
        severity: 'warning',
        summary: 'The devicemapper thin pool is running out of data space.',
        description:
          '{{ $labels.instance }} has {{ $value | humanizePercentage }} of the data space its thin pool can still take free (on loop-lvm, the free space of the filesystem holding the loop file counts).',
        runbook: 'dockerdevicemapperdataspacelow',
      },
      {
        // dockerd's own refusal (deviceset.go poolHasFreeSpace): free blocks, total − used, below the minimum.
        alert: 'DockerDevicemapperDataSpaceExhausted',
        expr: 'docker_devicemapper_data_space_free_bytes{%(selector)s} < on (%(hostLabels)s) docker_devicemapper_thin_pool_minimum_free_space_bytes{%(selector)s}',
        for: '5m',
        severity: 'critical',
        summary: 'The devicemapper thin pool is below its minimum free data space; the daemon refuses new containers.',
        description:
          "{{ $labels.instance }} has {{ $value | humanize }}B of thin pool data space free (total − used), below the pool's minimum free space: the daemon refuses to create containers and images.",
        runbook: 'dockerdevicemapperdataspaceexhausted',
      },
      {
        // What breaks loop-lvm hosts: the filesystem holding the sparse loop file fills, and the pool's
        // writes fail with I/O errors long before dockerd's minimum free space is reached. Its own figure
        // (statfs of that filesystem), since a nearly empty pool with little room left still looks "free".
        alert: 'DockerDevicemapperLoopFilesystemFull',
        expr: `${LOOP_FILESYSTEM_FREE}\n< %(thinPoolLoopFilesystemRatio)s`,
        for: '5m',
        severity: 'critical',
        summary: 'The filesystem holding the devicemapper loop file is nearly full; writes in containers fail with I/O errors when it is.',
        description:
          '{{ $labels.instance }} keeps its thin pool in a sparse loop file on a filesystem with {{ $value | humanizePercentage }} free: when it fills, every write to the pool fails.',
        runbook: 'dockerdevicemapperloopfilesystemfull',
      },
      {
        // Two ways to run out within a day: free blocks reaching the minimum (dockerd refuses), or, on
        // loop-lvm, the loop file's filesystem filling.
        alert: 'DockerDevicemapperDataSpaceFillingUp',
        // "Will run out", not "has run out": a pool already below its minimum (or a loop filesystem already
        // nearly full) pages by its own alert, not twice.
        expr: `(\n  predict_linear(docker_devicemapper_data_space_free_bytes{%(selector)s}[6h], 24 * 3600)\n    < on (%(hostLabels)s) docker_devicemapper_thin_pool_minimum_free_space_bytes{%(selector)s}\n  and on (%(hostLabels)s)\n${reachableShare('data', '  ')}\n  < %(thinPoolFillingUpRatio)s\n  unless on (%(hostLabels)s)\n  docker_devicemapper_data_space_free_bytes{%(selector)s} < on (%(hostLabels)s) docker_devicemapper_thin_pool_minimum_free_space_bytes{%(selector)s}\n)\nor on (%(hostLabels)s)\n(\n  predict_linear(docker_devicemapper_loop_filesystem_free_bytes{%(selector)s}[6h], 24 * 3600) < 0\n  and on (%(hostLabels)s)\n  ${LOOP_FILESYSTEM_FREE}\n  < %(thinPoolFillingUpRatio)s\n  unless on (%(hostLabels)s)\n  ${LOOP_FILESYSTEM_FREE}\n  < %(thinPoolLoopFilesystemRatio)s\n)`,
        for: '1h',
        severity: 'warning',
        summary: 'The devicemapper thin pool will run out of data space within a day.',
        description:
          '{{ $labels.instance }}: at the rate of the last 6 hours, its thin pool reaches the minimum free space (or, on loop-lvm, fills the filesystem holding the loop file) within 24 hours.',
        runbook: 'dockerdevicemapperdataspacefillingup',
      },
      {
        // The kernel's own word (dmsetup status): a pool out of data space queues or fails every write;
        // a read-only or failed pool, or one flagged needs_check, has already lost writes.
        alert: 'DockerDevicemapperPoolNotWritable',
        expr: '(docker_devicemapper_pool_mode{%(selectorAnd)smode!="rw"} == 1) or on (%(hostLabels)s) (docker_devicemapper_pool_needs_check{%(selector)s} == 1)',
        for: '1m',
        severity: 'critical',
        summary: 'The devicemapper thin pool is not writable; writes in every container fail or hang.',
        description:
          '{{ $labels.instance }}: the kernel reports its thin pool as {{ with $labels.mode }}{{ . }}{{ else }}needing thin_check{{ end }}: every container on it is affected.',
        runbook: 'dockerdevicemapperpoolnotwritable',
      },
      {
        alert: 'DockerDevicemapperMetadataSpaceLow',
        expr: `${reachableShare('metadata')}\n< %(thinPoolAvailableRatio)s`,
        for: '15m',
        severity: 'warning',
        summary: 'The devicemapper thin pool is running out of metadata space.',
        description:
          '{{ $labels.instance }} has {{ $value | humanizePercentage }} of the metadata space its thin pool can still take free.',
        runbook: 'dockerdevicemappermetadataspacelow',
      },
      {
        // dockerd's refusal for metadata: free metadata below the same share (dm.min_free_space) of its total.
        alert: 'DockerDevicemapperMetadataSpaceExhausted',
        expr: 'docker_devicemapper_metadata_space_free_bytes{%(selector)s} / docker_devicemapper_metadata_space_total_bytes{%(selector)s}\n  < on (%(hostLabels)s)\ndocker_devicemapper_thin_pool_minimum_free_space_bytes{%(selector)s} / docker_devicemapper_data_space_total_bytes{%(selector)s}',
        for: '5m',
        severity: 'critical',
        summary: 'The devicemapper thin pool is below its minimum free metadata space; the daemon refuses new containers.',
        description:
          "{{ $labels.instance }} has {{ $value | humanizePercentage }} of its thin pool metadata space free, below the pool's minimum free share: the daemon refuses to create containers and images.",
        runbook: 'dockerdevicemappermetadataspaceexhausted',
      },
    ],
  },
  {
    name: 'docker-data-root',
    rules: [
      {
        alert: 'DockerDataRootOrphanedData',
        // One alert per host: the figures by driver and reason are in the metric and on the dashboards.
        expr: 'sum by (%(hostLabels)s) (docker_data_root_orphaned_bytes{%(selector)s}) > %(orphanedBytes)s',
        for: '1h',
        severity: 'warning',
        summary: 'The Docker data root holds data that no image or container uses.',
        description:
          "{{ $labels.instance }} holds {{ $value | humanize1024 }}B in its data root that no image or container of the driver in use needs (another driver's data, containers of another driver, unreferenced layers, what another --userns-remap setting left): `docker-daemon-exporter reclaim` gives back all but the leaked layers and the volumes an earlier --userns-remap setting kept; the runbook says what to do with those.",
        runbook: 'dockerdatarootorphaneddata',
      },
      {
        alert: 'DockerDataRootScanStale',
        expr: '(time() - docker_data_root_scan_timestamp_seconds{%(selector)s} > %(scanStaleSeconds)s) or (docker_data_root_scan_success{%(selector)s} == 0)',
        for: '30m',
        severity: 'warning',
        summary: "The exporter's data-root figures are stale or missing.",
        description:
          'The exporter on {{ $labels.instance }} has not completed a readable scan of the Docker data root for more than two hours; the data-root and orphaned-data figures are old or absent.',
        runbook: 'dockerdatarootscanstale',
      },
    ],
  },
  {
    name: 'docker-network',
    rules: [
      {
        alert: 'DockerHostNetworkContainers',
        expr: 'sum by (%(hostLabels)s) (docker_containers{%(selectorAnd)snetwork_mode="host",state="running"}) > 0',
        for: '30m',
        severity: 'info',
        summary: 'Containers run in host network mode, which is no longer recommended.',
        description:
          '{{ $value }} running {{ if eq $value 1.0 }}container{{ else }}containers{{ end }} on {{ $labels.instance }} {{ if eq $value 1.0 }}uses{{ else }}use{{ end }} host networking ({{ range $i, $s := query (printf "docker_container_host_network_info{instance=%q,job=%q,state=\\"running\\"}" $labels.instance $labels.job) | sortByLabel "name" }}{{ if lt $i 5 }}{{ if $i }}, {{ end }}{{ $s.Labels.name }} ({{ $s.Labels.image }}){{ end }}{{ end }}{{ if gt $value 5.0 }}, …{{ end }}); re-create them on a bridge network.',
        runbook: 'dockerhostnetworkcontainers',
      },
    ],
  },
  {
    name: 'docker-containers',
    rules: [
      {
        alert: 'DockerContainersUnhealthy',
        expr: 'sum by (%(hostLabels)s) (docker_containers_health{%(selectorAnd)sstatus="unhealthy"}) > 0',
        for: '10m',
        severity: 'warning',
        summary: 'Containers fail their health checks.',
        description:
          '{{ $value }} running {{ if eq $value 1.0 }}container{{ else }}containers{{ end }} on {{ $labels.instance }} {{ if eq $value 1.0 }}has{{ else }}have{{ end }} failed {{ if eq $value 1.0 }}its{{ else }}their{{ end }} health check for 10 minutes ({{ range $i, $s := query (printf "docker_container_unhealthy_info{instance=%q,job=%q}" $labels.instance $labels.job) | sortByLabel "name" }}{{ if lt $i 5 }}{{ if $i }}, {{ end }}{{ $s.Labels.name }} ({{ $s.Labels.image }}){{ end }}{{ end }}{{ if gt $value 5.0 }}, …{{ end }}); docker inspect shows the last checks\' output.',
        runbook: 'dockercontainersunhealthy',
      },
      {
        alert: 'DockerContainerRestartLoop',
        expr: 'round(increase(docker_container_restarts_total{%(selector)s}[15m])) > %(containerRestarts15m)s',
        for: '5m',
        severity: 'warning',
        summary: 'A container restarts over and over.',
        description:
          'Container {{ $labels.name }} on {{ $labels.instance }} restarted {{ $value }} times in the last 15 minutes: it exits soon after each start, and its restart policy starts it again; docker logs {{ $labels.name }} shows why it exits.',
        runbook: 'dockercontainerrestartloop',
      },
      {
        alert: 'DockerContainerOOMKilled',
        expr: 'round(increase(docker_containers_oom_kills_total{%(selector)s}[15m])) > 0',
        for: '0m',
        severity: 'warning',
        summary: 'The kernel killed a container process for want of memory.',
        description:
          '{{ $value }} OOM {{ if eq $value 1.0 }}kill{{ else }}kills{{ end }} on {{ $labels.instance }} in the last 15 minutes (killed since the exporter started: {{ range $i, $s := query (printf "docker_container_oom_killed_info{instance=%q,job=%q}" $labels.instance $labels.job) }}{{ if lt $i 5 }}{{ if $i }}, {{ end }}{{ $s.Labels.name }} ({{ $s.Labels.image }}){{ end }}{{ end }}): a process hit the container\'s memory limit, or the host ran out.',
        runbook: 'dockercontaineroomkilled',
      },
    ],
  },
];
