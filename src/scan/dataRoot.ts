import * as fs from 'node:fs';
import * as path from 'node:path';
import { GRAPH_DRIVERS } from '../docker/storageDrivers';
import { Bucket, WalkErrorReason, WalkResult, WalkTree } from './walk';
import { accessReason, errorMessage } from '../util/errors';
import { REMAPPED_ROOT } from '../parse/info';
import { isDirectory, listDir, readTrimmed } from '../util/files';
import { ContainerRecord, danglingImageLayers, danglingVolumes, readContainerRecords, ReclaimableKind } from './reclaimable';

/** What the scan needs to know of the daemon. */
export interface DataRootView {
  /** The data root as this process sees it. */
  root: string;
  /** `Driver` from /info: a graph driver, or a containerd snapshotter. */
  driver: string;
  /** The containerd image store is in use: no graph driver is active. */
  containerdSnapshotter: boolean;
  /**
   * Whose data root: Docker's, or Podman's (containers/storage: its own
   * layer index, no image/<driver>/layerdb). Podman's is measured by top-level
   * entry only: nothing in it is called orphaned.
   */
  layout?: 'docker' | 'podman';
  /** The root of an external containerd the daemon uses (as this process reaches it): measured beside the data root. */
  containerdRoot?: string;
  /** The daemon runs with --userns-remap: its data root is `<configured data root>/<uid>.<gid>`. */
  usernsRemap?: boolean;
}

export type OrphanReason = 'inactive_driver' | 'foreign_container' | 'unreferenced_layer' | 'userns_remap';

export interface ScanResult {
  root: string;
  driver: string;
  /** Bytes of each top-level entry of the data root. */
  topLevel: Map<string, number>;
  orphaned: { driver: string; reason: OrphanReason; bytes: number }[];
  /**
   * Inactive drivers whose data the walk cannot measure: zfs keeps each layer in a zfs dataset, mounted
   * under <root>/zfs/graph only while the zfs driver runs; their directories are then empty, and 0 would be
   * no measurement.
   */
  unmeasured: { driver: string; reason: 'zfs_datasets' }[];
  /** Bytes of the external containerd's root (DataRootView.containerdRoot), when there is one. */
  containerdRootBytes?: number;
  /** Unreferenced layer directories of the active driver. */
  orphanedLayers: number;
  buildCacheBytes: number;
  /** What Docker's own prune commands give back, by kind: bytes as du counts them and how many volumes, images, entries, containers. */
  reclaimable: Map<ReclaimableKind, { bytes: number; count: number }>;
  /** Bytes of each local volume's directory. */
  volumeBytes: Map<string, number>;
  /** Bytes in the writable layers of the active driver's containers (directory drivers only; vfs counts the image's files too). */
  writableLayerBytes?: number;
  filesystem?: { sizeBytes: number; freeBytes: number };
  errors: Map<WalkErrorReason | 'missing' | 'metadata', number>;
  examples: string[];
  /**
   * Storage drivers whose directory in the data root is not empty, as dockerd
   * looks for them at start (vfs left out, as dockerd leaves it out): with more
   * than one and no explicit driver, Docker refuses to start.
   */
  priorDrivers: string[];
  /** Every graph driver's directory in the data root that is not empty, vfs included: what each Docker version looks for at start. */
  driverDirs: string[];
  /** False when the data root itself could not be read. */
  complete: boolean;
  files: number;
}

/**
 * Where each driver keeps one directory per layer. devicemapper and zfs keep
 * layers in block devices and datasets, not directories: no layer orphans
 * can be told there from the files.
 */
const LAYER_PARENT: Readonly<Record<string, string>> = {
  overlay2: '',
  overlay: '',
  'fuse-overlayfs': '',
  vfs: 'dir',
  aufs: 'diff',
  btrfs: 'subvolumes',
};

const LAYER_ID = /^[0-9a-f]{64}(-init)?$/;

