import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { duBytes } from '../helpers/du';
import { repoRoot } from '../helpers/exporter';
import { buildTree, TREE_SHAPES, TreeShape } from '../helpers/scanTrees';
import { stealingWalk } from '../helpers/stealingWalk';
import { tempDir } from '../helpers/tempDir';
import { walkBuckets } from '../../src/scan/walk';

// The walker processes are compiled JavaScript: the scan runner is taken from the build, as the exporter runs it.
type RunScan = typeof import('../../src/scan/runScan');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
const { createScanRunner, withWalkers } = require(path.join(repoRoot(), 'dist/src/scan/runScan.js')) as RunScan;

const DRIVER: Record<TreeShape, string> = { layers: 'overlay2', deep: 'vfs', flat: 'vfs', hardlinks: 'overlay2' };

describe.each(Object.keys(TREE_SHAPES) as TreeShape[])('the data-root scan of a %s tree', (shape) => {
  const root = tempDir(`shape-${shape}`);
  beforeAll(() => buildTree(root, shape, 6000));

  it('counts each top-level entry as du -sx -B1 does, with two walker processes sharing the work, scan after scan', async () => {
    const entries = readdirSync(root).filter((name) => name !== '.complete');
    const du = Object.fromEntries(entries.map((name) => [name, duBytes(path.join(root, name))]));
    // Several scans: how the walkers hand work to each other depends on timing, and every timing must add up.
    for (let scan = 0; scan < 8; scan++) {
      const result = await createScanRunner(2)({ root, driver: DRIVER[shape], containerdSnapshotter: false });
      expect([scan, result.complete, Object.fromEntries(entries.map((name) => [name, result.topLevel.get(name)]))]).toEqual([
        scan,
        true,
        du,
      ]);
    }
  });

  it('plans and walks again in one session of walkers: each walk ends, and each adds up as du does', async () => {
    const entries = readdirSync(root).filter((name) => name !== '.complete');
    const du = Object.fromEntries(entries.map((name) => [name, duBytes(path.join(root, name))]));
    const view = { root, driver: DRIVER[shape], containerdSnapshotter: false };
    const buckets = entries.map((name) => ({ id: name, paths: [path.join(root, name)] }));
    const walks = await withWalkers(2, async (session) => {
      await session.plan(view);
      const first = await session.walk([{ root, buckets }]);
      await session.plan(view);
      return [first, await session.walk([{ root, buckets }])];
    });
    for (const walk of walks) expect(Object.fromEntries(entries.map((name) => [name, walk.bytes.get(name)]))).toEqual(du);
  });

  it('keeps every walker busy: each of two and of three walkers stats part of the tree, and the sums agree with one walker', () => {
    const buckets = [{ id: 'all', paths: [root] }];
    const alone = walkBuckets(root, buckets);
    for (const count of [2, 3]) {
      const parts = stealingWalk([{ root, buckets }], count, 200);
      expect([count, parts.map((p) => p.files > 0)]).toEqual([count, parts.map(() => true)]);
      expect([count, parts.reduce((n, p) => n + p.files, 0)]).toEqual([count, alone.files]);
    }
  });
});
