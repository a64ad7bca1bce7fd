import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { unmountUnder } from './dockerd';

/** Every test's temporary files live in directories named so, so that the end of the run can find what was left. */
export const TEMP_PREFIX = 'dde-';

const made = new Set<string>();

/** A temporary directory, removed after the test file (stopping what still runs in it, unmounting what is mounted there). */
export function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${TEMP_PREFIX}${name}-`));
  made.add(dir);
  return dir;
}

/** Processes whose command line, working directory or open files name a path at or below `dir`. */
export function processesUsing(dir: string): { pid: number; what: string }[] {
  const out: { pid: number; what: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // A zombie has none.
      }
      if (cmdline.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) out.push({ pid: Number(entry), what: cmdline.slice(0, 200) });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Removes every directory made by tempDir in this test file: what the file's own afterAll did not stop is stopped here. */
export function removeTempDirs(): void {
  for (const dir of made) {
    for (const { pid } of processesUsing(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    unmountUnder(dir);
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A process that was just killed may still hold a mount: unmount lazily once more and retry.
      unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    }
    made.delete(dir);
  }
}
