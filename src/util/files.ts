import { readdirSync, readFileSync } from 'node:fs';

/** A directory's names; none when it is missing or unreadable (the callers treat both as empty). */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A small file's text without its surrounding whitespace (a pid, a mount id, a sysfs value); undefined when unreadable. */
export function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
