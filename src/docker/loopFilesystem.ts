import { statfsSync } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../util/errors';

/** The filesystem holding a loop-lvm thin pool's sparse data file, as dockerd counts it. */
export type LoopFilesystem =
  | { path: string; sizeBytes: number; freeBytes: number }
  /** statfs failed (the exporter cannot see the daemon's data root): the figures are unknown, not zero. */
  | { path: string; error: string };

export type LoopFilesystemReader = (dataLoopFile: string, dockerRootDir: string | undefined) => LoopFilesystem;

/**
 * statfs of the directory holding the data loop file. Free is f_bfree × f_bsize, root's reserved
 * blocks included, as dockerd's getUnderlyingAvailableSpace counts it: the loop file is written by
 * root, so it can fill those too. The loop file lives in the data root (<root>/devicemapper/devicemapper);
 * where --docker.data-root says the exporter sees the data root elsewhere, the path is read there.
 */
/** The fields of statfs(2) read here. */
export interface FsCounts {
  bsize: number;
  blocks: number;
  bfree: number;
}

export function loopFilesystemReader(rootOverride?: string, statfs: (p: string) => FsCounts = statfsSync): LoopFilesystemReader {
  return (dataLoopFile, dockerRootDir) => {
    const relative = dockerRootDir !== undefined ? path.relative(dockerRootDir, dataLoopFile) : '..';
    const here =
      rootOverride !== undefined && !relative.startsWith('..') && !path.isAbsolute(relative)
        ? path.join(rootOverride, relative)
        : dataLoopFile;
    const dir = path.dirname(here);
    try {
      const stats = statfs(dir);
      return { path: dir, sizeBytes: stats.blocks * stats.bsize, freeBytes: stats.bfree * stats.bsize };
    } catch (err) {
      return { path: dir, error: errorMessage(err) };
    }
  };
}
