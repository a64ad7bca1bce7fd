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
  /** The driver the configuration names (flag, daemon.json, DOCKER_DRIVER), or why that cannot be told. */
  configured: { driver?: string; explicitContainerdStore: boolean } | { unknown: string };
  /** The last scan could read all of the data root. */
  scanComplete: boolean;
  scanProblem?: string;
  /** What the scan attributes to inactive drivers and to containers of another driver. */
  candidates: readonly string[];
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

const inside = (parent: string, child: string) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Decides what may be removed, refusing everything when any guard fails. */
export function decideReclaim(facts: ReclaimFacts): ReclaimDecision {
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

  // What is the active driver's, or everyone's, is never a candidate, whatever the scan said.
  const protectedPaths = [
    ...(active && !facts.containerdStore ? [path.join(facts.root, active), path.join(facts.root, 'image', active)] : []),
    path.join(facts.root, 'volumes'),
    path.join(facts.root, 'containerd'),
  ];
  for (const candidate of facts.candidates) {
    if (!inside(facts.root, candidate) || candidate === facts.root) refuse(`${candidate} is not inside the data root ${facts.root}`);
    for (const kept of protectedPaths) {
      if (inside(kept, candidate) || inside(candidate, kept)) refuse(`${candidate} belongs to what the daemon uses (${kept})`);
    }
    for (const mount of facts.mounts) {
      if (inside(candidate, mount)) refuse(`${mount} is mounted inside ${candidate}`);
    }
    for (const source of facts.mountSources) {
      if (inside(candidate, source.path)) refuse(`${source.what} uses ${source.path}, inside ${candidate}`);
    }
    for (const file of facts.loopBackingFiles) {
      if (inside(candidate, file)) refuse(`a loop device is backed by ${file}, inside ${candidate}`);
    }
    for (const open of facts.openPaths) {
      if (inside(candidate, open.path)) refuse(`process ${open.pid} (${open.command}) has ${open.path} open, inside ${candidate}`);
    }
  }
  if (facts.candidates.some((c) => path.basename(c) === 'devicemapper')) {
    const pools = facts.dmNames.filter((name) => name.startsWith('docker-'));
    if (pools.length > 0)
      refuse(`device-mapper devices of a Docker thin pool are active (${pools.join(', ')}): the old devicemapper data is in use`);
  }
  return { paths: refusals.length === 0 ? [...facts.candidates] : [], refusals: [...new Set(refusals)] };
}

/** The daemon and the guards' facts at one look. */
export interface Look {
  /** The daemon as a process: pid, start time, driver and image store. */
  daemon: string;
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
  if (again.daemon !== first.daemon) return `the daemon changed since the first look (${first.daemon}, now ${again.daemon})`;
  const recheck = decideReclaim({
    ...again.facts,
    scanComplete: first.facts.scanComplete && again.facts.scanComplete,
    candidates: [target],
  });
  if (recheck.refusals.length > 0) return recheck.refusals.join('; ');
  if (!again.facts.candidates.includes(target)) return `${target} is no longer what the scan attributes to another driver`;
  return undefined;
}
