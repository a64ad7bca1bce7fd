import { parseHumanSize } from './humanSize';
import { ParseProblems } from './problems';

/**
 * `DriverStatus` is a list of [key, value] string pairs whose keys, order and
 * presence vary by driver and Docker version (devicemapper changed its key
 * order in 17.11 and leaves "Data file" empty on direct-lvm). Read it by name.
 */
export function driverStatusMap(raw: unknown, problems: ParseProblems): Map<string, string> {
  const map = new Map<string, string>();
  if (raw === undefined || raw === null) return map;
  if (!Array.isArray(raw)) {
    problems.report('DriverStatus', 'expected a list of pairs');
    return map;
  }
  for (const pair of raw) {
    if (Array.isArray(pair) && pair.length >= 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string') {
      map.set(pair[0].trim(), pair[1].trim());
    } else {
      problems.report('DriverStatus', 'entry is not a pair of strings');
    }
  }
  return map;
}

export interface ThinPool {
  poolName?: string;
  dataFile?: string;
  metadataFile?: string;
  dataLoopFile?: string;
  metadataLoopFile?: string;
  libraryVersion?: string;
  poolBlocksizeBytes?: number;
  baseDeviceSizeBytes?: number;
  dataSpaceUsedBytes?: number;
  dataSpaceTotalBytes?: number;
  dataSpaceAvailableBytes?: number;
  metadataSpaceUsedBytes?: number;
  metadataSpaceTotalBytes?: number;
  metadataSpaceAvailableBytes?: number;
  minimumFreeSpaceBytes?: number;
  /**
   * Total − used: the free space dockerd compares with the minimum free space before it creates a
   * device (deviceset.go poolHasFreeSpace). Not "Data Space Available", which on loop-lvm is capped
   * by the free space of the filesystem holding the loop file and says nothing about that refusal.
   */
  dataSpaceFreeBytes?: number;
  metadataSpaceFreeBytes?: number;
  udevSyncSupported?: boolean;
  deferredRemovalEnabled?: boolean;
  deferredDeletionEnabled?: boolean;
  deferredDeletedDevices?: number;
  loopLvm: boolean;
}

const SIZE_KEYS = {
  poolBlocksizeBytes: 'Pool Blocksize',
  baseDeviceSizeBytes: 'Base Device Size',
  dataSpaceUsedBytes: 'Data Space Used',
  dataSpaceTotalBytes: 'Data Space Total',
  dataSpaceAvailableBytes: 'Data Space Available',
  metadataSpaceUsedBytes: 'Metadata Space Used',
  metadataSpaceTotalBytes: 'Metadata Space Total',
  metadataSpaceAvailableBytes: 'Metadata Space Available',
  minimumFreeSpaceBytes: 'Thin Pool Minimum Free Space',
} as const;

const BOOL_KEYS = {
  udevSyncSupported: 'Udev Sync Supported',
  deferredRemovalEnabled: 'Deferred Removal Enabled',
  deferredDeletionEnabled: 'Deferred Deletion Enabled',
} as const;

const TEXT_KEYS = {
  poolName: 'Pool Name',
  dataFile: 'Data file',
  metadataFile: 'Metadata file',
  dataLoopFile: 'Data loop file',
  metadataLoopFile: 'Metadata loop file',
  libraryVersion: 'Library Version',
} as const;

export function parseBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  return undefined;
}

export function parseThinPool(status: Map<string, string>, problems: ParseProblems): ThinPool {
  const pool: ThinPool = { loopLvm: (status.get('Data loop file') ?? '') !== '' };
  // Every typed value: read by name, absent when missing, counted when it cannot be read.
  const read = <T>(key: string, parse: (text: string) => T | undefined, kind: string): T | undefined => {
    const text = status.get(key);
    if (text === undefined) return undefined;
    const value = parse(text);
    if (value === undefined) problems.report(`DriverStatus.${key}`, `not ${kind}: ${JSON.stringify(text.slice(0, 40))}`);
    return value;
  };
  for (const [field, key] of Object.entries(TEXT_KEYS) as [keyof typeof TEXT_KEYS, string][]) {
    const value = status.get(key);
    if (value !== undefined && value !== '') pool[field] = value;
  }
  for (const [field, key] of Object.entries(SIZE_KEYS) as [keyof typeof SIZE_KEYS, string][]) {
    const bytes = read(key, parseHumanSize, 'a size');
    if (bytes !== undefined) pool[field] = bytes;
  }
  for (const [field, key] of Object.entries(BOOL_KEYS) as [keyof typeof BOOL_KEYS, string][]) {
    const value = read(key, parseBool, 'a boolean');
    if (value !== undefined) pool[field] = value;
  }
  const free = (total?: number, used?: number) => (total !== undefined && used !== undefined ? Math.max(0, total - used) : undefined);
  const dataFree = free(pool.dataSpaceTotalBytes, pool.dataSpaceUsedBytes);
  if (dataFree !== undefined) pool.dataSpaceFreeBytes = dataFree;
  const metadataFree = free(pool.metadataSpaceTotalBytes, pool.metadataSpaceUsedBytes);
  if (metadataFree !== undefined) pool.metadataSpaceFreeBytes = metadataFree;
  const deleted = read('Deferred Deleted Device Count', (text) => (/^\d+$/.test(text) ? Number(text) : undefined), 'a count');
  if (deleted !== undefined) pool.deferredDeletedDevices = deleted;
  return pool;
}
