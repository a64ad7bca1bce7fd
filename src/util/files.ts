import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { errorCode } from './errors';

/** A directory's names; none when it is missing or unreadable (for callers to whom both mean empty: not the guards). */
export function listDir(dir: string): string[] {
  const listing = tryListDir(dir);
  return 'names' in listing ? listing.names : [];
}

/** A small file's text without its surrounding whitespace (a pid, a mount id, a sysfs value); undefined when unreadable. */
export function readTrimmed(file: string): string | undefined {
  const reading = tryReadTrimmed(file);
  return 'text' in reading ? reading.text : undefined;
}

/** Not there (ENOENT, ENOTDIR; ESRCH for a /proc entry whose process is gone): nothing to see, as opposed to not allowed to look. */
const isMissing = (code: string) => code === 'ENOENT' || code === 'ENOTDIR' || code === 'ESRCH';

/** What a guard must tell apart: the names, nothing there, or could not look (the error's code). */
export type Listing = { names: string[] } | { missing: true } | { error: string };

export function tryListDir(dir: string): Listing {
  try {
    return { names: readdirSync(dir) };
  } catch (err) {
    const code = errorCode(err);
    return isMissing(code) ? { missing: true } : { error: code };
  }
}

export type Reading = { text: string } | { missing: true } | { error: string };

export function tryReadTrimmed(file: string): Reading {
  try {
    return { text: readFileSync(file, 'utf8').trim() };
  } catch (err) {
    const code = errorCode(err);
    return isMissing(code) ? { missing: true } : { error: code };
  }
}

/** A directory, not followed through a link; false when it is not there or cannot be looked at. */
export function isDirectory(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
