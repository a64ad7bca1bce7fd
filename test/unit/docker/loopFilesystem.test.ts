import { FsCounts, loopFilesystemReader } from '../../../src/docker/loopFilesystem';

// f_bavail is deliberately smaller: root's reserved blocks are free to the loop file, as dockerd counts.
const stats = (blocks: number, bfree: number, bavail: number): FsCounts & { bavail: number } => ({ bsize: 4096, blocks, bfree, bavail });

describe('loopFilesystemReader', () => {
  it("counts free as dockerd does (f_bfree, root's reserved blocks too), in the loop file's directory", () => {
    const asked: string[] = [];
    const read = loopFilesystemReader(undefined, (p) => (asked.push(p), stats(2_000_000, 40_000, 10_000)));
    expect(read('/var/lib/docker/devicemapper/devicemapper/data', '/var/lib/docker')).toEqual({
      path: '/var/lib/docker/devicemapper/devicemapper',
      sizeBytes: 2_000_000 * 4096,
      freeBytes: 40_000 * 4096,
    });
    expect(asked).toEqual(['/var/lib/docker/devicemapper/devicemapper']);
  });

  it('reads it where --docker.data-root says the data root is seen, for a loop file inside the data root', () => {
    const asked: string[] = [];
    const read = loopFilesystemReader('/host/docker', (p) => (asked.push(p), stats(1, 1, 1)));
    read('/var/lib/docker/devicemapper/devicemapper/data', '/var/lib/docker');
    read('/elsewhere/data', '/var/lib/docker');
    expect(asked).toEqual(['/host/docker/devicemapper/devicemapper', '/elsewhere']);
  });

  it('says why when statfs fails, without figures', () => {
    const read = loopFilesystemReader(undefined, () => {
      throw Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });
    });
    expect(read('/var/lib/docker/devicemapper/devicemapper/data', '/var/lib/docker')).toEqual({
      path: '/var/lib/docker/devicemapper/devicemapper',
      error: 'ENOENT: no such file or directory',
    });
  });
});
