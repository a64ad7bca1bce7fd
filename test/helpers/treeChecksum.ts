import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Everything below `dir`: paths, kinds, sizes, contents and link targets,
 * hashed. Another filesystem is not entered; with `intoSubvolumes`, a
 * directory of another device that is no mount point (a btrfs subvolume) is.
 */
export function treeChecksum(dir: string, options: { intoSubvolumes?: boolean } = {}): string {
  const hash = createHash('sha256');
  if (!existsSync(dir)) return 'absent';
  const device = lstatSync(dir).dev;
  const mountPoints = new Set(
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? ''),
  );
  const walk = (p: string) => {
    const st = lstatSync(p);
    const rel = path.relative(dir, p);
    if (st.isSymbolicLink()) hash.update(`L ${rel} ${readlinkSync(p)}\n`);
    else if (st.isFile()) hash.update(`F ${rel} ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex')}\n`);
    else if (st.isDirectory()) {
      hash.update(`D ${rel} ${st.mode}\n`);
      if (st.dev !== device && !(options.intoSubvolumes && !mountPoints.has(p))) return;
      for (const name of readdirSync(p).sort()) walk(path.join(p, name));
    } else hash.update(`O ${rel} ${st.mode}\n`);
  };
  walk(dir);
  return hash.digest('hex');
}

/** `--ignore-pid 1` where this sandbox hides pid 1's working directory even from root (a real host does not); nothing else is exempt. */
export function hiddenPids(): string[] {
  try {
    readlinkSync('/proc/1/cwd');
    return [];
  } catch {
    return ['--ignore-pid', '1'];
  }
}
