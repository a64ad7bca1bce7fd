import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../helpers/processes';

// The walker processes are compiled JavaScript: the scan runner is taken from the build, as the exporter runs it.
type RunScan = typeof import('../../src/scan/runScan');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
const runScan = require(path.join(__dirname, '../../dist/src/scan/runScan.js')) as RunScan;

/** Field 19 of /proc/<pid>/stat (after the command name): the nice value. */
const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);

describe('the data-root walkers yield to the containers', () => {
  it('run at the idle I/O class and nice 10, as ionice and /proc say, and still answer', async () => {
    const walker = runScan.startWalker();
    try {
      const pid = walker.pid ?? 0;
      // ionice execs node in its own process: the same pid, once node runs the walker.
      await waitFor(
        'the walker to be node',
        () => (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node' ? true : undefined),
        10000,
        20,
      );
      await waitFor('the walker to lower its priority', () => (niceOf(pid) === 10 ? true : undefined), 10000, 20);
      expect(execFileSync('ionice', ['-p', String(pid)], { encoding: 'utf8' }).trim()).toBe('idle');
      const answered = new Promise((resolve) => walker.once('message', resolve));
      walker.send({ type: 'start', trees: [], begin: [] });
      walker.send({ type: 'finish' });
      await expect(answered).resolves.toBeDefined();
    } finally {
      walker.kill();
    }
  });
});
