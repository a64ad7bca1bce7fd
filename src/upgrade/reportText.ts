import { reclaimableItems } from '../scan/reclaimable';
import { formatBytes } from '../util/formatBytes';
import { Named, reachableShare, Report } from './report';

export interface TextStyle {
  bold(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
export const COLOUR: TextStyle = { bold: ansi(1), red: ansi(31), yellow: ansi(33), green: ansi(32) };
export const PLAIN: TextStyle = { bold: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t };

const percent = (part?: number, whole?: number) => (part !== undefined && whole ? `${((part / whole) * 100).toFixed(1)}%` : '?');
const size = (bytes?: number) => (bytes === undefined ? '?' : formatBytes(bytes));

function list(label: string, items: Named | undefined): string[] {
  if (!items) return [`  ${label}: unknown`];
  const lines = [`  ${label}: ${items.count}`];
  for (const name of items.names) lines.push(`    - ${name}`);
  if (items.more > 0) lines.push(`    … and ${items.more} more`);
  return lines;
}

/** The report for a person at a terminal: a section per part of the report, in the order a person reads them. */
export function renderReport(report: Report, style: TextStyle): string {
  const sections = [
    daemonSection(report, style),
    storageDriverSection(report, style),
    thinPoolSection(report, style),
    daemonConfigSection(report, style),
    outcomesSection(report, style),
    recreateAndVolumesSection(report, style),
    dataRootSection(report, style),
    hostNetworkSection(report, style),
    exitedNonZeroSection(report, style),
    verdictSection(report, style),
    nextStepsSection(report, style),
  ];
  const out = sections.flatMap((lines) => lines);
  return `${out.join('\n').replace(/^\n/, '')}\n`;
}

type Lines = string[];

/** A section: a blank line, its title in bold, its lines. */
const section = (style: TextStyle, title: string, lines: Lines): Lines => ['', style.bold(title), ...lines];

function daemonSection({ daemon: d }: Report, style: TextStyle): Lines {
  return section(style, 'Daemon', [
    d.reachable
      ? `  ${d.engine === 'podman' ? 'Podman' : 'Docker'} ${d.version ?? '?'} (API ${d.api_version ?? '?'}), data root ${d.data_root ?? '?'}`
      : `  ${style.red('not reachable')}${d.reason ? `: ${d.reason}${d.error ? ` (${d.error})` : ''}` : ''}`,
  ]);
}

function storageDriverSection(report: Report, style: TextStyle): Lines {
  const driver = report.storage_driver;
  if (!driver) return [];
  const status =
    driver.status === 'deprecated'
      ? style.yellow(`deprecated since ${driver.deprecated_in}, removed in Docker Engine ${driver.removed_in_major}`)
      : style.green('supported');
  const lines = [`  ${driver.name} on ${driver.backing_filesystem ?? 'unknown filesystem'}: ${status}`];
  const e = driver.explicit;
  if (report.daemon.engine !== 'podman') {
    lines.push(
      e.known
        ? e.configured
          ? `  explicitly configured (${e.source === 'config_file' ? 'daemon.json' : e.source === 'env' ? 'DOCKER_DRIVER' : '--storage-driver'})`
          : `  ${driver.status === 'deprecated' ? style.red('not explicitly configured') : 'not explicitly configured'}: the daemon picked it`
        : `  ${style.yellow('explicit configuration unknown')}: ${e.reason}`,
    );
  }
  return section(style, 'Storage driver', lines);
}

/** The share of what the pool can still take that is free, as check's warnings read it ('?' when unknown). */
const share = (available?: number, used?: number) => {
  const s = reachableShare(available, used);
  return s === undefined ? '?' : `${(s * 100).toFixed(1)}%`;
};

function thinPoolSection({ thin_pool: pool }: Report, style: TextStyle): Lines {
  if (!pool) return [];
  return section(style, 'devicemapper thin pool', [
    `  data:     ${size(pool.data_used_bytes)} used of ${size(pool.data_total_bytes)}, ${size(pool.data_available_bytes)} available (${share(pool.data_available_bytes, pool.data_used_bytes)} of what it can take)`,
    `  metadata: ${size(pool.metadata_used_bytes)} used of ${size(pool.metadata_total_bytes)}, ${size(pool.metadata_available_bytes)} available (${share(pool.metadata_available_bytes, pool.metadata_used_bytes)} of what it can take)`,
    `  minimum free space ${size(pool.minimum_free_bytes)}${pool.loop_lvm ? `; ${style.yellow('loop-lvm')}` : ''}`,
    ...(pool.kernel
      ? [
          pool.kernel.read
            ? `  kernel (dmsetup status): ${pool.kernel.mode === 'rw' && !pool.kernel.needs_check ? style.green(pool.kernel.mode ?? '') : style.red(`${pool.kernel.mode ?? ''}${pool.kernel.needs_check ? ', needs_check' : ''}`)}; data ${size(pool.kernel.data_used_bytes)} used of ${size(pool.kernel.data_total_bytes)}, metadata ${size(pool.kernel.metadata_used_bytes)} of ${size(pool.kernel.metadata_total_bytes)}`
            : `  kernel (dmsetup status): not read (${pool.kernel.reason ?? 'unknown'}); the figures above are the daemon's, rounded`,
        ]
      : []),
    ...(pool.loop_filesystem
      ? [
          `  loop file's filesystem: ${size(pool.loop_filesystem.free_bytes)} free of ${size(pool.loop_filesystem.size_bytes)} (${percent(pool.loop_filesystem.free_bytes, pool.loop_filesystem.size_bytes)}; ${pool.loop_filesystem.path})`,
        ]
      : []),
  ]);
}

function daemonConfigSection({ daemon_config: config }: Report, style: TextStyle): Lines {
  if (!config) return [];
  return section(style, 'daemon.json', [
    config.valid ? `  ${config.file}: the daemon reads it` : `  ${config.file}: ${style.red(config.problem ?? 'refused')}`,
  ]);
}

function outcomesSection({ upgrade }: Report, style: TextStyle): Lines {
  if (upgrade.length === 0) return [];
  const lines: Lines = [];
  for (const u of upgrade) {
    const label = u.restart ? `restart (Docker ${u.target_version})` : `Docker ${u.target_version}`;
    const outcome = u.outcome.replace(/_/g, ' ');
    const coloured = u.outcome === 'starts' ? style.green(outcome) : u.outcome === 'unknown' ? style.yellow(outcome) : style.red(outcome);
    const store = u.image_store ? ` (${u.image_store === 'containerd' ? 'containerd image store' : 'graph driver'})` : '';
    lines.push(`  ${label.padEnd(22)} ${coloured}${store}`);
    if (u.outcome !== 'starts') lines.push(`      ${u.reason}`);
  }
  return section(style, 'What the next start does', lines);
}

/** What to make again after a switch; the volumes, which a switch leaves alone, under it (or on their own). */
function recreateAndVolumesSection(report: Report, style: TextStyle): Lines {
  const volumes = report.volumes ? [`  volumes: ${report.volumes.count} (not affected by a storage driver change)`] : [];
  if (report.recreate.required) {
    return [
      ...section(style, 'To re-create after switching the storage driver', [
        ...list('containers', report.recreate.containers),
        ...list('images', report.recreate.images),
      ]),
      ...volumes,
    ];
  }
  return report.volumes ? section(style, 'Volumes', volumes) : [];
}

function dataRootSection(report: Report, style: TextStyle): Lines {
  const lines: Lines = [];
  if (report.daemon.reachable) {
    // Without the daemon there is no telling where the data root is.
    if (report.data_root_scan === 'skipped') lines.push('  not scanned');
    else if (report.data_root_scan === 'failed') lines.push(`  ${style.yellow('could not be read')}`);
    else if (report.orphaned.length === 0 && report.orphaned_unmeasured.length === 0) lines.push('  no orphaned data');
    else {
      for (const o of report.orphaned) lines.push(`  ${size(o.bytes).padStart(10)}  ${o.driver} (${o.reason})`);
      for (const u of report.orphaned_unmeasured)
        lines.push(`  ${'unmeasured'.padStart(10)}  ${u.driver} (inactive_driver: its layers are zfs datasets)`);
    }
  }
  if (report.containerd_root)
    lines.push(`  ${size(report.containerd_root.bytes).padStart(10)}  in the root of the external containerd the daemon uses`);
  const prunable = report.reclaimable.filter((r) => r.count > 0);
  if (prunable.length > 0) {
    lines.push("  Docker's own prune commands give back (reclaim removes none of it):");
    for (const r of prunable) lines.push(`  ${size(r.bytes).padStart(10)}  ${reclaimableText(r)}`);
  }
  return report.daemon.reachable ? section(style, 'Data root', lines) : lines;
}

function reclaimableText(r: Report['reclaimable'][number]): string {
  return `${reclaimableItems(r.kind, r.count)} (${r.command})`;
}

function hostNetworkSection(report: Report, style: TextStyle): Lines {
  if (report.host_network_containers.length === 0 && report.host_network_containers_more === 0) return [];
  const lines = report.host_network_containers.map((c) => `  - ${c.name} (${c.image}, ${c.state})`);
  if (report.host_network_containers_more > 0) lines.push(`  … and ${report.host_network_containers_more} more`);
  return section(style, 'Host-network containers (no longer recommended)', lines);
}

function exitedNonZeroSection(report: Report, style: TextStyle): Lines {
  if (report.exited_nonzero_containers.length === 0 && report.exited_nonzero_containers_more === 0) return [];
  const lines = report.exited_nonzero_containers.map((c) => `  - ${c.name} (${c.image}): exit code ${c.exit_code}`);
  if (report.exited_nonzero_containers_more > 0) lines.push(`  … and ${report.exited_nonzero_containers_more} more`);
  return section(style, 'Stopped containers that exited non-zero (the most recent first)', lines);
}

function verdictSection({ verdict: v }: Report, style: TextStyle): Lines {
  const label =
    v.status === 'blocked'
      ? style.red('BLOCKED: this host does not survive the upgrade as it is')
      : v.status === 'warning'
        ? style.yellow('WARNINGS: nothing blocks the upgrade, but look at these')
        : v.status === 'unreachable'
          ? style.red('UNKNOWN: the daemon cannot be reached')
          : style.green('OK: nothing blocks the upgrade');
  return section(style, 'Verdict', [
    `  ${label}`,
    ...v.blockers.map((b) => `  ${style.red('✗')} ${b.message}`),
    ...v.warnings.map((w) => `  ${style.yellow('!')} ${w.message}`),
  ]);
}

function nextStepsSection({ verdict: v }: Report, style: TextStyle): Lines {
  if (v.next_steps.length === 0) return [];
  return section(
    style,
    'Next steps',
    v.next_steps.map((step, i) => `  ${i + 1}. ${step}`),
  );
}
