import { PRUNE_COMMAND, type ReclaimableKind } from '../scan/reclaimable';
import { EXIT } from '../util/exitCodes';
import { formatBytes } from '../util/formatBytes';
import type { DaemonSnapshot } from '../collector/snapshot';
import type { ScanResult } from '../scan/dataRoot';
import { exitedNonZero, failedExitsFirst, hostNetworkFirst } from '../parse/containers';
import type { ImageStore, Outcome } from './outcome';
import type { Remedies } from './remedies';
import { THRESHOLDS } from './thresholds';
import { deprecationOf } from '../docker/storageDrivers';
import { BlockerReason, upgradeVerdict, UpgradeVerdict } from './verdict';

export type VerdictStatus = 'ok' | 'warning' | 'blocked' | 'unreachable';

const EXIT_CODES: Record<VerdictStatus, number> = EXIT.check;

export interface Named {
  count: number;
  names: string[];
  /** How many were left unnamed by the limit. */
  more: number;
}

export interface Finding {
  reason: string;
  message: string;
}

/** What `check` reports, as one JSON document (schema_version 1). */
export interface Report {
  schema_version: 1;
  daemon: {
    reachable: boolean;
    /** Why not: permission, missing (no socket), refused, timeout, http, …; with the client's message. */
    reason?: string;
    error?: string;
    engine?: string;
    version?: string;
    api_version?: string;
    data_root?: string;
  };
  storage_driver?: {
    name: string;
    status: 'supported' | 'deprecated';
    deprecated_in?: string;
    removed_in_major?: number;
    backing_filesystem?: string;
    explicit: { known: boolean; configured?: boolean; source?: string; reason?: string };
  };
  thin_pool?: {
    data_used_bytes?: number;
    data_total_bytes?: number;
    data_available_bytes?: number;
    /** Total − used: what dockerd compares with minimum_free_bytes. */
    data_free_bytes?: number;
    metadata_used_bytes?: number;
    metadata_total_bytes?: number;
    metadata_available_bytes?: number;
    metadata_free_bytes?: number;
    minimum_free_bytes?: number;
    loop_lvm: boolean;
    /** loop-lvm: the filesystem holding the data loop file (statfs; free as dockerd counts it). */
    loop_filesystem?: { path: string; size_bytes: number; free_bytes: number };
    /** The pool as the kernel reports it (dmsetup status): exact block counts and its mode; or why it could not be read. */
    kernel?: {
      read: boolean;
      reason?: string;
      mode?: string;
      needs_check?: boolean;
      data_used_bytes?: number;
      data_total_bytes?: number;
      metadata_used_bytes?: number;
      metadata_total_bytes?: number;
    };
  };
  recreate: { required: boolean; containers?: Named; images?: Named };
  /** What a plain restart and each target version do, in the daemon's own words; Docker only. */
  /** image_store: where the daemon's images and containers live after that start (absent when it does not start, or cannot be told). */
  upgrade: { target_version: number; restart: boolean; outcome: Outcome; reason: string; image_store?: ImageStore; rules?: string }[];
  /** daemon.json as the running version reads it at its next start. */
  daemon_config?: { file: string; valid: boolean; problem?: string };
  volumes?: { count: number; affected: false };
  data_root_scan: 'complete' | 'failed' | 'skipped';
  orphaned: { driver: string; reason: string; bytes: number }[];
  /** The external containerd's root and its bytes, when the daemon uses one (its images live there on the containerd store). */
  containerd_root?: { bytes: number };
  /** Inactive drivers whose left data cannot be measured from the data root's files (zfs datasets). */
  orphaned_unmeasured: { driver: string; reason: string }[];
  /** What Docker's own prune commands give back, by kind (reclaim removes none of it): information, never a finding. */
  reclaimable: { kind: ReclaimableKind; bytes: number; count: number; command: string }[];
  /** At most --limit host-network containers, running first, then by name. */
  host_network_containers: { name: string; image: string; state: string }[];
  /** Host-network containers beyond --limit. */
  host_network_containers_more: number;
  /** At most --limit stopped containers that exited non-zero, the most recent first: after a migration, what did not come back. */
  exited_nonzero_containers: { name: string; image: string; exit_code: number }[];
  /** Such containers beyond --limit. */
  exited_nonzero_containers_more: number;
  verdict: { status: VerdictStatus; blockers: Finding[]; warnings: Finding[]; next_steps: string[] };
  exit_code: number;
}

