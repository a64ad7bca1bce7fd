import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { removePaths } from '../../../src/reclaim/remove';
import { tempDir } from '../../helpers/tempDir';

describe('removePaths', () => {
  it('removes deepest first, unlinks symbolic links without following them, and counts what it removed', () => {
    const dir = tempDir('remove');
    const keep = path.join(dir, 'keep.txt');
    writeFileSync(keep, 'live data');
    const target = path.join(dir, 'old', 'vfs');
    mkdirSync(path.join(target, 'dir', 'a', 'b', 'c'), { recursive: true });
    writeFileSync(path.join(target, 'dir', 'a', 'b', 'c', 'f'), 'x');
    symlinkSync(keep, path.join(target, 'dir', 'link-to-live-file'));
    symlinkSync(dir, path.join(target, 'dir', 'link-to-parent'));
    const report = removePaths([target, path.join(dir, 'does-not-exist')]);
    expect(report.error).toBeUndefined();
    expect(report.done).toEqual([target, path.join(dir, 'does-not-exist')]);
    expect(report.removed).toBe(8);
    expect(existsSync(target)).toBe(false);
    expect(readFileSync(keep, 'utf8')).toBe('live data');
  });

  it('stops at the first error and says where, removing nothing after it', () => {
    const dir = tempDir('remove-stop');
    const first = path.join(dir, 'first');
    mkdirSync(first);
    writeFileSync(path.join(first, 'f'), 'x');
    const second = path.join(dir, 'second');
    mkdirSync(second);
    // A file that is not a directory where a path was given: fine. A path this process may not list: run as root, so use a bad name instead.
    const report = removePaths([first, `${second}\0bad`, path.join(dir, 'never')]);
    expect(report.done).toEqual([first]);
    expect(report.error?.path).toContain('second');
    expect(existsSync(second)).toBe(true);
  });
});
