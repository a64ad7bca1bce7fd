import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Report } from '../../src/upgrade/report';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { waitFor } from '../helpers/processes';
import { mountLoopImage } from '../helpers/loopImage';
import { tempDir } from '../helpers/tempDir';
import { hiddenPids, treeChecksum } from '../helpers/treeChecksum';

/** GNU du's figure for a path counted into every directory on its filesystem's mount, btrfs subvolumes included: `du -s -B1` without -x. */
function duAcrossSubvolumes(p: string): number {
  return Number(execFileSync('du', ['-s', '-B1', p], { encoding: 'utf8' }).split(/\s/)[0]);
}

/**
 * Docker's btrfs driver keeps every layer in a btrfs subvolume, which has a
 * device number of its own but is no mount point. On a real btrfs loop
 * filesystem, a real dockerd on the btrfs driver, then switched to overlay2:
 * plan sees the writable layers' bytes, the scan counts the driver's left data
 * into its subvolumes as du does without -x, and reclaim removes the
 * subvolumes, with live data byte-identical. (A device-number boundary, as du
 * -x has it, reported 0 bytes for all three.)
 */
describe('a data root on btrfs, its btrfs driver switched to overlay2', () => {
  const dir = tempDir('btrfs');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  let btrfs: { detach(): void } | undefined;
  const hidden = hiddenPids();
  const flags = () => ['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile];
  let writableOnBtrfs = 0;

  beforeAll(async () => {
    btrfs = mountLoopImage(path.join(dir, 'btrfs.img'), ['mkfs.btrfs', '-q'], daemon.dataRoot);
    await daemon.start({ args: ['--storage-driver', 'btrfs'] });
    await daemon.importBusybox();
    await daemon.docker(
      'run',
      '--name',
      'writer',
      '--network',
      'none',
      'busybox:test',
      'sh',
      '-c',
      'busybox dd if=/dev/urandom of=/data bs=1M count=6 2>/dev/null',
    );
  });

  afterAll(async () => {
    await daemon.stop();
    btrfs?.detach();
  });

  it('plan counts the bytes each container wrote into its subvolume', async () => {
    const { code, stdout, stderr } = await runCli(['plan', '--format', 'json', ...flags()]);
    expect([code, stderr]).toEqual([0, expect.any(String)]);
    const plan = JSON.parse(stdout) as { containers: { name: string; writableLayerBytes?: number; writableLayerSource: string }[] };
    const writer = plan.containers.find((c) => c.name === 'writer');
    // Its subvolume holds the image's files (a snapshot) and the 6 MiB it wrote.
    expect(writer?.writableLayerSource).toBe('data_root');
    expect(writer?.writableLayerBytes).toBeGreaterThan(6 * 1024 * 1024);
    writableOnBtrfs = writer?.writableLayerBytes ?? 0;
  });

  it('after the switch to overlay2, check counts the btrfs data left as du counts it into the subvolumes', async () => {
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await daemon.importBusybox();
    await daemon.docker('volume', 'create', 'kept');
    await daemon.docker(
      'run',
      '-d',
      '--name',
      'web',
      '--restart',
      'always',
      '-v',
      'kept:/v',
      'busybox:test',
      'sh',
      '-c',
      'echo live > /v/file; sleep 100000',
    );
    const { stdout } = await runCli(['check', '--format', 'json', ...flags()]);
    const report = JSON.parse(stdout) as Report;
    expect(report.data_root_scan).toBe('complete');
    const left = report.orphaned.filter((o) => o.driver === 'btrfs').reduce((sum, o) => sum + o.bytes, 0);
    const du = duAcrossSubvolumes(path.join(daemon.dataRoot, 'btrfs')) + duAcrossSubvolumes(path.join(daemon.dataRoot, 'image', 'btrfs'));
    const foreign = readdirSync(path.join(daemon.dataRoot, 'containers'))
      .filter((id) => readFileSync(path.join(daemon.dataRoot, 'containers', id, 'config.v2.json'), 'utf8').includes('"Driver":"btrfs"'))
      .map((id) => duAcrossSubvolumes(path.join(daemon.dataRoot, 'containers', id)))
      .reduce((a, b) => a + b, 0);
    expect(left).toBe(du + foreign);
    expect(left).toBeGreaterThan(writableOnBtrfs);
  });

  it('reclaim --yes removes the subvolumes, frees them, and every live byte stays; the daemon runs its container again', async () => {
    const live = () => ({
      overlay2: treeChecksum(path.join(daemon.dataRoot, 'overlay2'), { intoSubvolumes: true }),
      image: treeChecksum(path.join(daemon.dataRoot, 'image', 'overlay2'), { intoSubvolumes: true }),
      volumes: treeChecksum(path.join(daemon.dataRoot, 'volumes'), { intoSubvolumes: true }),
    });
    const before = live();
    const subvolumes = () =>
      execFileSync('btrfs', ['subvolume', 'list', daemon.dataRoot], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('btrfs/subvolumes/'));
    expect(subvolumes().length).toBeGreaterThan(0);
    const { code, stdout } = await runCli(['reclaim', '--yes', ...flags(), ...hidden]);
    expect([code, stdout]).toEqual([0, expect.stringContaining('reclaim: removed')]);
    expect(existsSync(path.join(daemon.dataRoot, 'btrfs'))).toBe(false);
    expect(subvolumes()).toEqual([]);
    expect(live()).toEqual(before);
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'overlay2'] });
    await waitFor('web to run again', async () => ((await daemon.docker('ps', '--format', '{{.Names}}')) === 'web' ? true : undefined));
    expect(await daemon.docker('exec', 'web', 'sh', '-c', 'read x < /v/file; echo $x')).toBe('live');
  });
});