/** Where each directory driver keeps a container's writable layer, by its mount id (image/<driver>/layerdb/mounts/<id>/mount-id). */
export const WRITABLE_LAYER: Readonly<Record<string, (root: string, mountId: string) => string>> = {
  overlay2: (root, id) => path.join(root, 'overlay2', id, 'diff'),
  'fuse-overlayfs': (root, id) => path.join(root, 'fuse-overlayfs', id, 'diff'),
  overlay: (root, id) => path.join(root, 'overlay', id, 'upper'),
  aufs: (root, id) => path.join(root, 'aufs', 'diff', id),
  // vfs copies the image's files into each container's directory: its figure includes them.
  vfs: (root, id) => path.join(root, 'vfs', 'dir', id),
  btrfs: (root, id) => path.join(root, 'btrfs', 'subvolumes', id),
};

/** The mount id of a container's layers under `driver` (image/<driver>/layerdb/mounts/<container>/mount-id): its writable layer's directory name. */
export function mountIdOf(root: string, driver: string, containerId: string): string | undefined {
  return readTrimmed(path.join(root, 'image', driver, 'layerdb', 'mounts', containerId, 'mount-id')) || undefined;
}

/** A container's writable layer under `driver`, for the directory drivers; undefined without one. */
export function writableLayerOf(root: string, driver: string, containerId: string): string | undefined {
  const writable = WRITABLE_LAYER[driver];
  const mountId = writable ? mountIdOf(root, driver, containerId) : undefined;
  return writable && mountId ? writable(root, mountId) : undefined;
}

/** Layer directory names that a layer or a container of `driver` refers to (layerdb). */
export function referencedLayerDirs(root: string, driver: string): Set<string> {
  const layerdb = path.join(root, 'image', driver, 'layerdb');
  const referenced = new Set<string>();
  for (const chain of listDir(path.join(layerdb, 'sha256'))) {
    const cacheId = readTrimmed(path.join(layerdb, 'sha256', chain, 'cache-id'));
    if (cacheId) referenced.add(cacheId);
  }
  for (const container of listDir(path.join(layerdb, 'mounts'))) {
    const mountId = mountIdOf(root, driver, container);
    const initId = readTrimmed(path.join(layerdb, 'mounts', container, 'init-id'));
    if (mountId) {
      referenced.add(mountId);
      referenced.add(`${mountId}-init`);
    }
    if (initId) referenced.add(initId);
  }
  return referenced;
}

export interface ScanPlan {
  /** The result so far: everything but the walk's figures. */
  result: ScanResult;
  buckets: Bucket[];
  /** Trees outside the data root measured with it: what a daemon before --userns-remap left beside the remapped root. */
  beside?: WalkTree[];
}

/** What dockerd keeps at the top of its data root: in a remapped daemon's configured data root, these are its predecessor's. */
const DOCKER_TOP_LEVEL: ReadonlySet<string> = new Set([
  ...GRAPH_DRIVERS,
  'image',
  'containers',
  'volumes',
  'buildkit',
  'builder',
  'containerd',
  'network',
  'plugins',
  'runtimes',
  'swarm',
  'tmp',
  'trust',
  'engine-id',
]);

/**
 * What a daemon with another --userns-remap setting left, as paths by the
 * directory that was its data root. Turning remapping on moves dockerd to
 * `<root>/<uid>.<gid>/` and leaves everything at the top level unreferenced;
 * turning it off (or changing the user) leaves the `<uid>.<gid>/` root. Only
 * Docker's own names count beside a remapped root: the configured data root's
 * parent may hold anything.
 */
export function usernsLeftovers(view: DataRootView): { from: string; paths: string[] }[] {
  if (view.layout === 'podman') return [];
  const own = path.basename(view.root);
  const configured = configuredDataRoot(view);
  if (configured !== view.root) {
    const paths = listDir(configured)
      .filter((name) => name !== own && (DOCKER_TOP_LEVEL.has(name) || REMAPPED_ROOT.test(name)))
      .map((name) => path.join(configured, name));
    return paths.length > 0 ? [{ from: configured, paths }] : [];
  }
  return listDir(view.root)
    .filter((name) => REMAPPED_ROOT.test(name) && isDirectory(path.join(view.root, name)))
    .map((name) => ({ from: path.join(view.root, name), paths: [path.join(view.root, name)] }));
}

