import { formatBytes } from '../util/formatBytes';
import { Named, Report } from './report';

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

/** The report for a person at a terminal. */
export function renderReport(report: Report, style: TextStyle): string {
  const out: string[] = [];
  const head = (title: string) => out.push('', style.bold(title));
  const d = report.daemon;
  head('Daemon');
  out.push(
    d.reachable
      ? `  ${d.engine === 'podman' ? 'Podman' : 'Docker'} ${d.version ?? '?'} (API ${d.api_version ?? '?'}), data root ${d.data_root ?? '?'}`
      : `  ${style.red('not reachable')}${d.reason ? `: ${d.reason}${d.error ? ` (${d.error})` : ''}` : ''}`,
  );

  const driver = report.storage_driver;
  if (driver) {
    head('Storage driver');
    const status =
      driver.status === 'deprecated'
        ? style.yellow(`deprecated since ${driver.deprecated_in}, removed in Docker Engine ${driver.removed_in_major}`)
        : style.green('supported');
    out.push(`  ${driver.name} on ${driver.backing_filesystem ?? 'unknown filesystem'}: ${status}`);
    const e = driver.explicit;
    if (d.engine !== 'podman')
      out.push(
        e.known
          ? e.configured
            ? `  explicitly configured (${e.source === 'config_file' ? 'daemon.json' : e.source === 'env' ? 'DOCKER_DRIVER' : '--storage-driver'})`
            : `  ${driver.status === 'deprecated' ? style.red('not explicitly configured') : 'not explicitly configured'}: the daemon picked it`
          : `  ${style.yellow('explicit configuration unknown')}: ${e.reason}`,
      );
  }
  const pool = report.thin_pool;
  if (pool) {
    head('devicemapper thin pool');
    out.push(
      `  data:     ${size(pool.data_used_bytes)} used of ${size(pool.data_total_bytes)}, ${size(pool.data_available_bytes)} available (${percent(pool.data_available_bytes, pool.data_total_bytes)})`,
    );
    out.push(
      `  metadata: ${size(pool.metadata_used_bytes)} used of ${size(pool.metadata_total_bytes)}, ${size(pool.metadata_available_bytes)} available (${percent(pool.metadata_available_bytes, pool.metadata_total_bytes)})`,
    );
    out.push(`  minimum free space ${size(pool.minimum_free_bytes)}${pool.loop_lvm ? `; ${style.yellow('loop-lvm')}` : ''}`);
  }
  if (report.daemon_config) {
    head('daemon.json');
    out.push(
      report.daemon_config.valid
        ? `  ${report.daemon_config.file}: the daemon reads it`
        : `  ${report.daemon_config.file}: ${style.red(report.daemon_config.problem ?? 'refused')}`,
    );
  }
  if (report.upgrade.length > 0) {
    head('What the next start does');
    for (const u of report.upgrade) {
      const label = u.restart ? `restart (Docker ${u.target_version})` : `Docker ${u.target_version}`;
      const outcome = u.outcome.replace(/_/g, ' ');
      const coloured = u.outcome === 'starts' ? style.green(outcome) : u.outcome === 'unknown' ? style.yellow(outcome) : style.red(outcome);
      out.push(
        `  ${label.padEnd(22)} ${coloured}${u.image_store ? ` (${u.image_store === 'containerd' ? 'containerd image store' : 'graph driver'})` : ''}`,
      );
      if (u.outcome !== 'starts') out.push(`      ${u.reason}`);
    }
  }
  if (report.recreate.required) {
    head('To re-create after switching the storage driver');
    out.push(...list('containers', report.recreate.containers), ...list('images', report.recreate.images));
  }
  if (report.volumes) {
    if (!report.recreate.required) head('Volumes');
    out.push(`  volumes: ${report.volumes.count} (not affected by a storage driver change)`);
  }

  if (d.reachable) head('Data root');
  if (!d.reachable) {
    // Nothing to say about the data root without the daemon to tell where it is.
  } else if (report.data_root_scan === 'skipped') out.push('  not scanned');
  else if (report.data_root_scan === 'failed') out.push(`  ${style.yellow('could not be read')}`);
  else if (report.orphaned.length === 0 && report.orphaned_unmeasured.length === 0) out.push('  no orphaned data');
  else {
    for (const o of report.orphaned) out.push(`  ${size(o.bytes).padStart(10)}  ${o.driver} (${o.reason})`);
    for (const u of report.orphaned_unmeasured)
      out.push(`  ${'unmeasured'.padStart(10)}  ${u.driver} (inactive_driver: its layers are zfs datasets)`);
  }
  if (report.containerd_root)
    out.push(`  ${size(report.containerd_root.bytes).padStart(10)}  in the root of the external containerd the daemon uses`);

  if (report.host_network_containers.length > 0 || report.host_network_containers_more > 0) {
    head('Host-network containers (no longer recommended)');
    for (const c of report.host_network_containers) out.push(`  - ${c.name} (${c.image}, ${c.state})`);
    if (report.host_network_containers_more > 0) out.push(`  … and ${report.host_network_containers_more} more`);
  }

  const v = report.verdict;
  head('Verdict');
  const label =
    v.status === 'blocked'
      ? style.red('BLOCKED: this host does not survive the upgrade as it is')
      : v.status === 'warning'
        ? style.yellow('WARNINGS: nothing blocks the upgrade, but look at these')
        : v.status === 'unreachable'
          ? style.red('UNKNOWN: the daemon cannot be reached')
          : style.green('OK: nothing blocks the upgrade');
  out.push(`  ${label}`);
  for (const b of v.blockers) out.push(`  ${style.red('✗')} ${b.message}`);
  for (const w of v.warnings) out.push(`  ${style.yellow('!')} ${w.message}`);
  if (v.next_steps.length > 0) {
    head('Next steps');
    v.next_steps.forEach((step, i) => out.push(`  ${i + 1}. ${step}`));
  }
  return `${out.join('\n').replace(/^\n/, '')}\n`;
}
