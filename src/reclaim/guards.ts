import * as path from 'node:path';

/**
 * What `reclaim` must know before it deletes anything, gathered at the edge
 * (src/reclaim/probe.ts); the decision below is pure, and every refusal says
 * why. Losing a byte of live data is the worst bug this project can have:
 * when in doubt, refuse.
 */
export interface ReclaimFacts {
  /** The daemon answered. */
  up: boolean;
  engine: 'docker' | 'podman' | 'unknown';
  /** The data root as this process sees it. */
  root: string;
  /** The driver the daemon runs on. */
  activeDriver?: string;
  containerdStore: boolean;
  /**
   * The driver the configuration names (flag, daemon.json, DOCKER_DRIVER) and its --userns-remap
   * setting, or why that cannot be told.
   */
  configured: { driver?: string; explicitContainerdStore: boolean; usernsRemap?: string } | { unknown: string };
  /**
   * Where reclaim may remove: the data root, or, when the daemon runs with --userns-remap (its data root is
   * `<scope>/<uid>.<gid>`), the configured data root holding it and what came before.
   */
  scope: string;
  /** The last scan could read all of the data root. */
  scanComplete: boolean;
  scanProblem?: string;
  /** What the scan attributes to inactive drivers and to containers of another driver, and what another --userns-remap setting left. */
  candidates: readonly string[];
  /** The candidates another --userns-remap setting left: removed only while the configuration keeps the daemon's own setting. */
  usernsLeftovers: readonly string[];
  /** Never removed, whatever the scan said: every volumes/ in the scope, other remapped users' data roots. */
  kept: readonly string[];
  /** Mount points (from /proc/self/mountinfo). */
  mounts: readonly string[];
  /** Files backing loop devices (/sys/block/loop* /loop/backing_file). */
  loopBackingFiles: readonly string[];
  /** Names of active device-mapper devices (/sys/block/dm-* /dm/name). */
  dmNames: readonly string[];
  /** Processes whose working directory or an open file lies somewhere below the data root. */
  openPaths: readonly { pid: number; path: string; command: string }[];
  /** Directories mounts use elsewhere, in every readable mount namespace: bind sources, overlay lower, upper and work dirs. */
  mountSources: readonly { what: string; path: string }[];
  /** What the mount, loop and device-mapper guards could not look at (not "nothing there"): each refuses. */
  unreadable: readonly string[];
  /** The data root as the daemon names it (DockerRootDir): processes, mounts and loop devices name paths as the host does. */
  daemonRoot?: string;
  /** Whether `root` is the directory the daemon keeps its data in, as it sees it (same device and inode through /proc/<pid>/root). */
  dataRootIdentity: { same: true } | { same: false; daemonView: string } | { unknown: string };
}

export interface ReclaimDecision {
  /** The paths to remove, when nothing refuses. */
  paths: string[];
  refusals: string[];
}

/** Whether `child` is `parent` or lies below it, by path alone (the probes have resolved links and mounts). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Decides what may be removed, refusing everything when any guard fails. */
export function decideReclaim(facts: ReclaimFacts): ReclaimDecision {
  const refusals = [...daemonRefusals(facts), ...facts.candidates.flatMap((candidate) => pathRefusals(facts, candidate))];
  return { paths: refusals.length === 0 ? [...facts.candidates] : [], refusals: [...new Set(refusals)] };
}

/** What refuses whatever the path: the daemon, its configuration, the data root's identity, what could not be looked at. */
export function daemonRefusals(facts: ReclaimFacts): string[] {
  const refusals: string[] = [];
  const refuse = (why: string) => void refusals.push(why);
  if (!facts.up) refuse('the daemon does not answer: whether it still uses these files cannot be told');
  if (facts.engine === 'podman') refuse('this is Podman: reclaim knows Docker data roots only');
  const active = facts.activeDriver;
  if (facts.up && active === undefined) refuse('the daemon did not say which storage driver it uses');
  if ('unknown' in facts.configured)
    refuse(`whether the storage driver is explicitly configured cannot be told: ${facts.configured.unknown}`);
  else if (facts.containerdStore) {
    if (!facts.configured.explicitContainerdStore) {
      refuse(
        'the containerd image store is not explicitly configured ("features": {"containerd-snapshotter": true}): a restart could fall back to the old driver\'s data',
      );
    }
  } else if (facts.configured.driver !== active) {
    refuse(
      facts.configured.driver === undefined
        ? `the storage driver ${active} is not explicitly configured: a restart could fall back to the old driver's data (set "storage-driver": "${active}")`
        : `the configuration names ${facts.configured.driver}, but the daemon runs ${active}: a restart would change driver`,
    );
  }
  for (const what of facts.unreadable) refuse(`a guard could not look at ${what}: it refuses rather than take that for nothing there`);
  if (!facts.scanComplete) refuse(`the data root could not be read in full: ${facts.scanProblem ?? 'unknown error'}`);
  const identity = facts.dataRootIdentity;
  if ('unknown' in identity) refuse(`whether ${facts.root} is the daemon's data root cannot be told: ${identity.unknown}`);
  else if (!identity.same)
    refuse(`${facts.root} is not the daemon's data root: the daemon keeps its data in ${identity.daemonView}, another directory`);
  else if (facts.daemonRoot !== undefined && facts.daemonRoot !== facts.root) {
    // A container's /host/var/lib/docker, a bind mount or a symlink: the mount, loop, process and open-file
    // guards compare paths named the daemon's way with this one, and would see nothing.
    refuse(
      `the data root is ${facts.root} here but ${facts.daemonRoot} to the daemon, its processes and mounts: the guards that compare paths would see nothing; run reclaim where the data root is at ${facts.daemonRoot}`,
    );
  }
  return refusals;
}

