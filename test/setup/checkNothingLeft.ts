import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const PREFIX = path.join(tmpdir(), 'dde-');

/** Directories, mounts and processes of ours (named after the prefix), one string each. */
export function ours(): string[] {
  const dirs = readdirSync(tmpdir())
    .filter((name) => name.startsWith('dde-') && !name.startsWith('dde-scan-bench-'))
    .map((name) => path.join(tmpdir(), name));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(PREFIX));
  const processes: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(PREFIX)) processes.push(`${entry}: ${cmdline.slice(0, 200)}`);
    } catch {
      // Gone meanwhile.
    }
  }
  // Bridges of test daemons' networks outlive them (br-<network id>); a bridge made by docker itself has a name like that too.
  const bridges = readdirSync('/sys/class/net').filter((name) => /^br-[0-9a-f]{12}$/.test(name));
  return [
    ...dirs.map((d) => `directory ${d}`),
    ...mounts.map((m) => `mount ${m}`),
    ...processes.map((p) => `process ${p}`),
    ...bridges.map((b) => `network interface ${b}`),
  ];
}

const BEFORE = Symbol.for('dde.leftBeforeTheRun');

/** globalSetup: what was there before the run (a benchmark running beside it) is not the run's. */
export function recordBefore(): void {
  (globalThis as Record<symbol, unknown>)[BEFORE] = new Set(ours());
}

/**
 * The end of the run: fails it when a test left a temporary directory, a
 * mount or a running process behind (on a developer's machine these pile up;
 * a left daemon can hold the next run's sockets).
 */
export default async function checkNothingLeft(): Promise<void> {
  const before = ((globalThis as Record<symbol, unknown>)[BEFORE] as Set<string> | undefined) ?? new Set<string>();
  const left = ours().filter((item) => !before.has(item));
  if (left.length > 0) throw new Error(`the tests left behind:\n  ${left.join('\n  ')}`);
}
