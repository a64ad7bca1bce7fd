import { decideReclaim, ReclaimFacts, recheckBeforeRemoval } from '../../../src/reclaim/guards';

const root = '/var/lib/docker';
const safe: ReclaimFacts = {
  up: true,
  engine: 'docker',
  root,
  activeDriver: 'overlay2',
  containerdStore: false,
  configured: { driver: 'overlay2', explicitContainerdStore: false },
  scope: root,
  scanComplete: true,
  candidates: [`${root}/vfs`, `${root}/image/vfs`, `${root}/containers/${'a'.repeat(64)}`],
  usernsLeftovers: [],
  kept: [`${root}/volumes`],
  mounts: ['/', '/proc', `${root}/overlay2/${'b'.repeat(64)}/merged`],
  loopBackingFiles: [],
  dmNames: [],
  openPaths: [{ pid: 1, path: `${root}/overlay2/${'b'.repeat(64)}/diff/app.log`, command: 'app' }],
  mountSources: [{ what: 'the overlay mount at /x (this process), its lowerdir', path: `${root}/overlay2/l/ABC` }],
  unreadable: [],
  dataRootIdentity: { same: true },
};

/** Nothing removed, and the reason among the refusals. */
function expectRefused(facts: ReclaimFacts, reason: string): void {
  const decision = decideReclaim(facts);
  expect(decision.paths).toEqual([]);
  expect(decision.refusals.join('\n')).toContain(reason);
}

describe('decideReclaim', () => {
  it('removes what the scan attributes to another driver when every guard holds', () => {
    expect(decideReclaim(safe)).toEqual({ paths: safe.candidates, refusals: [] });
  });

  it.each<[string, Partial<ReclaimFacts>, string]>([
    ['the daemon is down', { up: false }, 'the daemon does not answer'],
    ['the driver in use is not pinned', { configured: { explicitContainerdStore: false } }, 'is not explicitly configured'],
    [
      'the configuration names another driver',
      { configured: { driver: 'vfs', explicitContainerdStore: false } },
      'a restart would change driver',
    ],
    [
      'the configuration cannot be read',
      { configured: { unknown: 'cannot read /proc/1 (EACCES)' } },
      'cannot be told: cannot read /proc/1 (EACCES)',
    ],
    ['the data root was not read in full', { scanComplete: false, scanProblem: 'EACCES' }, 'could not be read in full: EACCES'],
    ['a path lies inside the active driver', { candidates: [`${root}/overlay2/${'c'.repeat(64)}`] }, 'belongs to what the daemon uses'],
    ['a path is the volumes', { candidates: [`${root}/volumes`] }, 'belongs to what the daemon uses'],
    ['a path holds the active driver', { candidates: [`${root}/image`] }, 'belongs to what the daemon uses'],
    ['a path lies outside the data root', { candidates: ['/etc'] }, 'is not inside the data root'],
    ['something is mounted inside', { mounts: [`${root}/vfs/dir/x/proc`] }, 'is mounted inside /var/lib/docker/vfs'],
    [
      'a loop device is backed by a file inside',
      { loopBackingFiles: [`${root}/vfs/data.img`] },
      'a loop device is backed by /var/lib/docker/vfs/data.img',
    ],
    ['a process works inside', { openPaths: [{ pid: 42, path: `${root}/vfs/dir/x`, command: 'bash' }] }, 'process 42 (bash)'],
    ['it is Podman', { engine: 'podman' }, 'this is Podman'],
    [
      '/sys/block could not be read (a private mount namespace hides it): the loop guard could not look',
      { unreadable: ['/sys/block (EACCES)'] },
      'a guard could not look at /sys/block (EACCES): it refuses rather than take that for nothing there',
    ],
    [
      'a directory inside is bind-mounted elsewhere',
      { mountSources: [{ what: 'the ext4 mount at /srv/rescue (this process)', path: `${root}/vfs/dir/x` }] },
      `the ext4 mount at /srv/rescue (this process) uses ${root}/vfs/dir/x, inside ${root}/vfs`,
    ],
    [
      'an overlay uses a layer inside',
      { mountSources: [{ what: 'the overlay mount at /m (process 7), its lowerdir', path: `${root}/vfs/dir/y` }] },
      'its lowerdir uses',
    ],
    [
      "the path given is not the daemon's data root",
      { dataRootIdentity: { same: false, daemonView: '/proc/99/root/var/lib/docker' } },
      `${root} is not the daemon's data root`,
    ],
    [
      'the data root is seen at another path than the daemon names it (a container view)',
      { root: '/host/var/lib/docker', daemonRoot: root, candidates: ['/host/var/lib/docker/vfs'] },
      'the data root is /host/var/lib/docker here but /var/lib/docker to the daemon',
    ],
    [
      "whether it is the daemon's data root cannot be told",
      { dataRootIdentity: { unknown: 'EACCES' } },
      "whether /var/lib/docker is the daemon's data root cannot be told: EACCES",
    ],
    [
      'the containerd image store is not pinned',
      {
        containerdStore: true,
        activeDriver: 'overlayfs',
        configured: { explicitContainerdStore: false },
        candidates: [`${root}/overlay2`],
      },
      'the containerd image store is not explicitly configured',
    ],
  ])('refuses when %s, and removes nothing', (_what, change, reason) => expectRefused({ ...safe, ...change }, reason));

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
      mountSources: [
        {
          what: 'the overlay mount at /m (this process), its lowerdir',
          path: `${root}/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs`,
        },
      ],
    };
    expect(decideReclaim(facts)).toEqual({ paths: facts.candidates, refusals: [] });
  });
});

