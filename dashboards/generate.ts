// Generates the Grafana dashboards in this folder (npm run dashboards). One
// builder keeps every panel alike: a unit, a description, the $datasource,
// and $job/$instance in every query.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { THRESHOLDS } from '../src/upgrade/thresholds';

type Json = Record<string, unknown>;

export const SEL = 'job=~"$job",instance=~"$instance"';
const DS = { type: 'prometheus', uid: '${datasource}' };

interface Target {
  expr: string;
  legend?: string;
  instant?: boolean;
  table?: boolean;
}

interface PanelSpec {
  title: string;
  description: string;
  type: 'stat' | 'timeseries' | 'table' | 'bargauge' | 'piechart';
  unit: string;
  targets: Target[];
  w: number;
  h: number;
  thresholds?: { value: number | null; color: string }[];
  max?: number;
  transformations?: Json[];
  overrides?: Json[];
  stacking?: boolean;
  /** What a stat shows: its value, or the series' name (a label rendered by the legend) for info metrics. */
  textMode?: 'auto' | 'value' | 'name';
  /** Words for values, such as up/down for 1/0. */
  mappings?: Json[];
}

/** A value mapping that shows words (and colours) for the values of a 0/1 gauge. */
function booleanMapping(zero: string, one: string, zeroColor = 'red', oneColor = 'green'): Json[] {
  return [{ type: 'value', options: { '0': { text: zero, color: zeroColor, index: 0 }, '1': { text: one, color: oneColor, index: 1 } } }];
}

function panel(spec: PanelSpec, id: number, x: number, y: number): Json {
  const fieldDefaults: Json = {
    unit: spec.unit,
    thresholds: { mode: 'absolute', steps: spec.thresholds ?? [{ value: null, color: 'green' }] },
    color: { mode: spec.thresholds ? 'thresholds' : spec.type === 'timeseries' ? 'palette-classic' : 'thresholds' },
  };
  if (spec.max !== undefined) fieldDefaults['max'] = spec.max;
  if (spec.mappings) fieldDefaults['mappings'] = spec.mappings;
  if (spec.type === 'timeseries') {
    fieldDefaults['custom'] = {
      drawStyle: 'line',
      lineWidth: 1,
      fillOpacity: spec.stacking ? 30 : 0,
      stacking: { mode: spec.stacking ? 'normal' : 'none', group: 'A' },
      showPoints: 'never',
    };
  }
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    datasource: DS,
    gridPos: { x, y, w: spec.w, h: spec.h },
    fieldConfig: { defaults: fieldDefaults, overrides: spec.overrides ?? [] },
    options:
      spec.type === 'stat'
        ? {
            reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
            colorMode: 'background',
            graphMode: 'none',
            textMode: spec.textMode ?? 'auto',
          }
        : spec.type === 'timeseries'
          ? {
              legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] },
              tooltip: { mode: 'multi', sort: 'desc' },
            }
          : spec.type === 'bargauge'
            ? {
                displayMode: 'gradient',
                orientation: 'horizontal',
                reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
                showUnfilled: true,
              }
            : spec.type === 'piechart'
              ? {
                  reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
                  legend: { displayMode: 'table', placement: 'right', values: ['value'] },
                  pieType: 'donut',
                }
              : { showHeader: true, cellHeight: 'sm' },
    targets: spec.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      expr: t.expr,
      legendFormat: t.legend ?? '__auto',
      instant: t.instant ?? spec.type !== 'timeseries',
      range: !(t.instant ?? spec.type !== 'timeseries'),
      format: t.table ? 'table' : 'time_series',
    })),
    transformations: spec.transformations ?? [],
  };
}

