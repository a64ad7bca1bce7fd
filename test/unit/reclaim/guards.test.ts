import { decideReclaim, ReclaimFacts } from '../../../src/reclaim/guards';

const root = '/var/lib/docker';
const safe: ReclaimFacts = {
  up: true,
  engine: 'docker',
  root,
  activeDriver: 'overlay2',
  containerdStore: false,
  configured: { driver: 'overlay2', explicitContainerdStore: false },
  scanComplete: true,
  candidates: [`${root}/vfs`, `${root}/image/vfs`, `${root}/containers/${'a'.repeat(64)}`],
  mounts: ['/', '/proc', `${root}/overlay2/${'b'.repeat(64)}/merged`],
  loopBackingFiles: [],
  dmNames: [],
  openPaths: [{ pid: 1, path: `${root}/overlay2/${'b'.repeat(64)}/diff/app.log`, command: 'app' }],
};

describe('decideReclaim', () => {
  it('removes what the scan attributes to another driver when every guard holds', () => {
    expect(decideReclaim(safe)).toEqual({ paths: safe.candidates, refusals: [] });
  });

  it.each<[string, Partial<ReclaimFacts>, string]>([
    ['the daemon is down', { up: false }, 'the daemon does not answer'],
    ['the driver in use is not pinned', { configured: { explicitContainerdStore: false } }, 'is not explicitly configured'],
    ['the configuration names another driver', { configured: { driver: 'vfs', explicitContainerdStore: false } }, 'a restart would change driver'],
    ['the configuration cannot be read', { configured: { unknown: 'cannot read /proc/1 (EACCES)' } }, 'cannot be told: cannot read /proc/1 (EACCES)'],
    ['the data root was not read in full', { scanComplete: false, scanProblem: 'EACCES' }, 'could not be read in full: EACCES'],
    ['a path lies inside the active driver', { candidates: [`${root}/overlay2/${'c'.repeat(64)}`] }, 'belongs to what the daemon uses'],
    ['a path is the volumes', { candidates: [`${root}/volumes`] }, 'belongs to what the daemon uses'],
    ['a path holds the active driver', { candidates: [`${root}/image`] }, 'belongs to what the daemon uses'],
    ['a path lies outside the data root', { candidates: ['/etc'] }, 'is not inside the data root'],
    ['something is mounted inside', { mounts: [`${root}/vfs/dir/x/proc`] }, 'is mounted inside /var/lib/docker/vfs'],
    ['a loop device is backed by a file inside', { loopBackingFiles: [`${root}/vfs/data.img`] }, 'a loop device is backed by /var/lib/docker/vfs/data.img'],
    ['a process works inside', { openPaths: [{ pid: 42, path: `${root}/vfs/dir/x`, command: 'bash' }] }, 'process 42 (bash)'],
    ['it is Podman', { engine: 'podman' }, 'this is Podman'],
    [
      'the containerd image store is not pinned',
      { containerdStore: true, activeDriver: 'overlayfs', configured: { explicitContainerdStore: false }, candidates: [`${root}/overlay2`] },
      'the containerd image store is not explicitly configured',
    ],
  ])('refuses when %s, and removes nothing', (_what, change, reason) => {
    const decision = decideReclaim({ ...safe, ...change });
    expect(decision.paths).toEqual([]);
    expect(decision.refusals.join('\n')).toContain(reason);
  });

  it('refuses devicemapper data while a Docker thin pool is active', () => {
    const decision = decideReclaim({ ...safe, candidates: [`${root}/devicemapper`], dmNames: ['docker-8:1-1234-pool'] });
    expect(decision.refusals.join('\n')).toContain('docker-8:1-1234-pool');
  });

  it('takes overlay2 on an explicit containerd image store', () => {
    const facts = {
      ...safe,
      containerdStore: true,
      activeDriver: 'overlayfs',
      configured: { explicitContainerdStore: true },
      candidates: [`${root}/overlay2`, `${root}/image/overlay2`],
      mounts: ['/', `${root}/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs`],
      openPaths: [],
    };
    expect(decideReclaim(facts)).toEqual({ paths: facts.candidates, refusals: [] });
  });
});
