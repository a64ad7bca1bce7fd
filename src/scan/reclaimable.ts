import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { isDirectory, listDir, readTrimmed } from '../util/files';

/**
 * What Docker's own commands give back, as `docker system df` calls it
 * reclaimable, told from the data root's files instead of GET /system/df
 * (which measures every layer inside the daemon and can stall it):
 * `dangling_volumes` (docker volume prune), `dangling_images` (docker image
 * prune), `build_cache` (docker builder prune), `stopped_containers` (docker
 * container prune). reclaim removes none of these.
 */
export type ReclaimableKind = 'dangling_volumes' | 'dangling_images' | 'build_cache' | 'stopped_containers';

export const RECLAIMABLE_KINDS: readonly ReclaimableKind[] = ['dangling_volumes', 'dangling_images', 'build_cache', 'stopped_containers'];

/** What the prune command of each kind is: check and reclaim name it. */
export const PRUNE_COMMAND: Readonly<Record<ReclaimableKind, string>> = {
  dangling_volumes: 'docker volume prune; -a on Docker 23 and later, which otherwise takes anonymous volumes only',
  dangling_images: 'docker image prune',
  build_cache: 'docker builder prune',
  stopped_containers: 'docker container prune',
};

const RECLAIMABLE_NOUN: Readonly<Record<ReclaimableKind, [string, string]>> = {
  dangling_volumes: ['dangling volume', 'dangling volumes'],
  dangling_images: ['dangling image', 'dangling images'],
  build_cache: ['build cache entry', 'build cache entries'],
  stopped_containers: ["stopped container's writable layer", "stopped containers' writable layers"],
};

/** So many items of a kind, in words: "1 dangling volume", "3 dangling volumes". */
export function reclaimableItems(kind: ReclaimableKind, count: number): string {
  const [one, many] = RECLAIMABLE_NOUN[kind];
  return `${count} ${count === 1 ? one : many}`;
}

/** A container as its config.v2.json describes it: what the scan needs of it. */
export interface ContainerRecord {
  id: string;
  dir: string;
  /** The storage driver it was created with. */
  driver: string;
  running: boolean;
  /** Its image's id (sha256:…). */
  image?: string;
  /** Names of the volumes it mounts. */
  volumes: string[];
}

/** Every container of the data root that has a readable config.v2.json; `unreadable` counts the directories without one. */
export function readContainerRecords(root: string): { records: ContainerRecord[]; unreadable: number } {
  const records: ContainerRecord[] = [];
  let unreadable = 0;
  for (const id of listDir(path.join(root, 'containers'))) {
    const dir = path.join(root, 'containers', id);
    const record = parseContainerConfig(id, dir, readTrimmed(path.join(dir, 'config.v2.json')));
    if (record) records.push(record);
    else if (isDirectory(dir)) unreadable++;
  }
  return { records, unreadable };
}

/** A container's config.v2.json, narrowed; undefined when it is not there or names no driver. */
export function parseContainerConfig(id: string, dir: string, text: string | undefined): ContainerRecord | undefined {
  if (text === undefined) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof config !== 'object' || config === null) return undefined;
  const c = config as { Driver?: unknown; State?: { Running?: unknown }; Image?: unknown; MountPoints?: unknown };
  if (typeof c.Driver !== 'string' || c.Driver === '') return undefined;
  const mounts = typeof c.MountPoints === 'object' && c.MountPoints !== null ? Object.values(c.MountPoints) : [];
  const volumes = mounts.flatMap((m: unknown) => {
    const mount = m as { Type?: unknown; Name?: unknown };
    // Before API 1.25 mounts had no Type: a named mount is a volume there too.
    return typeof mount.Name === 'string' && mount.Name !== '' && (mount.Type === undefined || mount.Type === 'volume') ? [mount.Name] : [];
  });
  return {
    id,
    dir,
    driver: c.Driver,
    // Only a state that says stopped counts as stopped: an unreadable one is never called reclaimable.
    running: c.State?.Running !== false,
    ...(typeof c.Image === 'string' ? { image: c.Image } : {}),
    volumes,
  };
}