/**
 * The data root as configured: above a remapped one (--userns-remap), the
 * directory that holds it and what the daemon kept before remapping; else the
 * data root itself.
 */
export function configuredDataRoot(view: DataRootView): string {
  return view.usernsRemap && REMAPPED_ROOT.test(path.basename(view.root)) ? path.dirname(view.root) : view.root;
}

/**
 * What reclaim may remove of what another --userns-remap setting left, and
 * what it keeps whatever the guards say: every volumes/ (user data, which
 * `docker volume` cannot see there), and, while the daemon is remapped, the
 * data roots of other remapped users (a change of user would use one again).
 */
export function usernsRemovals(view: DataRootView): { removable: string[]; volumes: string[]; otherRoots: string[] } {
  const remapped = configuredDataRoot(view) !== view.root;
  // Beside a remapped root each leftover entry is one; a remapped root left behind is taken entry by entry, to keep its volumes/.
  const entries = usernsLeftovers(view).flatMap((leftover) =>
    remapped ? leftover.paths : listDir(leftover.from).map((name) => path.join(leftover.from, name)),
  );
  const removals = { removable: [] as string[], volumes: [] as string[], otherRoots: [] as string[] };
  for (const p of entries) {
    const name = path.basename(p);
    if (name === 'volumes') removals.volumes.push(p);
    else if (remapped && REMAPPED_ROOT.test(name)) removals.otherRoots.push(p);
    else removals.removable.push(p);
  }
  return removals;
}

/**
 * The volumes directories of every data root reclaim could reach: the daemon's
 * own, the configured data root's above a remapped one, and each remapped
 * root's. Never removed, whatever the scan said.
 */
export function volumeDirs(view: DataRootView): string[] {
  const configured = configuredDataRoot(view);
  const remappedRoots = listDir(configured).filter((name) => REMAPPED_ROOT.test(name));
  return [
    ...new Set([
      path.join(view.root, 'volumes'),
      path.join(configured, 'volumes'),
      ...remappedRoots.map((name) => path.join(configured, name, 'volumes')),
    ]),
  ];
}

/** The graph drivers whose directories under `dir` hold something: the label a leftover data root's bytes carry ('none' without). */
function driversIn(dir: string): string {
  return GRAPH_DRIVERS.filter((driver) => listDir(path.join(dir, driver)).length > 0).join(',') || 'none';
}

/**
 * Decides what to measure: reads the data root's top level, the layer
 * database and the containers' configs, and names a bucket for each figure.
 */
export function planScan(view: DataRootView): ScanPlan {
  const { root } = view;
  const active = view.containerdSnapshotter ? undefined : view.driver;
  const result = emptyResult(view);
  let topNames: string[];
  try {
    topNames = fs.readdirSync(root);
  } catch (err) {
    result.errors.set(accessReason(err), 1);
    result.examples.push(errorMessage(err));
    result.complete = false;
    return { result, buckets: [] };
  }
  try {
    const stats = fs.statfsSync(root);
    result.filesystem = { sizeBytes: stats.blocks * stats.bsize, freeBytes: stats.bavail * stats.bsize };
  } catch {
    // The sizes are a convenience; their absence says enough.
  }
  const buckets: Bucket[] = topNames.map((name) => ({ id: `dir\0${name}`, paths: [path.join(root, name)] }));
  if (view.layout === 'podman') return { result, buckets };
  result.driverDirs = GRAPH_DRIVERS.filter((driver) => listDir(path.join(root, driver)).length > 0);
  result.priorDrivers = result.driverDirs.filter((driver) => driver !== 'vfs');
  const containers = readContainerRecords(root);
  if (containers.unreadable > 0) result.errors.set('metadata', containers.unreadable);
  buckets.push(...inactiveDriverBuckets(root, active, result), ...foreignContainerBuckets(view.driver, containers.records));
  if (active !== undefined) buckets.push(...activeLayerBuckets(root, active, result), ...writableLayerBuckets(root, active, result));
  buckets.push(...reclaimableBuckets(root, active, containers.records, result));
  const beside: WalkTree[] = [];
  for (const [n, leftover] of usernsLeftovers(view).entries()) {
    const id = `userns_remap\0${driversIn(leftover.from)}\0${n}`;
    if (leftover.from.startsWith(`${root}/`)) buckets.push({ id, paths: leftover.paths });
    // Beside the remapped root: each entry a tree of its own, so that the walk never enters the data root twice.
    else beside.push(...leftover.paths.map((p, i) => ({ root: p, buckets: [{ id: `${id}\0${i}`, paths: [p] }] })));
  }
  return { result, buckets, ...(beside.length > 0 ? { beside } : {}) };
}

