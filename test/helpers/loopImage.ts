import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * A filesystem of the test's own: a 1 GiB sparse `image`, made by `mkfs` (its program and flags, the image
 * added last), on a loop device mounted at `at`. `detach()` unmounts it (lazily: a daemon's teardown may
 * have done so) and frees the loop device; call it after what used it has stopped.
 */
export function mountLoopImage(image: string, mkfs: string[], at: string): { detach(): void } {
  execFileSync('truncate', ['-s', '1G', image]);
  const [program = 'mkfs', ...flags] = mkfs;
  execFileSync(program, [...flags, image], { stdio: 'ignore' });
  const loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
  mkdirSync(at, { recursive: true });
  execFileSync('mount', [loop, at]);
  return {
    detach: () => {
      try {
        execFileSync('umount', ['-l', at], { stdio: 'ignore' });
      } catch {
        // Already unmounted.
      }
      execFileSync('losetup', ['--detach', loop]);
    },
  };
}
