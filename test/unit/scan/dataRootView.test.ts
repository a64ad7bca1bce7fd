import type { DaemonSnapshot } from '../../../src/collector/snapshot';
import { dataRootViewOf } from '../../../src/scan/dataRootView';

/** What dataRootViewOf reads of a collection: the engine and /info. */
const snapshot = (info: Partial<NonNullable<DaemonSnapshot['info']>>): DaemonSnapshot =>
  ({ engine: 'docker', info: { driver: 'overlay2', containerdSnapshotter: false, ...info } }) as unknown as DaemonSnapshot;

describe('dataRootViewOf', () => {
  it("takes /info's DockerRootDir, remapped or not", () => {
    expect(dataRootViewOf(snapshot({ dockerRootDir: '/var/lib/docker' }))?.root).toBe('/var/lib/docker');
    expect(dataRootViewOf(snapshot({ dockerRootDir: '/var/lib/docker/500000.500000', usernsRemap: true }))?.root).toBe(
      '/var/lib/docker/500000.500000',
    );
  });

  it('takes --docker.data-root naming the configured data root of a remapped daemon as its <uid>.<gid> directory', () => {
    const remapped = snapshot({ dockerRootDir: '/var/lib/docker/500000.500000', usernsRemap: true });
    expect(dataRootViewOf(remapped, { dataRoot: '/host/var/lib/docker' })?.root).toBe('/host/var/lib/docker/500000.500000');
    expect(dataRootViewOf(remapped, { dataRoot: '/host/var/lib/docker/500000.500000' })?.root).toBe('/host/var/lib/docker/500000.500000');
    expect(dataRootViewOf(snapshot({ dockerRootDir: '/var/lib/docker' }), { dataRoot: '/host/var/lib/docker' })?.root).toBe(
      '/host/var/lib/docker',
    );
  });
});