function emptyResult(view: DataRootView): ScanResult {
  return {
    root: view.root,
    driver: view.driver,
    topLevel: new Map(),
    orphaned: [],
    unmeasured: [],
    orphanedLayers: 0,
    buildCacheBytes: 0,
    reclaimable: new Map(),
    volumeBytes: new Map(),
    errors: new Map(),
    examples: [],
    priorDrivers: [],
    driverDirs: [],
    complete: true,
    files: 0,
  };
}

/** Every other graph driver's directories (zfs's are datasets the walk cannot measure: said, not measured). */
function inactiveDriverBuckets(root: string, active: string | undefined, result: ScanResult): Bucket[] {
  const buckets: Bucket[] = [];
  for (const driver of GRAPH_DRIVERS) {
    if (driver === active) continue;
    if (driver === 'zfs' && isDirectory(path.join(root, driver))) {
      result.unmeasured.push({ driver, reason: 'zfs_datasets' });
      continue;
    }
    const paths = [path.join(root, driver), path.join(root, 'image', driver)].filter(isDirectory);
    if (paths.length > 0) buckets.push({ id: `inactive_driver\0${driver}`, paths });
  }
  return buckets;
}

/** Containers made with another driver, by that driver. */
function foreignContainerBuckets(driverInUse: string, containers: readonly ContainerRecord[]): Bucket[] {
  const foreign = new Map<string, string[]>();
  for (const c of containers) if (c.driver !== driverInUse) foreign.set(c.driver, [...(foreign.get(c.driver) ?? []), c.dir]);
  return [...foreign].map(([driver, paths]) => ({ id: `foreign_container\0${driver}`, paths }));
}

/**
 * Each local volume, and what Docker's prune commands would give back: dangling volumes, the layers only
 * dangling images hold and the stopped containers' writable layers of the active driver (the build cache
 * is activeLayerBuckets' build_cache). Counts are set here; the walk fills the bytes in.
 */
function reclaimableBuckets(
  root: string,
  active: string | undefined,
  containers: readonly ContainerRecord[],
  result: ScanResult,
): Bucket[] {
  const buckets: Bucket[] = listDir(path.join(root, 'volumes'))
    .filter((name) => isDirectory(path.join(root, 'volumes', name)))
    .map((name) => ({ id: `volume\0${name}`, paths: [path.join(root, 'volumes', name)] }));
  const add = (kind: ReclaimableKind, paths: string[], count: number) => {
    result.reclaimable.set(kind, { bytes: 0, count });
    if (paths.length > 0) buckets.push({ id: `reclaimable\0${kind}`, paths });
  };
  const dangling = danglingVolumes(root, containers);
  add('dangling_volumes', dangling, dangling.length);
  const parent = active === undefined ? undefined : LAYER_PARENT[active];
  if (active !== undefined && parent !== undefined) {
    const images = danglingImageLayers(root, active, containers);
    // Unknown stays absent: no figure rather than a 0 that says nothing is there.
    if (images)
      add(
        'dangling_images',
        images.cacheIds.map((id) => path.join(root, active, parent, id)),
        images.images,
      );
  }
  if (active !== undefined && WRITABLE_LAYER[active]) {
    const stopped = containers.filter((c) => !c.running && c.driver === active);
    const paths = stopped.flatMap((c) => writableLayerOf(root, active, c.id) ?? []);
    add('stopped_containers', paths, stopped.length);
  }
  return buckets;
}

