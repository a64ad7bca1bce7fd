// Generates the Grafana dashboards in this folder (npm run dashboards). One
// builder keeps every panel alike: a unit, a description, the $datasource,
// and $job/$instance in every query.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

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
}

function panel(spec: PanelSpec, id: number, x: number, y: number): Json {
  const fieldDefaults: Json = {
    unit: spec.unit,
    thresholds: { mode: 'absolute', steps: spec.thresholds ?? [{ value: null, color: 'green' }] },
    color: { mode: spec.thresholds ? 'thresholds' : spec.type === 'timeseries' ? 'palette-classic' : 'thresholds' },
  };
  if (spec.max !== undefined) fieldDefaults['max'] = spec.max;
  if (spec.type === 'timeseries') {
    fieldDefaults['custom'] = { drawStyle: 'line', lineWidth: 1, fillOpacity: spec.stacking ? 30 : 0, stacking: { mode: spec.stacking ? 'normal' : 'none', group: 'A' }, showPoints: 'never' };
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
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', textMode: 'auto' }
        : spec.type === 'timeseries'
          ? { legend: { displayMode: 'table', placement: 'right', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } }
          : spec.type === 'bargauge'
            ? { displayMode: 'gradient', orientation: 'horizontal', reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, showUnfilled: true }
            : spec.type === 'piechart'
              ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, legend: { displayMode: 'table', placement: 'right', values: ['value'] }, pieType: 'donut' }
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
    editable: true,
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
// Thresholds that match the alerts (alerts/docker-daemon-exporter.rules.yml).
const USED_THRESHOLDS = [
  { value: null, color: 'green' },
  { value: 0.8, color: 'orange' },
  { value: 0.9, color: 'red' },
];
const ORPHAN_THRESHOLDS = [
  { value: null, color: 'green' },
  { value: 1e9, color: 'orange' },
];
const SCAN_AGE_THRESHOLDS = [
  { value: null, color: 'green' },
  { value: 7200, color: 'orange' },
];
const mergeTable = (rename: Record<string, string>, exclude: string[] = []) => [
  { id: 'merge', options: {} },
  { id: 'organize', options: { excludeByName: Object.fromEntries(['Time', ...exclude].map((k) => [k, true])), renameByName: rename } },
];

export function fleet(): Json {
  return dashboard('dde-fleet', 'Docker daemons: fleet', 'Every Docker host: storage drivers and the migration off deprecated ones, devicemapper thin pools, orphaned data, host networking, exporter health.', true, [
    {
      title: 'Daemons down',
      description: 'Hosts whose Docker daemon does not answer (docker_up 0). Alert: DockerDaemonDown.',
      type: 'stat', unit: 'none', w: 4, h: 4,
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
      targets: [{ expr: `count(docker_up{${SEL}} == 0) or vector(0)` }],
    },
    {
      title: 'Hosts on a deprecated driver',
      description: 'Hosts whose storage driver is deprecated (devicemapper, aufs, legacy overlay): every image and container on them must be re-created. Alert: DockerStorageDriverDeprecated.',
      type: 'stat', unit: 'none', w: 4, h: 4,
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
      targets: [{ expr: `count(${deprecated}) or vector(0)` }],
    },
    {
      title: 'Deprecated and not explicit',
      description: 'Hosts on a deprecated driver that nothing configures: Docker 23+ refuses to start there at the next restart. Alert: DockerStorageDriverNotExplicit (critical).',
      type: 'stat', unit: 'none', w: 4, h: 4,
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
      targets: [{ expr: `count(${deprecated} and on (instance, job) (docker_storage_driver_explicit{${SEL},source="none"} == 0)) or vector(0)` }],
    },
    {
      title: 'Containers to re-create',
      description: 'Containers on hosts with a deprecated storage driver: a driver switch makes them inaccessible; they must be re-created. Volumes are not affected.',
      type: 'stat', unit: 'none', w: 4, h: 4,
      targets: [{ expr: `sum(sum by (instance, job) (docker_containers{${SEL}}) and on (instance, job) ${deprecated}) or vector(0)` }],
    },
    {
      title: 'Hosts blocked for Docker 25, by reason',
      description: 'Hosts with each upgrade blocker (docker_upgrade_blocker): a removed driver, a deprecated driver not explicitly configured, several drivers\' data with none configured, or configuration that cannot be read.',
      type: 'bargauge', unit: 'none', w: 8, h: 8,
      thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
      targets: [{ expr: `sum by (reason) (docker_upgrade_blocker{${SEL}})`, legend: '{{reason}}' }],
    },
    {
      title: 'Hosts per storage driver',
      description: 'How many hosts use each storage driver.',
      type: 'piechart', unit: 'none', w: 8, h: 8,
      targets: [{ expr: `count by (driver) (docker_storage_driver_info{${SEL}})`, legend: '{{driver}}' }],
    },
    {
      title: 'Hosts on deprecated drivers',
      description: 'Each host on a deprecated storage driver: the Engine version that removes it, the containers and images to re-create, and whether the driver is explicitly configured (1) or picked by the daemon (0, will not start on Docker 23+).',
      type: 'table', unit: 'none', w: 16, h: 8,
      targets: [
        { expr: `docker_storage_driver_removal_version{${SEL}}`, table: true },
        { expr: `sum by (instance, job) (docker_containers{${SEL}}) and on (instance, job) ${deprecated}`, table: true },
        { expr: `docker_images{${SEL}} and on (instance, job) ${deprecated}`, table: true },
        { expr: `max by (instance, job, source) (docker_storage_driver_explicit{${SEL}}) and on (instance, job) ${deprecated}`, table: true },
      ],
      transformations: mergeTable({ 'Value #A': 'removed in Engine', 'Value #B': 'containers', 'Value #C': 'images', 'Value #D': 'explicit', source: 'configured by' }, ['__name__']),
    },
    {
      title: 'Thin pool data space used',
      description: 'devicemapper hosts: share of the thin pool data space in use. Orange at 80% (DockerDevicemapperDataSpaceLow); the daemon refuses new containers near 90% (minimum free space, DockerDevicemapperDataSpaceExhausted).',
      type: 'bargauge', unit: 'percentunit', w: 12, h: 8, max: 1, thresholds: USED_THRESHOLDS,
      targets: [{ expr: `1 - docker_devicemapper_data_space_available_bytes{${SEL}} / docker_devicemapper_data_space_total_bytes{${SEL}}`, legend: '{{instance}}' }],
    },
    {
      title: 'Thin pool metadata space used',
      description: 'devicemapper hosts: share of the thin pool metadata space in use. Orange at 80% (DockerDevicemapperMetadataSpaceLow).',
      type: 'bargauge', unit: 'percentunit', w: 12, h: 8, max: 1, thresholds: USED_THRESHOLDS,
      targets: [{ expr: `1 - docker_devicemapper_metadata_space_available_bytes{${SEL}} / docker_devicemapper_metadata_space_total_bytes{${SEL}}`, legend: '{{instance}}' }],
    },
    {
      title: 'Orphaned data by host and reason',
      description: 'Bytes in the data root that nothing uses: another driver\'s data (inactive_driver), containers of another driver (foreign_container), unreferenced layers. From the last background scan; orange above 1 GB (DockerDataRootOrphanedData).',
      type: 'bargauge', unit: 'bytes', w: 12, h: 8, thresholds: ORPHAN_THRESHOLDS,
      targets: [{ expr: `sum by (instance, driver, reason) (docker_data_root_orphaned_bytes{${SEL}})`, legend: '{{instance}} {{driver}} {{reason}}' }],
    },
    {
      title: 'Orphaned data against free space',
      description: 'Per host: orphaned bytes and the free space of the filesystem holding the data root, from the last background scan.',
      type: 'table', unit: 'bytes', w: 12, h: 8,
      targets: [
        { expr: `sum by (instance, job) (docker_data_root_orphaned_bytes{${SEL}})`, table: true },
        { expr: `docker_data_root_filesystem_free_bytes{${SEL}}`, table: true },
        { expr: `docker_data_root_filesystem_size_bytes{${SEL}}`, table: true },
      ],
      transformations: mergeTable({ 'Value #A': 'orphaned', 'Value #B': 'free', 'Value #C': 'filesystem size' }, ['__name__']),
    },
    {
      title: 'Host-network containers',
      description: 'Containers in host network mode, no longer recommended: re-create them on a bridge network. Alert: DockerHostNetworkContainers.',
      type: 'table', unit: 'none', w: 12, h: 8,
      targets: [{ expr: `docker_container_host_network_info{${SEL}}`, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } }],
    },
    {
      title: 'Containers by network mode',
      description: 'Containers across the fleet by network mode (bridge, host, none, container, custom).',
      type: 'bargauge', unit: 'none', w: 12, h: 8,
      targets: [{ expr: `sum by (network_mode) (docker_containers{${SEL}})`, legend: '{{network_mode}}' }],
    },
    {
      title: 'Exporter collectors failing',
      description: 'Collectors that failed in the last collection, per host (docker_exporter_collector_success 0). Alert: DockerExporterCollectorFailing.',
      type: 'table', unit: 'none', w: 12, h: 8,
      targets: [{ expr: `docker_exporter_collector_success{${SEL}} == 0`, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, __name__: true } } }],
    },
    {
      title: 'Age of the data-root figures',
      description: 'Time since the last complete data-root scan per host; orange after two hours (DockerDataRootScanStale).',
      type: 'bargauge', unit: 's', w: 12, h: 8, thresholds: SCAN_AGE_THRESHOLDS,
      targets: [{ expr: `time() - docker_data_root_scan_timestamp_seconds{${SEL}}`, legend: '{{instance}}' }],
    },
  ]);
}