export interface ReportInput {
  snapshot: DaemonSnapshot;
  scan?: ScanResult;
  scanSkipped: boolean;
  /** Image names (repo:tag, or a short id), from GET /images/json. */
  images?: string[];
  limit: number;
  /** --docker.host, to name the socket in what to do when the daemon does not answer. */
  dockerHost?: string;
  /** Docker versions to tell the outcome of (--upgrade.target-version); the running one is always told. */
  targets?: readonly number[];
  /** How to change the driver on this host. */
  remedies: Remedies;
}

/** "a, b, c" or "a, b and 3 more". */
function namesAndMore(names: readonly string[], more: number): string {
  return more > 0 ? `${names.join(', ')}${names.length > 0 ? ' and' : ''} ${more} more` : names.join(', ');
}

function named(all: string[], limit: number): Named {
  return { count: all.length, names: all.slice(0, limit), more: Math.max(0, all.length - limit) };
}

const plural = (n: number | string, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const BLOCKER_MESSAGES: Record<
  Exclude<BlockerReason, 'daemon_config_invalid'>,
  (driver: string, removal?: number, prior?: string[]) => string
> = {
  removed_driver: (driver, removal) =>
    `The ${driver} storage driver is removed in Docker Engine ${removal}: every image and container on this host must be re-created on overlay2 before that upgrade.`,
  deprecated_driver_not_explicit: (driver) =>
    `The deprecated ${driver} driver is not explicitly configured: Docker 23 and later refuse to start on this host at the next restart.`,
  several_prior_drivers_not_explicit: (_driver, _removal, prior) =>
    `The data root holds data of several storage drivers (${(prior ?? []).join(', ')}) and none is explicitly configured: dockerd refuses to choose between them and does not start (the outcomes below say at which versions).`,
};

/** What to do when the daemon did not answer, by why it did not. */
function unreachableStep(kind: string | undefined, dockerHost = 'the Docker socket'): string {
  switch (kind) {
    case 'permission':
      return `This user may not use ${dockerHost}: add it to the docker group (usermod -aG docker USER, then log in again), or in the exporter's systemd unit set SupplementaryGroups=docker; run the check again.`;
    case 'missing':
      return `There is no socket at ${dockerHost}: is the daemon running (systemctl status docker)? A rootless daemon listens on $XDG_RUNTIME_DIR/docker.sock: point --docker.host at it.`;
    case 'refused':
      return `Nothing accepts connections at ${dockerHost}: the daemon is stopped or has crashed (systemctl status docker; journalctl -u docker).`;
    case 'tls':
      return `The TLS handshake with ${dockerHost} failed: check that --docker.cert-path (or DOCKER_CERT_PATH) holds the ca.pem that signed the daemon's certificate and a cert.pem and key.pem the daemon's --tlscacert signed, and that the certificate names the host you connect to.`;
    case 'ssh':
      return `The ssh connection to ${dockerHost} failed: check the host key in --docker.ssh-known-hosts (ssh-keyscan, then compare its fingerprint), the key of --docker.ssh-identity or the ssh agent, and that the user may run docker on that host (docker system dial-stdio).`;
    case 'not_woken':
      return `dockerd is stopped and only its socket activator (systemd's docker.socket) holds ${dockerHost}: connecting would have started it, so nothing was asked. Start Docker (systemctl start docker) to check it, or pass --docker.wake-socket-activated.`;
    case 'timeout':
      return `The daemon took the connection at ${dockerHost} but did not answer within --docker.timeout: it hangs or is overloaded (journalctl -u docker); a longer --docker.timeout may help a slow one.`;
    default:
      return 'Make the Docker daemon answer (systemctl status docker; journalctl -u docker), then run the check again.';
  }
}

/**
 * The upgrade-readiness report: every figure comes from the same snapshot,
 * scan and verdict the exporter's metrics come from.
 */
export function buildReport(input: ReportInput): Report {
  const { snapshot, scan } = input;
  const report = reportOfWhatWasSeen(input);
  const info = snapshot.info;
  const verdict = upgradeVerdict(snapshot, scan, input.targets);
  if (!snapshot.up || !info?.driver || !verdict) return unreachableReport(report, snapshot, input.dockerHost);
  const deprecation = snapshot.engine === 'podman' ? undefined : deprecationOf(info.driver);
  const facts: Facts = { input, info, driver: info.driver, deprecation, verdict };
  report.storage_driver = storageDriverSection(snapshot, info, deprecation);
  if (info.thinPool) report.thin_pool = thinPoolSection(info.thinPool, input.snapshot);
  if (deprecation) report.recreate = recreateSection(input);
  const daemonConfig = daemonConfigSection(snapshot, verdict);
  if (daemonConfig) report.daemon_config = daemonConfig;
  addVerdictBlockers(report, facts);
  addOutcomes(report, facts);
  addWarnings(report, facts);
  report.verdict.next_steps.push(...nextSteps(report, facts));
  const { blockers, warnings } = report.verdict;
  report.verdict.status = blockers.length > 0 ? 'blocked' : warnings.length > 0 ? 'warning' : 'ok';
  report.exit_code = EXIT_CODES[report.verdict.status];
  return report;
}

/** What every step reads: the input, the daemon's /info, its driver and whether that is deprecated, and the verdict. */
interface Facts {
  input: ReportInput;
  info: NonNullable<DaemonSnapshot['info']>;
  driver: string;
  deprecation: ReturnType<typeof deprecationOf>;
  verdict: UpgradeVerdict;
}

/** The daemon, the data-root scan and the host-network containers: what holds whether or not the daemon answered. */
function reportOfWhatWasSeen(input: ReportInput): Report {
  const { snapshot, scan, limit } = input;
  const info = snapshot.info;
  const containers = snapshot.containers ?? [];
  const report: Report = {
    schema_version: 1,
    daemon: {
      reachable: snapshot.up,
      engine: snapshot.up ? snapshot.engine : undefined,
      version: info?.serverVersion,
      api_version: snapshot.apiVersion,
      data_root: info?.dockerRootDir,
    },
    recreate: { required: false },
    upgrade: [],
    // Skipped: --no-scan, or no daemon to tell where the data root is.
    data_root_scan: input.scanSkipped || scan === undefined ? 'skipped' : scan.complete ? 'complete' : 'failed',
    orphaned: scan?.complete ? [...scan.orphaned].sort((a, b) => b.bytes - a.bytes) : [],
    orphaned_unmeasured: scan?.complete ? [...scan.unmeasured] : [],
    reclaimable: scan?.complete
      ? [...scan.reclaimable].map(([kind, { bytes, count }]) => ({ kind, bytes, count, command: PRUNE_COMMAND[kind] }))
      : [],
    ...(scan?.complete && scan.containerdRootBytes !== undefined ? { containerd_root: { bytes: scan.containerdRootBytes } } : {}),
    host_network_containers: hostNetworkFirst(containers, limit).map((c) => ({ name: c.name, image: c.image, state: c.state })),
    host_network_containers_more: Math.max(0, containers.filter((c) => c.networkMode === 'host').length - limit),
    exited_nonzero_containers: failedExitsFirst(containers, limit).map((c) => ({
      name: c.name,
      image: c.image,
      exit_code: c.exitCode ?? 0,
    })),
    // Counted, not sorted a second time.
    exited_nonzero_containers_more: Math.max(0, containers.filter(exitedNonZero).length - limit),
    verdict: { status: 'ok', blockers: [], warnings: [], next_steps: [] },
    exit_code: 0,
  };
  if (snapshot.volumes !== undefined) report.volumes = { count: snapshot.volumes, affected: false };
  return report;
}

/** No daemon, or no driver named: why, and what to do about it. */
function unreachableReport(report: Report, snapshot: DaemonSnapshot, dockerHost: string | undefined): Report {
  report.verdict.status = 'unreachable';
  if (snapshot.unreachable) {
    report.daemon.reason = snapshot.unreachable.kind;
    report.daemon.error = snapshot.unreachable.message;
  }
  report.verdict.next_steps.push(unreachableStep(snapshot.unreachable?.kind, dockerHost));
  report.exit_code = EXIT_CODES.unreachable;
  return report;
}

function storageDriverSection(snapshot: DaemonSnapshot, info: Facts['info'], deprecation: Facts['deprecation']): Report['storage_driver'] {
  const explicit = snapshot.storageConfig;
  const unknownReason =
    snapshot.engine === 'podman'
      ? 'not applicable: Podman has no dockerd configuration'
      : explicit?.known === false
        ? explicit.reason
        : 'not collected';
  return {
    name: info.driver ?? '',
    status: deprecation ? 'deprecated' : 'supported',
    deprecated_in: deprecation?.deprecatedIn,
    removed_in_major: deprecation?.removedInMajor,
    backing_filesystem: info.backingFilesystem,
    explicit: explicit?.known
      ? { known: true, configured: explicit.source !== 'none', source: explicit.source }
      : { known: false, reason: unknownReason },
  };
}

function thinPoolSection(
  pool: NonNullable<Facts['info']['thinPool']>,
  { loopFilesystem: loopFs, kernelPool }: DaemonSnapshot,
): Report['thin_pool'] {
  return {
    ...(kernelPool
      ? {
          kernel:
            'error' in kernelPool
              ? { read: false, reason: kernelPool.error }
              : {
                  read: true,
                  mode: kernelPool.mode,
                  needs_check: kernelPool.needsCheck,
                  data_used_bytes: kernelPool.dataUsedBytes,
                  data_total_bytes: kernelPool.dataTotalBytes,
                  metadata_used_bytes: kernelPool.metadataUsedBytes,
                  metadata_total_bytes: kernelPool.metadataTotalBytes,
                },
        }
      : {}),
    ...(loopFs && !('error' in loopFs)
      ? { loop_filesystem: { path: loopFs.path, size_bytes: loopFs.sizeBytes, free_bytes: loopFs.freeBytes } }
      : {}),
    data_used_bytes: pool.dataSpaceUsedBytes,
    data_total_bytes: pool.dataSpaceTotalBytes,
    data_available_bytes: pool.dataSpaceAvailableBytes,
    data_free_bytes: pool.dataSpaceFreeBytes,
    metadata_used_bytes: pool.metadataSpaceUsedBytes,
    metadata_total_bytes: pool.metadataSpaceTotalBytes,
    metadata_available_bytes: pool.metadataSpaceAvailableBytes,
    metadata_free_bytes: pool.metadataSpaceFreeBytes,
    minimum_free_bytes: pool.minimumFreeSpaceBytes,
    loop_lvm: pool.loopLvm,
  };
}

/** A deprecated driver: every container and image must be made again. */
function recreateSection(input: ReportInput): Report['recreate'] {
  const containerNames = (input.snapshot.containers ?? []).map((c) => c.name).sort();
  return {
    required: true,
    containers: named(containerNames, input.limit),
    images: input.images ? named([...input.images].sort(), input.limit) : undefined,
  };
}

/** daemon.json as the running version reads it at its next start, when there is one. */
function daemonConfigSection(snapshot: DaemonSnapshot, verdict: UpgradeVerdict): Report['daemon_config'] {
  const storage = snapshot.storageConfig;
  const configuration = storage?.known ? storage.configuration : storage?.configuration;
  if (!configuration?.daemonJson || verdict.daemonConfigValid === undefined) return undefined;
  const restart = verdict.outcomes.find((o) => o.targetMajor === verdict.runningMajor);
  return {
    file: configuration.daemonJson.file,
    valid: verdict.daemonConfigValid,
    ...(verdict.daemonConfigValid ? {} : { problem: restart?.reason ?? 'unknown' }),
  };
}

/** The verdict's own blockers (the driver, daemon.json) and whether the driver's configuration could be read. */
function addVerdictBlockers(report: Report, { input, driver, deprecation, verdict }: Facts): void {
  const { blockers, warnings } = report.verdict;
  for (const reason of ['removed_driver', 'deprecated_driver_not_explicit', 'several_prior_drivers_not_explicit'] as const) {
    if (verdict.blockers[reason])
      blockers.push({ reason, message: BLOCKER_MESSAGES[reason](driver, deprecation?.removedInMajor, input.scan?.priorDrivers) });
  }
  if (verdict.blockers.daemon_config_invalid) {
    blockers.push({
      reason: 'daemon_config_invalid',
      message: `The daemon will not start again: ${report.daemon_config?.problem ?? 'daemon.json cannot be read'}.`,
    });
  }
  if (input.snapshot.engine !== 'podman' && !input.snapshot.storageConfig?.known) {
    warnings.push({
      reason: 'unknown_configuration',
      message: `Cannot tell whether the storage driver is explicitly configured: ${report.storage_driver?.explicit.reason ?? 'not collected'}.`,
    });
  }
}

/** What a restart and each target version do; each that does not start cleanly blocks, each that cannot be told warns. */
function addOutcomes(report: Report, { verdict }: Facts): void {
  const { blockers, warnings } = report.verdict;
  for (const o of verdict.outcomes) {
    const restart = o.targetMajor === verdict.runningMajor;
    report.upgrade.push({
      target_version: o.targetMajor,
      restart,
      outcome: o.outcome,
      reason: o.reason,
      ...(o.store ? { image_store: o.store } : {}),
      ...(o.rulesTag ? { rules: `moby ${o.rulesTag}` } : {}),
    });
    const when = restart ? `At its next restart (Docker ${o.targetMajor})` : `On Docker ${o.targetMajor}`;
    if (o.outcome === 'unknown')
      warnings.push({ reason: 'outcome_unknown', message: `${when}: cannot tell what the daemon does: ${o.reason}.` });
    // A daemon.json the restart refuses is already the blocker above.
    else if (o.outcome !== 'starts' && !(restart && verdict.blockers.daemon_config_invalid)) {
      blockers.push({ reason: o.outcome, message: `${when} ${OUTCOME_WORDS[o.outcome]}: ${o.reason}.` });
    }
  }
}

const OUTCOME_WORDS = {
  refuses_to_start: 'the daemon refuses to start',
  fails_to_start: 'the daemon fails to start',
  starts_without_containers: 'the daemon starts without its containers',
} as const;

/** Host networking, data left behind, the thin pool, a scan that failed. */
function addWarnings(report: Report, { input, info }: Facts): void {
  const { warnings } = report.verdict;
  const hostNetworkCount = report.host_network_containers.length + report.host_network_containers_more;
  if (hostNetworkCount > 0) {
    warnings.push({
      reason: 'host_network',
      message: `${plural(hostNetworkCount, 'container uses', 'containers use')} host networking, which is no longer recommended: ${hostNetworkNames(report)}.`,
    });
  }
  const orphanedTotal = report.orphaned.reduce((sum, o) => sum + o.bytes, 0);
  if (orphanedTotal > 0) {
    warnings.push({
      reason: 'orphaned_data',
      message: `${formatBytes(orphanedTotal)} in the data root belong to nothing the daemon uses (${report.orphaned.map((o) => `${o.driver} ${o.reason} ${formatBytes(o.bytes)}`).join('; ')}).`,
    });
  }
  const remapped = report.orphaned.filter((o) => o.reason === 'userns_remap');
  if (remapped.length > 0) {
    warnings.push({
      reason: 'userns_remap_leftovers',
      message: `${formatBytes(remapped.reduce((sum, o) => sum + o.bytes, 0))} were left by the daemon under another --userns-remap setting (turning remapping on moves the data root to <data-root>/<uid>.<gid>; turning it off leaves that directory): the daemon uses them again only if the setting goes back. reclaim removes them while the configuration keeps the daemon's setting, all but volumes/, which holds that daemon's volumes: copy what they hold, then remove them by hand.`,
    });
  }
  for (const u of report.orphaned_unmeasured) {
    warnings.push({
      reason: 'orphaned_data_unmeasured',
      message: `The ${u.driver} driver's data is left in zfs datasets, not in the data root's files: its size cannot be measured here (zfs list -o name,used,mountpoint shows the datasets under the pool the data root's zfs/ directory names).`,
    });
  }
  warnings.push(...thinPoolWarnings(info.thinPool, input.snapshot));
  if (report.data_root_scan === 'failed') {
    warnings.push({ reason: 'scan_failed', message: `The data root could not be read: ${input.scan?.examples[0] ?? 'unknown error'}.` });
  }
}

function thinPoolWarnings(pool: Facts['info']['thinPool'], { loopFilesystem: loopFs, kernelPool }: DaemonSnapshot): Finding[] {
  if (!pool) return [];
  const out: Finding[] = [];
  if (kernelPool && !('error' in kernelPool) && (kernelPool.mode !== 'rw' || kernelPool.needsCheck)) {
    out.push({
      reason: 'thin_pool_not_writable',
      message: `The kernel reports the thin pool ${pool.poolName ?? ''} as ${kernelPool.mode}${kernelPool.needsCheck ? ', needing thin_check' : ''}: writes to every container's filesystem fail or hang until it is repaired.`,
    });
  }
  if (pool.loopLvm)
    out.push({ reason: 'loop_lvm', message: 'The devicemapper thin pool runs on loop files (loop-lvm), unfit for production.' });
  // dockerd's refusal (deviceset.go poolHasFreeSpace): free blocks, total − used, below the minimum.
  const minimum = pool.minimumFreeSpaceBytes;
  const dataTotal = pool.dataSpaceTotalBytes;
  if (minimum !== undefined && pool.dataSpaceFreeBytes !== undefined && pool.dataSpaceFreeBytes < minimum) {
    out.push({
      reason: 'thin_pool_data_exhausted',
      message: `The thin pool has ${formatBytes(pool.dataSpaceFreeBytes)} of data space free, below its minimum free space of ${formatBytes(minimum)}: the daemon refuses to create containers and to load images.`,
    });
  }
  const minimumShare = minimum !== undefined && dataTotal ? minimum / dataTotal : undefined;
  const { metadataSpaceFreeBytes: metadataFree, metadataSpaceTotalBytes: metadataTotal } = pool;
  if (minimumShare !== undefined && metadataFree !== undefined && metadataTotal && metadataFree / metadataTotal < minimumShare) {
    out.push({
      reason: 'thin_pool_metadata_exhausted',
      message: `The thin pool has ${formatBytes(metadataFree)} of metadata space free, below its minimum free share: the daemon refuses to create containers and to load images.`,
    });
  }
  // What breaks loop-lvm hosts: the filesystem holding the sparse loop file fills, whatever the pool's own figures say.
  if (
    loopFs &&
    !('error' in loopFs) &&
    loopFs.sizeBytes > 0 &&
    loopFs.freeBytes / loopFs.sizeBytes < THRESHOLDS.thinPoolLoopFilesystemRatio
  ) {
    out.push({
      reason: 'thin_pool_loop_filesystem_full',
      message: `The filesystem holding the thin pool's loop file (${loopFs.path}) has ${formatBytes(loopFs.freeBytes)} free of ${formatBytes(loopFs.sizeBytes)}: when it fills, every write to the pool fails with an I/O error.`,
    });
  }
  const dataShare = reachableShare(pool.dataSpaceAvailableBytes, pool.dataSpaceUsedBytes);
  if (dataShare !== undefined && dataShare < THRESHOLDS.thinPoolAvailableRatio) {
    out.push({
      reason: 'thin_pool_data_low',
      message: `Less than ${THRESHOLDS.thinPoolAvailableRatio * 100}% of the data space the thin pool can still take is free${pool.loopLvm ? ' (the free space of the filesystem holding the loop file counts)' : ''}.`,
    });
  }
  const metadataShare = reachableShare(pool.metadataSpaceAvailableBytes, pool.metadataSpaceUsedBytes);
  if (metadataShare !== undefined && metadataShare < THRESHOLDS.thinPoolAvailableRatio) {
    out.push({
      reason: 'thin_pool_metadata_low',
      message: `Less than ${THRESHOLDS.thinPoolAvailableRatio * 100}% of the metadata space the thin pool can still take is free.`,
    });
  }
  return out;
}

/**
 * available / (used + available): the share of what the pool can still take that is free. Not
 * available / total: on loop-lvm total is the sparse file's size and available is capped by the
 * free space of the filesystem holding it, so a new, empty pool read as nearly full.
 */
export function reachableShare(available?: number, used?: number): number | undefined {
  if (available === undefined || used === undefined || used + available === 0) return undefined;
  return available / (used + available);
}

function hostNetworkNames(report: Report): string {
  return namesAndMore(
    report.host_network_containers.map((c) => c.name),
    report.host_network_containers_more,
  );
}

/** Next steps, in the order a person does them: keep the host starting, then migrate, then tidy up. */
function nextSteps(report: Report, { input, info, driver, deprecation, verdict }: Facts): string[] {
  const steps: string[] = [];
  const known = input.snapshot.storageConfig?.known === true;
  if (verdict.blockers.daemon_config_invalid && report.daemon_config) {
    steps.push(
      `Fix ${report.daemon_config.file} before anything restarts the daemon: ${report.daemon_config.problem ?? 'unknown'}. Check it with dockerd --validate --config-file ${report.daemon_config.file} (Docker 23 and later).`,
    );
  }
  const notExplicit = verdict.blockers.deprecated_driver_not_explicit || verdict.blockers.several_prior_drivers_not_explicit;
  if (notExplicit || (deprecation && !known)) {
    steps.push(`Pin the storage driver in use so the daemon keeps starting. ${input.remedies.pinDriver(driver)}`);
  }
  if (deprecation) {
    steps.push(
      `Before switching, clean up what you do not need: docker rm for unneeded containers, docker rmi for unneeded images (${plural(report.recreate.containers?.count ?? 0, 'container', 'containers')} and ${plural(report.recreate.images?.count ?? info.images ?? '?', 'image', 'images')} on this host); what is left behind stays on disk.`,
      `Switch to overlay2. ${input.remedies.switchDriver('overlay2')}`,
      `Re-create the images and containers after the switch; ${report.volumes ? plural(report.volumes.count, 'volume keeps its', 'volumes keep their') : 'volumes keep their'} data.`,
      `The old ${driver} data stays in ${info.dockerRootDir ?? 'the data root'}/${driver}; keep storage-driver set explicitly while it is there (Docker 23/24 refuse to choose between several drivers' data).`,
    );
  }
  if (report.host_network_containers.length + report.host_network_containers_more > 0) {
    steps.push(`Re-create the host-network containers on a bridge network, publishing their ports: ${hostNetworkNames(report)}.`);
  }
  // What reclaim removes (src/commands/reclaim.ts): never the leaked layers of the driver in use.
  const leftBehind = report.orphaned.filter((o) => o.reason !== 'unreferenced_layer');
  if (leftBehind.length > 0) {
    steps.push(
      `Once you will not switch back, give the disk back: sudo docker-daemon-exporter reclaim lists what it would remove of the ${formatBytes(leftBehind.reduce((sum, o) => sum + o.bytes, 0))} left behind (a dry run), reclaim --yes removes it; it refuses unless the driver in use is explicitly configured, and leaves volumes.`,
    );
  }
  return steps;
}
