import { execFileSync } from 'node:child_process';

/** GNU du's figure for a set of paths counted together: `du -sxc -B1 PATH…`, the "total" line. */
export function duBytes(...paths: string[]): number {
  let out: string;
  try {
    out = execFileSync('du', ['-sxc', '-B1', ...paths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    // du exits 1 after reporting unreadable directories, and still prints its totals.
    out = (err as { stdout?: string }).stdout ?? '';
  }
  const total = out.trim().split('\n').pop() ?? '';
  const match = /^(\d+)\s+total$/.exec(total);
  if (!match) throw new Error(`du printed no total: ${out}`);
  return Number(match[1]);
}