/** The active driver's layer directories nothing references, and BuildKit's cache beside them. */
function activeLayerBuckets(root: string, active: string, result: ScanResult): Bucket[] {
  const parent = LAYER_PARENT[active];
  if (parent === undefined) return [];
  const referenced = referencedLayerDirs(root, active);
  const layerDir = path.join(root, active, parent);
  const unreferenced: string[] = [];
  const buildCache: string[] = [];
  for (const name of listDir(layerDir)) {
    if (name === 'l' || name.endsWith('-removing')) continue;
    const full = path.join(layerDir, name);
    if (!isDirectory(full)) continue;
    if (!LAYER_ID.test(name)) buildCache.push(full);
    else if (!referenced.has(name)) unreferenced.push(full);
  }
  result.orphanedLayers = unreferenced.length;
  const buckets: Bucket[] = [];
  if (unreferenced.length > 0) buckets.push({ id: `unreferenced_layer\0${active}`, paths: unreferenced });
  if (buildCache.length > 0) buckets.push({ id: 'build_cache\0', paths: buildCache });
  result.reclaimable.set('build_cache', { bytes: 0, count: buildCache.length });
  return buckets;
}

/** The containers' writable layers, for the directory drivers that keep them as directories. */
function writableLayerBuckets(root: string, active: string, result: ScanResult): Bucket[] {
  if (!WRITABLE_LAYER[active]) return [];
  const mounts = path.join(root, 'image', active, 'layerdb', 'mounts');
  const paths = listDir(mounts).flatMap((container) => writableLayerOf(root, active, container) ?? []);
  result.writableLayerBytes = 0;
  return [{ id: 'writable\0', paths }];
}

/** The plan's result completed with the walk's figures. */
export function assembleScan(plan: ScanPlan, walked: WalkResult): ScanResult {
  const result: ScanResult = {
    ...plan.result,
    topLevel: new Map(),
    orphaned: [],
    reclaimable: new Map([...plan.result.reclaimable].map(([kind, r]) => [kind, { ...r }])),
    volumeBytes: new Map(),
    unmeasured: [...plan.result.unmeasured],
    errors: new Map(plan.result.errors),
    examples: [...plan.result.examples],
  };
  result.files = walked.files;
  result.examples.push(...walked.examples);
  for (const [reason, count] of walked.errors) result.errors.set(reason, (result.errors.get(reason) ?? 0) + count);
  const leftovers = new Map<string, number>();
  for (const [id, bytes] of walked.bytes) {
    const [kind, name = ''] = id.split('\0');
    if (kind === 'userns_remap') leftovers.set(name, (leftovers.get(name) ?? 0) + bytes);
    else if (kind === 'dir') result.topLevel.set(name, bytes);
    else if (kind === 'build_cache') {
      result.buildCacheBytes = bytes;
      const entry = result.reclaimable.get('build_cache');
      if (entry) entry.bytes = bytes;
    } else if (kind === 'reclaimable') {
      const entry = result.reclaimable.get(name as ReclaimableKind);
      if (entry) entry.bytes = bytes;
    } else if (kind === 'volume') result.volumeBytes.set(name, bytes);
    else if (kind === 'writable') result.writableLayerBytes = bytes;
    else if (kind === 'containerd_root') result.containerdRootBytes = bytes;
    else result.orphaned.push({ driver: name, reason: kind as OrphanReason, bytes });
  }
  for (const [driver, bytes] of leftovers) result.orphaned.push({ driver, reason: 'userns_remap', bytes });
  return result;
}

/**
 * What one scan walks: the data root with the plan's buckets and, when the
 * daemon uses an external containerd, its root, measured whole beside it (it
 * lies outside the data root).
 */
export function walkTrees(view: DataRootView, plan: ScanPlan): WalkTree[] {
  const trees: WalkTree[] = [{ root: view.root, buckets: plan.buckets }, ...(plan.beside ?? [])];
  if (view.containerdRoot) trees.push({ root: view.containerdRoot, buckets: [{ id: 'containerd_root\0', paths: [view.containerdRoot] }] });
  return trees;
}
