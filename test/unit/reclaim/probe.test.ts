import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseMountInfo } from '../../../src/parse/mountInfo';
import {
  allMountTables,
  deviceMapperNames,
  loopBackingFiles,
  mountSources,
  openPathsUnder,
  openPathsUnderSettled,
} from '../../../src/reclaim/probe';

// As /proc/<pid>/mountinfo has them: the root filesystem, a bind mount of a directory of it, an overlay.
const own = parseMountInfo(
  [
    '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '41 26 254:0 /var/lib/docker/vfs/dir/abc /srv/rescue rw,relatime - ext4 /dev/vda rw',
    '52 26 0:60 / /mnt/merged rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/vfs/dir/def:/opt/base,upperdir=/tmp/up,workdir=/tmp/work',
    '53 26 0:61 / /data\\040disk rw - xfs /dev/vdb rw',
  ].join('\n'),
);

describe('mountSources', () => {
  it('finds a bind mount source where this process sees it, and an overlay lower, upper and work dirs', () => {
    const container = parseMountInfo('90 80 254:0 /var/lib/docker/vfs/dir/ghi /app rw - ext4 /dev/vda rw\n');
    const sources = mountSources(
      [
        { namespace: 'this process', entries: own },
        { namespace: 'process 4242', entries: container },
      ],
      own,
    );
    expect(sources).toEqual(
      expect.arrayContaining([
        { what: 'the ext4 mount at /srv/rescue (this process)', path: '/var/lib/docker/vfs/dir/abc' },
        { what: 'the overlay mount at /mnt/merged (this process), its lowerdir', path: '/var/lib/docker/vfs/dir/def' },
        { what: 'the overlay mount at /mnt/merged (this process), its lowerdir', path: '/opt/base' },
        { what: 'the overlay mount at /mnt/merged (this process), its upperdir', path: '/tmp/up' },
        { what: 'the ext4 mount at /app (process 4242)', path: '/var/lib/docker/vfs/dir/ghi' },
      ]),
    );
    // Whole filesystems mounted at their root use no directory of another mount.
    expect(sources.filter((s) => s.what.includes('/data disk'))).toEqual([]);
  });

  it('undoes the octal escapes of mount points', () => {
    expect(own.map((m) => m.mountPoint)).toContain('/data disk');
  });
});

describe('the device probes tell "nothing there" from "could not look"', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  /** A fake sysfs: /block with loop0 (bound to a file), loop1 (bound to nothing), dm-0 (a pool). */
  function sysfs(): string {
    const sys = mkdtempSync(path.join(tmpdir(), 'dde-unit-sysfs-'));
    made.push(sys);
    mkdirSync(path.join(sys, 'block', 'loop0', 'loop'), { recursive: true });
    writeFileSync(path.join(sys, 'block', 'loop0', 'loop', 'backing_file'), '/var/lib/docker/devicemapper/devicemapper/data\n');
    mkdirSync(path.join(sys, 'block', 'loop1'), { recursive: true });
    mkdirSync(path.join(sys, 'block', 'dm-0', 'dm'), { recursive: true });
    writeFileSync(path.join(sys, 'block', 'dm-0', 'dm', 'name'), 'docker-254:0-131110-pool\n');
    return sys;
  }

  it('reads what is there; an unbound loop device has nothing to say', () => {
    const sys = sysfs();
    expect(loopBackingFiles(sys, false)).toEqual({ found: ['/var/lib/docker/devicemapper/devicemapper/data'], unreadable: [] });
    expect(deviceMapperNames(sys, false)).toEqual({ found: ['docker-254:0-131110-pool'], unreadable: [] });
  });

  it('an empty directory where sysfs should be (mounted over it) is a look that failed; the real /sys/block is sysfs', () => {
    const sys = sysfs();
    expect(loopBackingFiles(sys).unreadable[0]?.what).toMatch(new RegExp(`^${sys}/block \\(not sysfs: filesystem type 0x[0-9a-f]+\\)$`));
    expect(loopBackingFiles().unreadable).toEqual([]);
  });

  it('a /sys/block it cannot see is a look that failed, not "no loop devices"', () => {
    const missing = path.join(tmpdir(), 'dde-unit-no-such-sysfs');
    expect(loopBackingFiles(missing)).toEqual({ found: [], unreadable: [{ what: `${missing}/block (missing)` }] });
    expect(deviceMapperNames(missing).unreadable).toHaveLength(1);
  });

  it('a file that is there but cannot be read is a look that failed', () => {
    const sys = sysfs();
    // A directory where the file should be: reading it fails with EISDIR, as an unreadable file would fail.
    rmSync(path.join(sys, 'block', 'dm-0', 'dm', 'name'));
    mkdirSync(path.join(sys, 'block', 'dm-0', 'dm', 'name'));
    expect(deviceMapperNames(sys, false)).toEqual({ found: [], unreadable: [{ what: `${sys}/block/dm-0/dm/name (EISDIR)` }] });
  });

  it('an unreadable /proc leaves the mount tables and open files unknown, said so', () => {
    const missing = path.join(tmpdir(), 'dde-unit-no-such-proc');
    expect(allMountTables(missing).unreadable).toContainEqual({ what: `${missing} (missing)` });
    expect(openPathsUnder(tmpdir(), missing).unreadable).toEqual([{ what: `${missing} (missing)` }]);
  });

  it('looking twice (openPathsUnderSettled) keeps what could not be looked at that is no process: an unreadable /proc still says so', async () => {
    const missing = path.join(tmpdir(), 'dde-unit-no-such-proc');
    expect((await openPathsUnderSettled(tmpdir(), missing)).unreadable).toEqual([{ what: `${missing} (missing)` }]);
  });
});