export function host(): Json {
  return dashboard('dde-host', 'Docker daemon: host', 'One Docker host over time: daemon, storage driver, thin pool, data root, containers and the exporter itself.', false, [
    {
      title: 'Daemon up',
      description: '1 when the daemon answered the last scrape (docker_up).',
      type: 'stat', unit: 'none', w: 4, h: 4,
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      targets: [{ expr: `docker_up{${SEL}}` }],
    },
    {
      title: 'Storage driver',
      description: 'The storage driver and its backing filesystem.',
      type: 'stat', unit: 'none', w: 5, h: 4,
      targets: [{ expr: `docker_storage_driver_info{${SEL}}`, legend: '{{driver}} on {{backing_filesystem}}' }],
    },
    {
      title: 'Removed in Engine',
      description: 'The Docker Engine major version that removes the storage driver in use (absent for supported drivers).',
      type: 'stat', unit: 'none', w: 5, h: 4,
      thresholds: [{ value: null, color: 'orange' }],
      targets: [{ expr: `docker_storage_driver_removal_version{${SEL}}`, legend: '{{driver}}' }],
    },
    {
      title: 'Driver explicitly configured',
      description: '1 when the storage driver is set by flag, daemon.json or DOCKER_DRIVER; 0 when the daemon picked it (Docker 23+ will not start on a deprecated driver picked so).',
      type: 'stat', unit: 'none', w: 5, h: 4,
      thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
      targets: [{ expr: `docker_storage_driver_explicit{${SEL}}`, legend: '{{source}}' }],
    },
    {
      title: 'Engine',
      description: 'Docker Engine version, API version and kernel (docker_engine_info).',
      type: 'table', unit: 'none', w: 5, h: 4,
      targets: [{ expr: `docker_engine_info{${SEL}}`, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true } } }],
    },
    {
      title: 'Containers by state',
      description: 'Containers by state over time.',
      type: 'timeseries', unit: 'none', w: 12, h: 8, stacking: true,
      targets: [{ expr: `sum by (state) (docker_containers{${SEL}})`, legend: '{{state}}' }],
    },
    {
      title: 'Containers by network mode',
      description: 'Containers by network mode over time; host networking is no longer recommended.',
      type: 'timeseries', unit: 'none', w: 12, h: 8, stacking: true,
      targets: [{ expr: `sum by (network_mode) (docker_containers{${SEL}})`, legend: '{{network_mode}}' }],
    },
    {
      title: 'Images and volumes',
      description: 'Images (re-created after a driver switch) and volumes (kept).',
      type: 'timeseries', unit: 'none', w: 12, h: 8,
      targets: [
        { expr: `docker_images{${SEL}}`, legend: 'images' },
        { expr: `docker_volumes{${SEL}}`, legend: 'volumes' },
      ],
    },
    {
      title: 'Thin pool data space',
      description: 'devicemapper: data space used, available and the minimum free space below which the daemon refuses new containers.',
      type: 'timeseries', unit: 'bytes', w: 12, h: 8,
      targets: [
        { expr: `docker_devicemapper_data_space_used_bytes{${SEL}}`, legend: 'used' },
        { expr: `docker_devicemapper_data_space_available_bytes{${SEL}}`, legend: 'available' },
        { expr: `docker_devicemapper_thin_pool_minimum_free_space_bytes{${SEL}}`, legend: 'minimum free' },
      ],
    },
    {
      title: 'Thin pool metadata space',
      description: 'devicemapper: metadata space used and available.',
      type: 'timeseries', unit: 'bytes', w: 12, h: 8,
      targets: [
        { expr: `docker_devicemapper_metadata_space_used_bytes{${SEL}}`, legend: 'used' },
        { expr: `docker_devicemapper_metadata_space_available_bytes{${SEL}}`, legend: 'available' },
      ],
    },
    {
      title: 'Data root by directory',
      description: 'Bytes of each top-level entry of the data root, as du -sx counts them, from the background scans.',
      type: 'timeseries', unit: 'bytes', w: 12, h: 8, stacking: true,
      targets: [{ expr: `docker_data_root_bytes{${SEL}}`, legend: '{{dir}}' }],
    },
    {
      title: 'Orphaned data',
      description: 'Bytes nothing uses, by driver and reason, and the filesystem\'s free space; orange above 1 GB (DockerDataRootOrphanedData).',
      type: 'timeseries', unit: 'bytes', w: 12, h: 8, thresholds: ORPHAN_THRESHOLDS,
      targets: [
        { expr: `docker_data_root_orphaned_bytes{${SEL}}`, legend: '{{driver}} {{reason}}' },
        { expr: `docker_data_root_filesystem_free_bytes{${SEL}}`, legend: 'filesystem free' },
      ],
    },
    {
      title: 'Host-network containers',
      description: 'Containers in host network mode.',
      type: 'table', unit: 'none', w: 12, h: 6,
      targets: [{ expr: `docker_container_host_network_info{${SEL}}`, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
    },
    {
      title: 'Daemon warnings',
      description: 'Warnings the daemon reports in docker info.',
      type: 'table', unit: 'none', w: 12, h: 6,
      targets: [{ expr: `docker_daemon_warning_info{${SEL}}`, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true } } }],
    },
    {
      title: 'Collector duration',
      description: 'How long each of the exporter\'s collectors took.',
      type: 'timeseries', unit: 's', w: 8, h: 8,
      targets: [{ expr: `docker_exporter_collector_duration_seconds{${SEL}}`, legend: '{{collector}}' }],
    },
    {
      title: 'Data-root scan',
      description: 'Duration of the last data-root scan and its age; the age turns orange after two hours (DockerDataRootScanStale).',
      type: 'timeseries', unit: 's', w: 8, h: 8, thresholds: SCAN_AGE_THRESHOLDS,
      targets: [
        { expr: `docker_data_root_scan_duration_seconds{${SEL}}`, legend: 'duration' },
        { expr: `time() - docker_data_root_scan_timestamp_seconds{${SEL}}`, legend: 'age' },
      ],
    },
    {
      title: 'Unusable values from the daemon',
      description: 'Values per second in the daemon\'s answers that the exporter could not use and left out (docker_exporter_parse_errors_total).',
      type: 'timeseries', unit: 'ops', w: 8, h: 8,
      targets: [{ expr: `sum by (field) (rate(docker_exporter_parse_errors_total{${SEL}}[$__rate_interval]))`, legend: '{{field}}' }],
    },
  ]);
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