/** What refuses one path: it is the daemon's or everyone's, or something mounts, backs, holds or uses a thin pool inside it. */
export function pathRefusals(facts: ReclaimFacts, candidate: string): string[] {
  const refusals: string[] = [];
  const refuse = (why: string) => void refusals.push(why);
  const active = facts.activeDriver;
  // What is the active driver's, or everyone's, is never a candidate, whatever the scan said.
  const protectedPaths = [
    ...(active && !facts.containerdStore ? [path.join(facts.root, active), path.join(facts.root, 'image', active)] : []),
    path.join(facts.root, 'volumes'),
    path.join(facts.root, 'containerd'),
    ...facts.kept,
  ];
  if (!isInside(facts.scope, candidate) || candidate === facts.scope) refuse(`${candidate} is not inside the data root ${facts.scope}`);
  if (facts.scope !== facts.root && isInside(candidate, facts.root))
    refuse(`${candidate} holds the data root the daemon uses, ${facts.root}`);
  for (const kept of protectedPaths) {
    if (isInside(kept, candidate) || isInside(candidate, kept)) refuse(`${candidate} belongs to what the daemon uses (${kept})`);
  }
  if (facts.usernsLeftovers.includes(candidate)) refusals.push(...usernsRefusals(facts, candidate));
  for (const mount of facts.mounts) {
    if (isInside(candidate, mount)) refuse(`${mount} is mounted inside ${candidate}`);
  }
  for (const source of facts.mountSources) {
    if (isInside(candidate, source.path)) refuse(`${source.what} uses ${source.path}, inside ${candidate}`);
  }
  for (const file of facts.loopBackingFiles) {
    if (isInside(candidate, file)) refuse(`a loop device is backed by ${file}, inside ${candidate}`);
  }
  for (const open of facts.openPaths) {
    if (isInside(candidate, open.path)) refuse(`process ${open.pid} (${open.command}) has ${open.path} open, inside ${candidate}`);
  }
  if (path.basename(candidate) === 'devicemapper') {
    const pools = facts.dmNames.filter((name) => name.startsWith('docker-'));
    if (pools.length > 0)
      refuse(`device-mapper devices of a Docker thin pool are active (${pools.join(', ')}): the old devicemapper data is in use`);
  }
  return refusals;
}

/**
 * What refuses a leftover of another --userns-remap setting: a configuration that no longer keeps the
 * setting the daemon runs with, so that its next start would use that leftover again. (A configuration
 * that cannot be read refuses everything already.)
 */
function usernsRefusals(facts: ReclaimFacts, candidate: string): string[] {
  if ('unknown' in facts.configured) return [];
  const setting = facts.configured.usernsRemap;
  const remapped = facts.scope !== facts.root;
  if (remapped && !setting)
    return [
      `the daemon runs with --userns-remap, but its configuration no longer sets it: its next start would take ${facts.scope} as its data root again, ${candidate} with it`,
    ];
  if (!remapped && setting)
    return [
      `the configuration sets --userns-remap (${setting}), but the daemon runs without it: its next start would use a remapped data root such as ${path.dirname(candidate)} again`,
    ];
  return [];
}

/**
 * The daemon as a process at one look: a change between looks (a restart, another driver or image
 * store) stops removal. `unknown` says why the process could not be identified (a daemon caught
 * mid-restart has no readable pid yet); that differs from any known process.
 */
export interface DaemonIdentity {
  pid?: number;
  /** Its start time, in clock ticks since boot (/proc/<pid>/stat), when readable. */
  startTime?: string;
  unknown?: string;
  driver: string;
  containerdStore: boolean;
}

export function sameDaemon(a: DaemonIdentity, b: DaemonIdentity): boolean {
  return (
    a.pid === b.pid &&
    a.startTime === b.startTime &&
    a.unknown === b.unknown &&
    a.driver === b.driver &&
    a.containerdStore === b.containerdStore
  );
}

export function describeDaemon(d: DaemonIdentity): string {
  const process =
    d.pid === undefined
      ? `an unidentified process (${d.unknown ?? 'the daemon process was not found'})`
      : `pid ${d.pid} started ${d.startTime ?? 'at an unreadable time'}`;
  return `${process} on ${d.driver}${d.containerdStore ? ' (containerd store)' : ''}`;
}

/** The daemon and the guards' facts at one look. */
export interface Look {
  daemon: DaemonIdentity;
  facts: ReclaimFacts;
}

/**
 * Before removing `target`, with the guards read again (`again`; undefined: the
 * daemon no longer answers): the reason to stop, or undefined to go on. The
 * same daemon process on the same driver, every guard still holding for this
 * path, and the path still what the scan attributes to another driver.
 */
export function recheckBeforeRemoval(first: Look, again: Look | { unreachable: string | undefined }, target: string): string | undefined {
  if ('unreachable' in again) return `the daemon does not answer any more${again.unreachable ? ` (${again.unreachable})` : ''}`;
  if (!sameDaemon(first.daemon, again.daemon))
    return `the daemon changed since the first look (${describeDaemon(first.daemon)}, now ${describeDaemon(again.daemon)})`;
  const facts = { ...again.facts, scanComplete: first.facts.scanComplete && again.facts.scanComplete };
  const refusals = [...new Set([...daemonRefusals(facts), ...pathRefusals(facts, target)])];
  if (refusals.length > 0) return refusals.join('; ');
  if (!again.facts.candidates.includes(target)) return `${target} is no longer what the scan attributes to another driver`;
  return undefined;
}
