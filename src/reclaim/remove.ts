import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RemoveReport {
  /** Entries removed (files, links, directories), across all paths. */
  removed: number;
  /** Paths removed whole. */
  done: string[];
  /** The first error; nothing was removed after it. */
  error?: { path: string; message: string };
}

class Stop extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Removes `paths`, each deepest first: files and symbolic links are unlinked
 * (a link is never followed), directories removed once empty. It never
 * crosses into another filesystem: a directory on another device is a mount
 * (the guards refuse those; meeting one here stops everything). The first
 * error stops it, with a report of what was removed.
 */
export function removePaths(paths: readonly string[]): RemoveReport {
  const report: RemoveReport = { removed: 0, done: [] };
  for (const target of paths) {
    try {
      removeOne(target, () => report.removed++);
      report.done.push(target);
    } catch (err) {
      report.error = err instanceof Stop ? { path: err.at, message: err.message } : { path: target, message: (err as Error).message };
      return report;
    }
  }
  return report;
}

function removeOne(target: string, counted: () => void): void {
  let top: fs.Stats;
  try {
    top = fs.lstatSync(target);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  const unlink = (p: string) => {
    try {
      fs.unlinkSync(p);
      counted();
    } catch (err) {
      throw new Stop(p, (err as Error).message);
    }
  };
  if (!top.isDirectory()) return unlink(target);
  const device = top.dev;
  // Post-order, with an explicit stack: data roots nest deep.
  const stack: { dir: string; listed: boolean }[] = [{ dir: target, listed: false }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as { dir: string; listed: boolean };
    if (frame.listed) {
      stack.pop();
      try {
        fs.rmdirSync(frame.dir);
        counted();
      } catch (err) {
        throw new Stop(frame.dir, (err as Error).message);
      }
      continue;
    }
    frame.listed = true;
    let names: string[];
    try {
      names = fs.readdirSync(frame.dir);
    } catch (err) {
      throw new Stop(frame.dir, (err as Error).message);
    }
    for (const name of names) {
      const full = path.join(frame.dir, name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(full);
      } catch (err) {
        throw new Stop(full, (err as Error).message);
      }
      if (st.isDirectory()) {
        if (st.dev !== device) throw new Stop(full, 'another filesystem is mounted here; nothing on it is removed');
        stack.push({ dir: full, listed: false });
      } else unlink(full);
    }
  }
}
