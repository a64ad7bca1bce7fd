import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { removePaths } from '../../../src/reclaim/remove';
import { stopPid, waitFor } from '../../helpers/processes';
import { tempDir } from '../../helpers/tempDir';

describe('removePaths', () => {
  it('removes deepest first, unlinks symbolic links without following them, and counts what it removed', async () => {
    const dir = tempDir('remove');
    const keep = path.join(dir, 'keep.txt');
    writeFileSync(keep, 'live data');
    const target = path.join(dir, 'old', 'vfs');
    mkdirSync(path.join(target, 'dir', 'a', 'b', 'c'), { recursive: true });
    writeFileSync(path.join(target, 'dir', 'a', 'b', 'c', 'f'), 'x');
    symlinkSync(keep, path.join(target, 'dir', 'link-to-live-file'));
    symlinkSync(dir, path.join(target, 'dir', 'link-to-parent'));
    const report = await removePaths(dir, [target, path.join(dir, 'does-not-exist')]);
    expect(report.error).toBeUndefined();
    expect(report.done).toEqual([target, path.join(dir, 'does-not-exist')]);
    expect(report.removed).toBe(8);
    expect(existsSync(target)).toBe(false);
    expect(readFileSync(keep, 'utf8')).toBe('live data');
  });

  it('refuses when the data root it opens is no longer the directory the guards looked at (swapped in between)', async () => {
    const parent = tempDir('remove-swapped');
    const root = path.join(parent, 'docker');
    mkdirSync(path.join(root, 'vfs'), { recursive: true });
    const looked = statSync(root);
    // Between the look and the removal: the data root renamed away, another directory put at its path.
    renameSync(root, path.join(parent, 'docker-live'));
    mkdirSync(path.join(root, 'vfs'), { recursive: true });
    writeFileSync(path.join(root, 'vfs', 'canary'), 'keep me');
    const report = await removePaths(root, [path.join(root, 'vfs')], undefined, { dev: looked.dev, ino: looked.ino });
    expect(report.done).toEqual([]);
    expect(report.refused).toContain('is no longer the directory the guards looked at');
    expect(readFileSync(path.join(root, 'vfs', 'canary'), 'utf8')).toBe('keep me');
  });

  it('never goes through a symbolic link on the way to a path: a parent swapped for a link is refused', async () => {
    const dir = tempDir('remove-parent');
    const outside = tempDir('remove-outside');
    mkdirSync(path.join(outside, 'vfs', 'dir'), { recursive: true });
    writeFileSync(path.join(outside, 'vfs', 'dir', 'canary'), 'keep me');
    // The data root's vfs/ is a link to a directory elsewhere: vfs/dir must not be reached through it.
    symlinkSync(path.join(outside, 'vfs'), path.join(dir, 'vfs'));
    const report = await removePaths(dir, [path.join(dir, 'vfs', 'dir')]);
    expect(report.done).toEqual([]);
    expect(report.error?.path).toBe(path.join(dir, 'vfs'));
    expect(readFileSync(path.join(outside, 'vfs', 'dir', 'canary'), 'utf8')).toBe('keep me');
  });

  it('stops at a file it cannot remove (immutable, chattr +i), says where, and removes nothing after it', async () => {
    const dir = tempDir('remove-stop');
    const first = path.join(dir, 'first');
    mkdirSync(first);
    writeFileSync(path.join(first, 'f'), 'x');
    const second = path.join(dir, 'second');
    mkdirSync(second);
    const stuck = path.join(second, 'immutable');
    writeFileSync(stuck, 'x');
    const third = path.join(dir, 'third');
    mkdirSync(third);
    execFileSync('chattr', ['+i', stuck]);
    try {
      const report = await removePaths(dir, [first, second, third]);
      expect(report.done).toEqual([first]);
      expect(report.error).toEqual({ path: stuck, message: expect.stringContaining('EPERM') });
      expect(existsSync(stuck)).toBe(true);
      expect(existsSync(third)).toBe(true);
    } finally {
      execFileSync('chattr', ['-i', stuck]);
    }
  });

  it('stops at another filesystem mounted inside, removing nothing on it', async () => {
    const dir = tempDir('remove-mount');
    const target = path.join(dir, 'vfs');
    const mountPoint = path.join(target, 'mnt');
    mkdirSync(mountPoint, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mountPoint]);
    try {
      writeFileSync(path.join(mountPoint, 'on-tmpfs'), 'other filesystem');
      const report = await removePaths(dir, [target]);
      expect(report.error).toEqual({ path: mountPoint, message: 'another filesystem is mounted here; nothing on it is removed' });
      expect(readFileSync(path.join(mountPoint, 'on-tmpfs'), 'utf8')).toBe('other filesystem');
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });

  it('stops before a path when the guards asked again refuse', async () => {
    const dir = tempDir('remove-recheck');
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    mkdirSync(a);
    mkdirSync(b);
    const report = await removePaths(dir, [a, b], async (target) => (target === b ? 'the daemon changed since the first look' : undefined));
    expect(report).toMatchObject({ done: [a], refused: 'the daemon changed since the first look' });
    expect(existsSync(b)).toBe(true);
  });

  it('under a race that swaps directories for links to files outside, never removes a file outside (many rounds)', async () => {
    const dir = tempDir('remove-race');
    const canaries = path.join(tempDir('remove-canary'), 'canaries');
    mkdirSync(canaries);
    for (let i = 0; i < 20; i++) writeFileSync(path.join(canaries, `c${i}`), `canary ${i}`);
    const target = path.join(dir, 'vfs');
    const swaps = path.join(path.dirname(canaries), 'swaps');
    let swappedDuringRemoval = 0;
    let stopped = 0;
    for (let round = 0; round < 12; round++) {
      for (let d = 0; d < 40; d++) {
        mkdirSync(path.join(target, `d${d}`), { recursive: true });
        for (let f = 0; f < 60; f++) writeFileSync(path.join(target, `d${d}`, `c${f}`), 'old driver data');
      }
      writeFileSync(swaps, '');
      // A user who owns the data root (a rootless daemon's, run as root) swaps each directory for a link to the canaries, over and over.
      const swapper = spawn(
        'bash',
        [
          '-c',
          `while :; do for d in $(seq 0 39); do mv "$0/d$d" "$0/.h$d" 2>/dev/null && ln -s "$1" "$0/d$d" && echo -n . >> "$2" && rm -f "$0/d$d" && mv "$0/.h$d" "$0/d$d"; done; done`,
          target,
          canaries,
          swaps,
        ],
        { stdio: 'ignore' },
      );
      try {
        // Removal starts only once the swapper is swapping.
        await waitFor('the first swap', () => (statSync(swaps).size > 0 ? true : undefined), 10000, 5);
        const before = statSync(swaps).size;
        if ((await removePaths(dir, [target])).error) stopped++;
        swappedDuringRemoval += statSync(swaps).size - before;
      } finally {
        await stopPid(swapper.pid);
      }
      expect(readdirSync(canaries).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
      execFileSync('rm', ['-rf', '--one-file-system', target]);
    }
    // The race ran while removal did: removal met a swapped entry and stopped, or swaps happened while it ran.
    expect({ stopped, swappedDuringRemoval }).not.toEqual({ stopped: 0, swappedDuringRemoval: 0 });
  });
});