/** Volumes of the local driver (a directory each in <root>/volumes) that no container, running or not, mounts: what docker volume prune -a would take. */
export function danglingVolumes(root: string, containers: readonly ContainerRecord[]): string[] {
  const used = new Set(containers.flatMap((c) => c.volumes));
  return listDir(path.join(root, 'volumes'))
    .filter((name) => !used.has(name) && listDir(path.join(root, 'volumes', name)).length > 0)
    .map((name) => path.join(root, 'volumes', name));
}

/** The values of a JSON object; none for anything else. */
function valuesOf(value: unknown): unknown[] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.values(value) : [];
}

/** A layer's chain id from its parent's and its own diff id, as the layer store names it (image-spec's ChainID). */
function chainIds(diffIds: readonly string[]): string[] {
  const chains: string[] = [];
  for (const diffId of diffIds) {
    const parent = chains[chains.length - 1];
    chains.push(parent === undefined ? diffId : `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`);
  }
  return chains;
}

/**
 * The layer directories (by the driver's cache id) that only dangling images
 * hold: images no tag or digest names (repositories.json), that are no other
 * image's parent and that no container uses, as `docker image prune` chooses
 * them. `images` counts those images; undefined when repositories.json
 * cannot be read (then none can be called dangling).
 */
export function danglingImageLayers(
  root: string,
  driver: string,
  containers: readonly ContainerRecord[],
): { images: number; cacheIds: string[] } | undefined {
  const imageDir = path.join(root, 'image', driver);
  const ids = listDir(path.join(imageDir, 'imagedb', 'content', 'sha256')).map((hex) => `sha256:${hex}`);
  if (ids.length === 0) return { images: 0, cacheIds: [] };
  const named = new Set<string>();
  try {
    const parsed: unknown = JSON.parse(readTrimmed(path.join(imageDir, 'repositories.json')) ?? '');
    const repositories = typeof parsed === 'object' && parsed !== null ? (parsed as { Repositories?: unknown }).Repositories : undefined;
    for (const references of valuesOf(repositories)) for (const id of valuesOf(references)) if (typeof id === 'string') named.add(id);
  } catch {
    // No readable references: which images are named cannot be told, so neither which are dangling.
    return undefined;
  }
  const parents = new Set(ids.map((id) => readTrimmed(path.join(imageDir, 'imagedb', 'metadata', 'sha256', id.slice(7), 'parent'))));
  const used = new Set(containers.map((c) => c.image));
  const dangling = new Set(ids.filter((id) => !named.has(id) && !parents.has(id) && !used.has(id)));
  const chainsOf = (id: string): string[] => {
    try {
      const config = JSON.parse(readTrimmed(path.join(imageDir, 'imagedb', 'content', 'sha256', id.slice(7))) ?? '') as {
        rootfs?: { diff_ids?: unknown };
      };
      const diffIds = config.rootfs?.diff_ids;
      return Array.isArray(diffIds) ? chainIds(diffIds.filter((d): d is string => typeof d === 'string')) : [];
    } catch {
      return [];
    }
  };
  const kept = new Set(ids.filter((id) => !dangling.has(id)).flatMap(chainsOf));
  // A container's layers rest on its image's chain; an image a container uses is never dangling, so its chain is kept above.
  const onlyDangling = new Set([...dangling].flatMap(chainsOf).filter((chain) => !kept.has(chain)));
  const cacheIds = [...onlyDangling].flatMap((chain) => {
    const cacheId = readTrimmed(path.join(imageDir, 'layerdb', 'sha256', chain.slice(7), 'cache-id'));
    return cacheId ? [cacheId] : [];
  });
  return { images: dangling.size, cacheIds };
}
