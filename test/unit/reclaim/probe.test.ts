import { parseMountInfo } from '../../../src/parse/mountInfo';
import { mountSources } from '../../../src/reclaim/probe';

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
