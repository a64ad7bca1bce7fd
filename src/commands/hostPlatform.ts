import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Platform } from '../config/platforms';
import { detectPlatform } from '../upgrade/remedies';

/** What this host is, read from the filesystem and PATH: the edge of the remedies' choice. */
export function hostPlatform(choice: Platform | 'auto', daemonConfigFile?: string): Platform {
  if (choice !== 'auto') return choice;
  return detectPlatform(
    {
      exists: (p) => existsSync(p),
      onPath: (program) => (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(path.join(dir, program))),
    },
    daemonConfigFile,
  );
}