/** Lays panels out left to right in rows of 24 columns. */
function layout(specs: PanelSpec[]): Json[] {
  const panels: Json[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  specs.forEach((spec, i) => {
    if (x + spec.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    panels.push(panel(spec, i + 1, x, y));
    x += spec.w;
    rowHeight = Math.max(rowHeight, spec.h);
  });
  return panels;
}

function variables(instanceMulti: boolean): Json {
  const query = (name: string, q: string, multi: boolean) => ({
    name,
    label: name,
    type: 'query',
    datasource: DS,
    definition: q,
    query: { query: q, refId: `${name}-variable` },
    refresh: 2,
    sort: 1,
    includeAll: multi,
    multi,
    ...(multi ? { allValue: '.+' } : {}),
    current: {},
  });
  return {
    list: [
      { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
      query('job', 'label_values(docker_up, job)', true),
      query('instance', 'label_values(docker_up{job=~"$job"}, instance)', instanceMulti),
    ],
  };
}

function dashboard(uid: string, title: string, description: string, instanceMulti: boolean, specs: PanelSpec[]): Json {
  return {
    uid,
    title,
    description,
    tags: ['docker', 'docker-daemon-exporter'],
    timezone: 'browser',
    // Provisioned from this file: an edit in Grafana would be lost at the next provisioning (dashboard-linter's uneditable-dashboard).
    editable: false,
    graphTooltip: 1,
    refresh: '1m',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-24h', to: 'now' },
    templating: variables(instanceMulti),
    annotations: { list: [] },
    links: [],
    panels: layout(specs),
  };
}

const deprecated = `(docker_storage_driver_deprecated{${SEL}} == 1)`;
/** Recording rules aggregate by job (the mixin's aggregationLabels): panels on them filter by job only. */
const JOB = 'job=~"$job"';
/** Per-host fleet panels show the worst hosts, not a thousand bars. */
const TOP = 20;
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
// Colours change where the alerts fire: the thresholds are the mixin's (src/upgrade/thresholds.ts).
const USED_THRESHOLDS = [
  { value: null, color: 'green' },
  { value: Number((1 - THRESHOLDS.thinPoolFillingUpRatio).toFixed(6)), color: 'orange' },
  { value: Number((1 - THRESHOLDS.thinPoolAvailableRatio).toFixed(6)), color: 'red' },
];
const ORPHAN_THRESHOLDS = [
  { value: null, color: 'green' },
  { value: THRESHOLDS.orphanedBytes, color: 'orange' },
];
const SCAN_AGE_THRESHOLDS = [
  { value: null, color: 'green' },
  { value: THRESHOLDS.scanStaleSeconds, color: 'orange' },
];
const RED_FROM_1 = [
  { value: null, color: 'green' },
  { value: 1, color: 'red' },
];
const ORANGE_FROM_1 = [
  { value: null, color: 'green' },
  { value: 1, color: 'orange' },
];
/** A stat counting hosts from a recording rule, 0 rather than "No data" when none is counted. */
function countStat(title: string, description: string, record: string, thresholds: PanelSpec['thresholds']): PanelSpec {
  return {
    title,
    description,
    type: 'stat',
    unit: 'none',
    w: 4,
    h: 4,
    ...(thresholds && thresholds.length ? { thresholds } : {}),
    targets: [{ expr: `sum(${record}{${JOB}}) or vector(0)` }],
  };
}
const mergeTable = (rename: Record<string, string>, exclude: string[] = []) => [
  { id: 'merge', options: {} },
  { id: 'organize', options: { excludeByName: Object.fromEntries(['Time', ...exclude].map((k) => [k, true])), renameByName: rename } },
];

export function fleet(): Json {
  return dashboard(
    'dde-fleet',
    'Docker daemons: fleet',
    'Every Docker host: storage drivers and the migration off deprecated ones, devicemapper thin pools, orphaned data, host networking, exporter health. Counts and totals read the recording rules of alerts/docker-daemon-exporter.recording.yml (load them with the alerts): they cover every host of the selected jobs.',
    true,
    [
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
          'Bytes in data roots that nothing uses, summed over the selected jobs (docker:data_root_orphaned_bytes:sum). `reclaim` gives it back.',
        type: 'stat',
        unit: 'bytes',
        w: 4,
        h: 4,
        thresholds: ORPHAN_THRESHOLDS,
        targets: [{ expr: `sum(docker:data_root_orphaned_bytes:sum{${JOB}}) or vector(0)` }],
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
            expr: `sum by (target_version, outcome) (docker:hosts_by_outcome:count{${JOB},restart="false"})`,
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
        targets: [{ expr: `sum by (reason) (docker:hosts_by_blocker:count{${JOB}})`, legend: '{{reason}}' }],
      },
      {
        title: 'Hosts per storage driver',
        description: 'How many hosts use each storage driver (docker:hosts_by_driver:count).',
        type: 'piechart',
        unit: 'none',
        w: 8,
        h: 8,
        targets: [{ expr: `sum by (driver) (docker:hosts_by_driver:count{${JOB}})`, legend: '{{driver}}' }],
      },
      {
        title: 'Storage drivers over time',
        description: 'Hosts per storage driver over time: the migration to overlay2 as it happens (docker:hosts_by_driver:count).',
        type: 'timeseries',
        unit: 'none',
        w: 12,
        h: 8,
        stacking: true,
        targets: [{ expr: `sum by (driver) (docker:hosts_by_driver:count{${JOB}})`, legend: '{{driver}}' }],
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
            expr: `sum by (target_version) (docker:hosts_by_outcome:count{${JOB},restart="false",outcome=~"refuses_to_start|fails_to_start|starts_without_containers"})`,
            legend: 'Docker {{target_version}}',
          },
          { expr: `sum(docker:hosts_daemon_down:count{${JOB}})`, legend: 'daemon down' },
          { expr: `sum(docker:hosts_exporter_down:count{${JOB}})`, legend: 'exporter down' },
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
        targets: [{ expr: `sum(sum by (instance, job) (docker_containers{${SEL}}) and on (instance, job) ${deprecated}) or vector(0)` }],
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
          { expr: `sum by (instance, job) (docker_containers{${SEL}}) and on (instance, job) ${deprecated}`, table: true },
          { expr: `docker_images{${SEL}} and on (instance, job) ${deprecated}`, table: true },
          {
            expr: `max by (instance, job, source) (docker_storage_driver_explicit{${SEL}}) and on (instance, job) ${deprecated}`,
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
      {
        title: 'Thin pool data space used: fullest hosts',
        description: `devicemapper hosts, the ${TOP} fullest: share of the thin pool data space in use (docker:devicemapper_data_space_available:ratio). Orange from ${pct(1 - THRESHOLDS.thinPoolFillingUpRatio)} (DockerDevicemapperDataSpaceFillingUp watches the trend), red from ${pct(1 - THRESHOLDS.thinPoolAvailableRatio)} (DockerDevicemapperDataSpaceLow).`,
        type: 'bargauge',
        unit: 'percentunit',
        w: 12,
        h: 8,
        max: 1,
        thresholds: USED_THRESHOLDS,
        targets: [{ expr: `topk(${TOP}, 1 - docker:devicemapper_data_space_available:ratio{${SEL}})`, legend: '{{instance}}' }],
      },
      {
        title: 'Thin pool metadata space used: fullest hosts',
        description: `devicemapper hosts, the ${TOP} fullest: share of the thin pool metadata space in use (docker:devicemapper_metadata_space_available:ratio). Red from ${pct(1 - THRESHOLDS.thinPoolAvailableRatio)} (DockerDevicemapperMetadataSpaceLow).`,
        type: 'bargauge',
        unit: 'percentunit',
        w: 12,
        h: 8,
        max: 1,
        thresholds: USED_THRESHOLDS,
        targets: [{ expr: `topk(${TOP}, 1 - docker:devicemapper_metadata_space_available:ratio{${SEL}})`, legend: '{{instance}}' }],
      },
      {
        title: 'Orphaned data: largest hosts',
        description: `The ${TOP} hosts with the most bytes in the data root that nothing uses (docker:data_root_orphaned_bytes:sum_by_host), from the last background scan; orange above ${THRESHOLDS.orphanedBytes / 1e9} GB (DockerDataRootOrphanedData).`,
        type: 'bargauge',
        unit: 'bytes',
        w: 12,
        h: 8,
        thresholds: ORPHAN_THRESHOLDS,
        targets: [{ expr: `topk(${TOP}, docker:data_root_orphaned_bytes:sum_by_host{${SEL}} > 0)`, legend: '{{instance}}' }],
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
          { expr: `docker:data_root_orphaned_bytes:sum_by_host{${SEL}} > 0`, table: true },
          {
            expr: `docker_data_root_filesystem_free_bytes{${SEL}} and on (instance, job) (docker:data_root_orphaned_bytes:sum_by_host{${SEL}} > 0)`,
            table: true,
          },
          {
            expr: `docker_data_root_filesystem_size_bytes{${SEL}} and on (instance, job) (docker:data_root_orphaned_bytes:sum_by_host{${SEL}} > 0)`,
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
        targets: [{ expr: `docker:containers_host_network:sum_by_host{${SEL}} > 0`, table: true }],
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
        targets: [{ expr: `sum by (instance, job) (docker_containers_health{${SEL},status="unhealthy"}) > 0`, table: true }],
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
        targets: [{ expr: `sum by (network_mode) (docker:containers:sum{${JOB}})`, legend: '{{network_mode}}' }],
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
        description: `Time since the last complete data-root scan, the ${TOP} stalest hosts; orange after ${THRESHOLDS.scanStaleSeconds / 3600} hours (DockerDataRootScanStale).`,
        type: 'bargauge',
        unit: 's',
        w: 12,
        h: 8,
        thresholds: SCAN_AGE_THRESHOLDS,
        targets: [{ expr: `topk(${TOP}, time() - docker_data_root_scan_timestamp_seconds{${SEL}})`, legend: '{{instance}}' }],
      },
    ],
  );
}

export function host(): Json {
  return dashboard(
    'dde-host',
    'Docker daemon: host',
    'One Docker host over time: daemon, storage driver, thin pool, data root, containers and the exporter itself.',
    false,
    [
      {
        title: 'Daemon up',
        description: 'Whether the daemon answered the last scrape (docker_up: 1 up, 0 down).',
        type: 'stat',
        unit: 'none',
        w: 4,
        h: 4,
        mappings: booleanMapping('down', 'up'),
        thresholds: [
          { value: null, color: 'red' },
          { value: 1, color: 'green' },
        ],
        targets: [{ expr: `docker_up{${SEL}}` }],
      },
      {
        title: 'Storage driver',
        description: 'The storage driver and its backing filesystem (the labels of docker_storage_driver_info, shown as text).',
        type: 'stat',
        unit: 'none',
        w: 5,
        h: 4,
        textMode: 'name',
        targets: [{ expr: `docker_storage_driver_info{${SEL}}`, legend: '{{driver}} on {{backing_filesystem}}' }],
      },
      {
        title: 'Removed in Engine',
        description: 'The Docker Engine major version that removes the storage driver in use (absent for supported drivers).',
        type: 'stat',
        unit: 'none',
        w: 5,
        h: 4,
        thresholds: [{ value: null, color: 'orange' }],
        targets: [{ expr: `docker_storage_driver_removal_version{${SEL}}`, legend: '{{driver}}' }],
      },
      {
        title: 'Driver explicitly configured',
        description:
          '1 when the storage driver is set by flag, daemon.json or DOCKER_DRIVER; 0 when the daemon picked it (Docker 23+ will not start on a deprecated driver picked so).',
        type: 'stat',
        unit: 'none',
        w: 5,
        h: 4,
        thresholds: [
          { value: null, color: 'red' },
          { value: 1, color: 'green' },
        ],
        mappings: booleanMapping('not explicit', 'explicit'),
        targets: [{ expr: `docker_storage_driver_explicit{${SEL}}`, legend: '{{source}}' }],
      },
      {
        title: 'Engine',
        description: 'Docker Engine version, API version and kernel (docker_engine_info).',
        type: 'table',
        unit: 'none',
        w: 5,
        h: 4,
        targets: [{ expr: `docker_engine_info{${SEL}}`, table: true }],
        transformations: [
          { id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true } } },
        ],
      },
      {
        title: 'Containers by state',
        description: 'Containers by state over time.',
        type: 'timeseries',
        unit: 'none',
        w: 12,
        h: 8,
        stacking: true,
        targets: [{ expr: `sum by (state) (docker_containers{${SEL}})`, legend: '{{state}}' }],
      },
      {
        title: 'Containers by network mode',
        description: 'Containers by network mode over time; host networking is no longer recommended.',
        type: 'timeseries',
        unit: 'none',
        w: 12,
        h: 8,
        stacking: true,
        targets: [{ expr: `sum by (network_mode) (docker_containers{${SEL}})`, legend: '{{network_mode}}' }],
      },
      {
        title: 'Images and volumes',
        description: 'Images (re-created after a driver switch) and volumes (kept).',
        type: 'timeseries',
        unit: 'none',
        w: 12,
        h: 8,
        targets: [
          { expr: `docker_images{${SEL}}`, legend: 'images' },
          { expr: `docker_volumes{${SEL}}`, legend: 'volumes' },
        ],
      },
      {
        title: 'Thin pool data space',
        description: 'devicemapper: data space used, available and the minimum free space below which the daemon refuses new containers.',
        type: 'timeseries',
        unit: 'bytes',
        w: 12,
        h: 8,
        targets: [
          { expr: `docker_devicemapper_data_space_used_bytes{${SEL}}`, legend: 'used' },
          { expr: `docker_devicemapper_data_space_available_bytes{${SEL}}`, legend: 'available' },
          { expr: `docker_devicemapper_thin_pool_minimum_free_space_bytes{${SEL}}`, legend: 'minimum free' },
        ],
      },
      {
        title: 'Thin pool metadata space',
        description: 'devicemapper: metadata space used and available.',
        type: 'timeseries',
        unit: 'bytes',
        w: 12,
        h: 8,
        targets: [
          { expr: `docker_devicemapper_metadata_space_used_bytes{${SEL}}`, legend: 'used' },
          { expr: `docker_devicemapper_metadata_space_available_bytes{${SEL}}`, legend: 'available' },
        ],
      },
      {
        title: 'Data root by directory',
        description: 'Bytes of each top-level entry of the data root, as du -sx counts them, from the background scans.',
        type: 'timeseries',
        unit: 'bytes',
        w: 12,
        h: 8,
        stacking: true,
        targets: [{ expr: `docker_data_root_bytes{${SEL}}`, legend: '{{dir}}' }],
      },
      {
        title: 'Orphaned data',
        description:
          "Bytes nothing uses, by driver and reason, and the filesystem's free space; orange above 1 GB (DockerDataRootOrphanedData).",
        type: 'timeseries',
        unit: 'bytes',
        w: 12,
        h: 8,
        thresholds: ORPHAN_THRESHOLDS,
        targets: [
          { expr: `docker_data_root_orphaned_bytes{${SEL}}`, legend: '{{driver}} {{reason}}' },
          { expr: `docker_data_root_filesystem_free_bytes{${SEL}}`, legend: 'filesystem free' },
        ],
      },
      {
        title: 'Host-network containers',
        description: 'Containers in host network mode.',
        type: 'table',
        unit: 'none',
        w: 12,
        h: 6,
        targets: [{ expr: `docker_container_host_network_info{${SEL}}`, table: true }],
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
      },
      {
        title: 'Containers by health',
        description:
          'Containers by health check status (none: no health check, or not running); unhealthy ones for 10 minutes raise DockerContainersUnhealthy.',
        type: 'timeseries',
        unit: 'none',
        w: 12,
        h: 8,
        stacking: true,
        targets: [{ expr: `docker_containers_health{${SEL}}`, legend: '{{status}}' }],
      },
      {
        title: 'Unhealthy containers',
        description: 'Running containers whose health check fails, by name (docker_container_unhealthy_info).',
        type: 'table',
        unit: 'none',
        w: 12,
        h: 8,
        targets: [{ expr: `docker_container_unhealthy_info{${SEL}}`, table: true }],
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
      },
      {
        title: 'Container restarts',
        description: `Restarts per container (the most restarted, docker_container_restarts_total) and on the whole host; more than ${THRESHOLDS.containerRestarts15m} in 15 minutes raises DockerContainerRestartLoop.`,
        type: 'timeseries',
        unit: 'none',
        w: 12,
        h: 8,
        targets: [
          { expr: `sum by (name) (increase(docker_container_restarts_total{${SEL}}[$__rate_interval]))`, legend: '{{name}}' },
          { expr: `sum(increase(docker_containers_restarts_total{${SEL}}[$__rate_interval]))`, legend: 'all containers' },
        ],
      },
      {
        title: 'OOM kills',
        description:
          'Containers the kernel killed for want of memory since the exporter started, the last killed first (docker_container_oom_killed_info; docker_containers_oom_kills_total counts every kill). Alert: DockerContainerOOMKilled.',
        type: 'table',
        unit: 'none',
        w: 12,
        h: 8,
        targets: [{ expr: `docker_container_oom_killed_info{${SEL}}`, table: true }],
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
      },
      {
        title: 'Daemon warnings',
        description: 'Warnings the daemon reports in docker info.',
        type: 'table',
        unit: 'none',
        w: 12,
        h: 6,
        targets: [{ expr: `docker_daemon_warning_info{${SEL}}`, table: true }],
        transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
      },
      {
        title: 'Collector duration',
        description: "How long each of the exporter's collectors took.",
        type: 'timeseries',
        unit: 's',
        w: 8,
        h: 8,
        targets: [{ expr: `docker_exporter_collector_duration_seconds{${SEL}}`, legend: '{{collector}}' }],
      },
      {
        title: 'Data-root scan',
        description: 'Duration of the last data-root scan and its age; the age turns orange after two hours (DockerDataRootScanStale).',
        type: 'timeseries',
        unit: 's',
        w: 8,
        h: 8,
        thresholds: SCAN_AGE_THRESHOLDS,
        targets: [
          { expr: `docker_data_root_scan_duration_seconds{${SEL}}`, legend: 'duration' },
          { expr: `time() - docker_data_root_scan_timestamp_seconds{${SEL}}`, legend: 'age' },
        ],
      },
      {
        title: 'Unusable values from the daemon',
        description:
          "Values per second in the daemon's answers that the exporter could not use and left out (docker_exporter_parse_errors_total).",
        type: 'timeseries',
        unit: 'ops',
        w: 8,
        h: 8,
        targets: [{ expr: `sum by (field) (rate(docker_exporter_parse_errors_total{${SEL}}[$__rate_interval]))`, legend: '{{field}}' }],
      },
    ],
  );
}

export const DASHBOARDS: Record<string, () => Json> = {
  'docker-fleet.json': fleet,
  'docker-host.json': host,
};

export function render(build: () => Json): string {
  return `${JSON.stringify(build(), null, 2)}\n`;
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '../../dashboards');
  for (const [file, build] of Object.entries(DASHBOARDS)) writeFileSync(path.join(dir, file), render(build));
}
