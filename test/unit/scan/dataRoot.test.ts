import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { configuredDataRoot, DataRootView, usernsRemovals, volumeDirs } from '../../../src/scan/dataRoot';
import { scanDataRoot } from '../../helpers/scanInProcess';
import { tempDir } from '../../helpers/tempDir';

describe('the data-root scan of a host switched away from zfs', () => {
  it('says the zfs data cannot be measured (its layers are datasets, their mount points empty), instead of counting 0', () => {
    const root = tempDir('scan-zfs');
    // As the zfs driver leaves it once it no longer runs: one empty mount point per dataset, and its image metadata.
    mkdirSync(path.join(root, 'zfs', 'graph', 'a'.repeat(64)), { recursive: true });
    mkdirSync(path.join(root, 'image', 'zfs', 'imagedb'), { recursive: true });
    writeFileSync(path.join(root, 'image', 'zfs', 'imagedb', 'x'), 'metadata');
    mkdirSync(path.join(root, 'vfs', 'dir', 'b'.repeat(64)), { recursive: true });
    writeFileSync(path.join(root, 'vfs', 'dir', 'b'.repeat(64), 'f'), 'left by vfs');
    mkdirSync(path.join(root, 'overlay2'), { recursive: true });
    const result = scanDataRoot({ root, driver: 'overlay2', containerdSnapshotter: false });
    expect(result.unmeasured).toEqual([{ driver: 'zfs', reason: 'zfs_datasets' }]);
    expect(result.orphaned.map((o) => o.driver)).toEqual(['vfs']);
  });
});

describe('what reclaim may remove of another --userns-remap setting', () => {
  /** A configured data root with what a daemon kept before remapping, the remapped root 500000.500000 in use and another user's. */
  function layout(): string {
    const root = tempDir('scan-userns');
    for (const dir of [
      'overlay2/l',
      'image/overlay2',
      'containers/c1',
      'volumes/kept/_data',
      '500000.500000/overlay2',
      '500000.500000/volumes',
      '600000.600000/image',
    ])
      mkdirSync(path.join(root, dir), { recursive: true });
    mkdirSync(path.join(root, 'elsewhere'));
    return root;
  }
  const view = (root: string, usernsRemap: boolean): DataRootView => ({
    root,
    driver: 'overlay2',
    containerdSnapshotter: false,
    layout: 'docker',
    ...(usernsRemap ? { usernsRemap } : {}),
  });

  it("beside a remapped root: the earlier entries, but never volumes/, another user's root or a name Docker does not use", () => {
    const root = layout();
    const remapped = view(path.join(root, '500000.500000'), true);
    expect(configuredDataRoot(remapped)).toBe(root);
    const { removable, volumes, otherRoots } = usernsRemovals(remapped);
    expect(removable.sort()).toEqual(['containers', 'image', 'overlay2'].map((n) => path.join(root, n)));
    expect([...otherRoots, ...volumes].sort()).toEqual([path.join(root, '600000.600000'), path.join(root, 'volumes')]);
    expect(volumeDirs(remapped).sort()).toEqual(
      [path.join(root, '500000.500000', 'volumes'), path.join(root, '600000.600000', 'volumes'), path.join(root, 'volumes')].sort(),
    );
  });

  it('with remapping off: the remapped roots left behind entry by entry, their volumes/ kept', () => {
    const root = layout();
    const { removable, volumes, otherRoots } = usernsRemovals(view(root, false));
    expect(removable.sort()).toEqual([path.join(root, '500000.500000', 'overlay2'), path.join(root, '600000.600000', 'image')]);
    expect([...otherRoots, ...volumes]).toEqual([path.join(root, '500000.500000', 'volumes')]);
    expect(configuredDataRoot(view(root, false))).toBe(root);
  });
});
