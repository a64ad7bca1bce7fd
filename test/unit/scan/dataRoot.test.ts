import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {} from '../../../src/scan/dataRoot';
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
