import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import * as path from 'node:path';
import { planScan, ScanResult } from '../../src/scan/dataRoot';
import { scanDataRoot } from '../helpers/scanInProcess';
import { mergeWalks, walkBuckets } from '../../src/scan/walk';
import { stealingWalk } from '../helpers/stealingWalk';
import { duBytes } from '../helpers/du';
import { tempDir } from '../helpers/tempDir';

const hex = (c: string) => c.repeat(64);

function write(file: string, bytes: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.alloc(bytes, 7));
}

/** A sparse file of `apparent` bytes with `written` bytes of real data at `at`. */
function sparse(file: string, apparent: number, written: number, at: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w');
  ftruncateSync(fd, apparent);
  writeSync(fd, Buffer.alloc(written, 1), 0, written, at);
  closeSync(fd);
}

const orphan = (r: ScanResult, driver: string, reason: string) => r.orphaned.find((o) => o.driver === driver && o.reason === reason)?.bytes;

describe('scanDataRoot on an overlay2 data root laid out on disk', () => {
  const root = tempDir('root');
  const o2 = path.join(root, 'overlay2');
  let mounted = false;

  beforeAll(() => {
    // Referenced: a layer (cache-id) and a container's mount and init layers.
    write(path.join(o2, hex('a'), 'diff/bin/tool'), 10_000);
    write(path.join(o2, hex('b'), 'diff/etc/conf'), 3_000);
    write(path.join(o2, `${hex('b')}-init`, 'diff/etc/hosts'), 100);
    write(path.join(root, 'image/overlay2/layerdb/sha256', hex('1'), 'cache-id'), 0);
    writeFileSync(path.join(root, 'image/overlay2/layerdb/sha256', hex('1'), 'cache-id'), hex('a'));
    mkdirSync(path.join(root, 'image/overlay2/layerdb/mounts/c1'), { recursive: true });
    writeFileSync(path.join(root, 'image/overlay2/layerdb/mounts/c1/mount-id'), hex('b'));
    writeFileSync(path.join(root, 'image/overlay2/layerdb/mounts/c1/init-id'), `${hex('b')}-init`);
    // Unreferenced: two layers nobody names (one with a hardlink into a referenced layer).
    write(path.join(o2, hex('d'), 'diff/big'), 200_000);
    write(path.join(o2, hex('e'), 'diff/small'), 5_000);
    linkSync(path.join(o2, hex('a'), 'diff/bin/tool'), path.join(o2, hex('e'), 'diff/tool-link'));
    linkSync(path.join(o2, hex('d'), 'diff/big'), path.join(o2, hex('e'), 'diff/big-link'));
    // Not orphans: being removed, overlay2's link dir, BuildKit's snapshots.
    write(path.join(o2, `${hex('f')}-removing`, 'diff/x'), 4_000);
    mkdirSync(path.join(o2, 'l'));
    symlinkSync(`../${hex('a')}/diff`, path.join(o2, 'l', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'));
    write(path.join(o2, 'r4nd0mbu1ldk1tsn4psh0t1d', 'diff/cache'), 7_000);
    // A symlink loop and a dangling link: never followed.
    symlinkSync('loop-b', path.join(o2, hex('d'), 'loop-a'));
    symlinkSync('loop-a', path.join(o2, hex('d'), 'loop-b'));
    // Leftovers of the vfs driver, and a container it made.
    write(path.join(root, 'vfs/dir', hex('9'), 'bin/sh'), 50_000);
    write(path.join(root, 'image/vfs/layerdb/sha256', hex('8'), 'cache-id'), 64);
    write(path.join(root, 'containers', hex('c'), 'config.v2.json'), 0);
    writeFileSync(path.join(root, 'containers', hex('c'), 'config.v2.json'), JSON.stringify({ Driver: 'vfs' }));
    write(path.join(root, 'containers', hex('c'), `${hex('c')}-json.log`), 30_000);
    write(path.join(root, 'containers', hex('7'), 'config.v2.json'), 0);
    writeFileSync(path.join(root, 'containers', hex('7'), 'config.v2.json'), JSON.stringify({ Driver: 'overlay2' }));
    // devicemapper's loop files: 100 MB apparent, a little written.
    sparse(path.join(root, 'devicemapper/devicemapper/data'), 100_000_000, 300_000, 4096 * 10);
    sparse(path.join(root, 'devicemapper/devicemapper/metadata'), 2_000_000, 8192, 0);
    write(path.join(root, 'devicemapper/metadata', hex('5')), 200);
    write(path.join(root, 'image/devicemapper/layerdb/sha256', hex('4'), 'cache-id'), 64);
    write(path.join(root, 'volumes/data/_data/file'), 12_345);
    // A mount inside the data root, as a running container's merged/ is.
    mkdirSync(path.join(o2, hex('b'), 'merged'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', path.join(o2, hex('b'), 'merged')]);
      write(path.join(o2, hex('b'), 'merged/in-the-mount'), 1_000_000);
      mounted = true;
    } catch {
      mounted = false;
    }
  });

  afterAll(() => {
    if (mounted) execFileSync('umount', [path.join(o2, hex('b'), 'merged')]);
    rmSync(root, { recursive: true, force: true });
  });

  it('counts each top-level entry as du -sx -B1 does', () => {
    const r = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    expect(r.complete).toBe(true);
    for (const name of ['overlay2', 'vfs', 'image', 'containers', 'devicemapper', 'volumes']) {
      expect([name, r.topLevel.get(name)]).toEqual([name, duBytes(path.join(root, name))]);
    }
  });

  it('does not cross into a mount inside the data root', () => {
    expect(mounted).toBe(true);
    const r = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    expect(r.topLevel.get('overlay2')).toBeLessThan(1_000_000);
  });

  it('counts the inactive drivers with their image metadata, as one du over both paths', () => {
    const r = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    expect(orphan(r, 'vfs', 'inactive_driver')).toBe(duBytes(path.join(root, 'vfs'), path.join(root, 'image/vfs')));
    expect(orphan(r, 'devicemapper', 'inactive_driver')).toBe(
      duBytes(path.join(root, 'devicemapper'), path.join(root, 'image/devicemapper')),
    );
    expect(orphan(r, 'overlay2', 'inactive_driver')).toBeUndefined();
  });

  it('counts a sparse loop file by its allocated blocks, not its apparent size', () => {
    const r = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    const dm = orphan(r, 'devicemapper', 'inactive_driver') ?? 0;
    expect(dm).toBeGreaterThanOrEqual(300_000);
    expect(dm).toBeLessThan(2_000_000);
  });

  it('finds containers of another driver', () => {
    const r = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    expect(orphan(r, 'vfs', 'foreign_container')).toBe(duBytes(path.join(root, 'containers', hex('c'))));
    expect(orphan(r, 'overlay2', 'foreign_container')).toBeUndefined();
  });

  it('finds unreferenced layers, counting hardlinks once, and leaves removing, l/ and build cache alone', () => {
    const r = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    expect(r.orphanedLayers).toBe(2);
    expect(orphan(r, 'overlay2', 'unreferenced_layer')).toBe(duBytes(path.join(o2, hex('d')), path.join(o2, hex('e'))));
    expect(r.buildCacheBytes).toBe(duBytes(path.join(o2, 'r4nd0mbu1ldk1tsn4psh0t1d')));
  });

  it('with the containerd image store, counts the old overlay2 directory as inactive', () => {
    const r = scanDataRoot({ root, driver: 'overlayfs', containerdSnapshotter: true });
    expect(orphan(r, 'overlay2', 'inactive_driver')).toBe(duBytes(o2, path.join(root, 'image/overlay2')));
    expect(r.orphanedLayers).toBe(0);
  });

  it('gives the same figures when walkers steal work from one another, whatever the split, and every walker works', () => {
    const plan = planScan({ root, driver: 'overlay2', containerdSnapshotter: false });
    const whole = mergeWalks([walkBuckets(root, plan.buckets)]);
    for (const [count, slice] of [
      [2, 1],
      [3, 7],
      [5, 3],
    ] as const) {
      const parts = stealingWalk([{ root, buckets: plan.buckets }], count, slice);
      const merged = mergeWalks(parts);
      expect([count, merged.bytes]).toEqual([count, whole.bytes]);
      expect([count, merged.files]).toEqual([count, whole.files]);
      expect([count, parts.map((p) => p.files > 0)]).toEqual([count, parts.map(() => true)]);
    }
  });

  it('reports a data root that does not exist as missing, without throwing', () => {
    const r = scanDataRoot({ root: path.join(root, 'nope'), driver: 'overlay2', containerdSnapshotter: false });
    expect(r.complete).toBe(false);
    expect(r.errors.get('missing')).toBe(1);
  });
});

/** The scan as a user without root's powers sees a data root: run in a child process as nobody. */
describe('scanDataRoot as an unprivileged user', () => {
  const root = tempDir('perm');
  const scanAsNobody = (dataRoot: string) => {
    const script = `const { scanDataRoot } = require(${JSON.stringify(path.join(__dirname, '../../dist/test/helpers/scanInProcess.js'))});
      const r = scanDataRoot({ root: ${JSON.stringify(dataRoot)}, driver: 'overlay2', containerdSnapshotter: false });
      process.stdout.write(JSON.stringify({ ...r, topLevel: [...r.topLevel], errors: [...r.errors] }));`;
    const out = execFileSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    return JSON.parse(out) as { complete: boolean; topLevel: [string, number][]; errors: [string, number][] };
  };
  const duAsNobody = (p: string) => {
    let out: string;
    try {
      out = execFileSync('du', ['-sx', '-B1', p], { uid: 65534, gid: 65534, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout);
    }
    return Number(out.split(/\s/)[0]);
  };

  beforeAll(() => {
    chmodSync(root, 0o755);
    write(path.join(root, 'overlay2', hex('a'), 'diff/readable'), 20_000);
    write(path.join(root, 'overlay2', hex('b'), 'diff/secret'), 40_000);
    execFileSync('chmod', ['-R', 'a+rX', root]);
    chmodSync(path.join(root, 'overlay2', hex('b')), 0o700);
    write(path.join(root, 'closed/inner/file'), 1000);
    chmodSync(path.join(root, 'closed'), 0o700);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('counts an unreadable directory as an error and still measures the rest, as du does', () => {
    const r = scanAsNobody(root);
    expect(r.complete).toBe(true);
    expect(new Map(r.errors).get('permission')).toBe(2);
    expect(new Map(r.topLevel).get('overlay2')).toBe(duAsNobody(path.join(root, 'overlay2')));
    expect(new Map(r.topLevel).get('overlay2')).toBeLessThan(40_000);
  });

  it('says so when it cannot read the data root at all', () => {
    const r = scanAsNobody(path.join(root, 'closed'));
    expect(r.complete).toBe(false);
    expect(new Map(r.errors).get('permission')).toBe(1);
  });
});