describe('decideReclaim on what another --userns-remap setting left', () => {
  const remappedRoot = `${root}/500000.500000`;
  /** A daemon remapped since: its data root is <root>/500000.500000; what it kept before is at the top of <root>. */
  const remapped: ReclaimFacts = {
    ...safe,
    root: remappedRoot,
    scope: root,
    configured: { driver: 'overlay2', explicitContainerdStore: false, usernsRemap: 'dde-remap' },
    candidates: [`${root}/overlay2`, `${root}/image`, `${root}/containers`],
    usernsLeftovers: [`${root}/overlay2`, `${root}/image`, `${root}/containers`],
    kept: [`${remappedRoot}/volumes`, `${root}/volumes`, `${root}/600000.600000`],
    mounts: ['/', `${remappedRoot}/overlay2/${'b'.repeat(64)}/merged`],
    openPaths: [{ pid: 7, path: `${remappedRoot}/overlay2/${'b'.repeat(64)}/diff/app.log`, command: 'app' }],
    mountSources: [],
  };

  it('removes the earlier entries beside the remapped root while the configuration keeps the setting', () => {
    expect(decideReclaim(remapped)).toEqual({ paths: remapped.candidates, refusals: [] });
  });

  it.each<[string, Partial<ReclaimFacts>, string]>([
    [
      'the configuration no longer sets --userns-remap: the next start uses the top level again',
      { configured: { driver: 'overlay2', explicitContainerdStore: false } },
      `its next start would take ${root} as its data root again, ${root}/overlay2 with it`,
    ],
    ['the volumes beside it', { candidates: [`${root}/volumes`], usernsLeftovers: [`${root}/volumes`] }, 'belongs to what the daemon uses'],
    ["another user's remapped root", { candidates: [`${root}/600000.600000/image`] }, 'belongs to what the daemon uses'],
    ['the remapped root itself', { candidates: [remappedRoot] }, `holds the data root the daemon uses, ${remappedRoot}`],
    ['the configured root itself', { candidates: [root] }, `${root} is not inside the data root ${root}`],
    ['a path outside the configured root', { candidates: ['/var/lib/other'] }, 'is not inside the data root'],
    [
      'a process works in a leftover',
      { openPaths: [{ pid: 9, path: `${root}/containers/x/log`, command: 'tail' }] },
      'process 9 (tail) has /var/lib/docker/containers/x/log open',
    ],
  ])('refuses when %s, and removes nothing', (_name, change, why) => expectRefused({ ...remapped, ...change }, why));

  it('removes a remapped root left behind (remapping turned off) but refuses while the configuration turns it on again', () => {
    const off: ReclaimFacts = {
      ...safe,
      candidates: [`${root}/500000.500000/overlay2`, `${root}/500000.500000/image`],
      usernsLeftovers: [`${root}/500000.500000/overlay2`, `${root}/500000.500000/image`],
      kept: [`${root}/volumes`, `${root}/500000.500000/volumes`],
    };
    expect(decideReclaim(off)).toEqual({ paths: off.candidates, refusals: [] });
    const pending = decideReclaim({ ...off, configured: { driver: 'overlay2', explicitContainerdStore: false, usernsRemap: 'default' } });
    expect(pending.paths).toEqual([]);
    expect(pending.refusals.join('\n')).toContain(
      `the configuration sets --userns-remap (default), but the daemon runs without it: its next start would use a remapped data root such as ${root}/500000.500000 again`,
    );
    expect(decideReclaim({ ...off, candidates: [`${root}/500000.500000/volumes`] }).refusals.join('\n')).toContain(
      'belongs to what the daemon uses',
    );
  });
});

describe('recheckBeforeRemoval', () => {
  const first = { daemon: { pid: 100, startTime: '5000', driver: 'overlay2', containerdStore: false }, facts: safe };
  const target = `${root}/vfs`;
  it('goes on when the same daemon runs on the same driver and every guard holds for the path', () => {
    expect(recheckBeforeRemoval(first, { ...first }, target)).toBeUndefined();
  });
  it.each<[string, Parameters<typeof recheckBeforeRemoval>[1], string]>([
    ['the daemon stopped answering', { unreachable: 'connect ENOENT' }, 'the daemon does not answer any more (connect ENOENT)'],
    [
      'the daemon was restarted (same pid, another start time)',
      { daemon: { ...first.daemon, startTime: '7000' }, facts: safe },
      'the daemon changed since the first look',
    ],
    [
      'the daemon came back on the old driver',
      {
        daemon: { pid: 230, startTime: '9000', driver: 'vfs', containerdStore: false },
        facts: { ...safe, activeDriver: 'vfs', configured: { driver: 'vfs', explicitContainerdStore: false } },
      },
      'the daemon changed',
    ],
    [
      'a mount appeared inside the path',
      { ...first, facts: { ...safe, mounts: [...safe.mounts, `${root}/vfs/dir/x`] } },
      `${root}/vfs/dir/x is mounted inside ${root}/vfs`,
    ],
    [
      'a process started working inside',
      { ...first, facts: { ...safe, openPaths: [{ pid: 9, path: `${root}/vfs/dir`, command: 'sh' }] } },
      'process 9 (sh)',
    ],
    [
      'the path is no longer a candidate',
      { ...first, facts: { ...safe, candidates: [`${root}/image/vfs`] } },
      'is no longer what the scan attributes',
    ],
  ])('stops when %s', (_what, again, reason) => {
    expect(recheckBeforeRemoval(first, again, target)).toContain(reason);
  });
});
