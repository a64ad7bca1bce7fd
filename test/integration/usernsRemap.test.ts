import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { duBytes } from '../helpers/du';
import { Metrics, TestExporter } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';
import { heldOpenBy, hiddenPids, treeListing, withoutContentsOf } from '../helpers/treeChecksum';

/** scripts/install-test-packages makes this user and its subordinate ids 500000-565535: the remapped root is 500000.500000. */
const REMAP_USER = 'dde-remap';
const REMAPPED = '500000.500000';

/**
 * A real dockerd that wrote a container and a volume, then was restarted with
 * --userns-remap, as an operator hardening a host would: dockerd moves to
 * <data-root>/500000.500000 and everything it kept before stays at the top
 * level, unreferenced. Then remapping is turned off again: the remapped root
 * is what is left.
 */
describe('a real daemon restarted with --userns-remap, and back', () => {
  const dir = tempDir('userns');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const explicit = ['--storage-driver', 'overlay2'];
  let metrics: Metrics;
  /** The data root's entries before remapping, left at its top level. */
  let leftBehind: string[] = [];

  beforeAll(async () => {
    await daemon.start({ args: explicit });
    await daemon.importBusybox();
    await daemon.docker('run', '--name', 'writer', 'busybox:test', 'sh', '-c', 'dd if=/dev/zero of=/blob bs=1k count=2048 2>/dev/null');
    await daemon.docker('volume', 'create', 'kept');
    await daemon.docker('run', '--rm', '-v', 'kept:/v', 'busybox:test', 'sh', '-c', 'echo precious > /v/file');
    leftBehind = readdirSync(daemon.dataRoot);
    await daemon.stop();
    // The remapped root user must be able to pass through every directory above its data root (dockerd checks).
    for (const above of [dir, path.dirname(daemon.dataRoot)]) chmodSync(above, 0o711);
    await daemon.start({ args: [...explicit, '--userns-remap', REMAP_USER] });
    await daemon.importBusybox();
    await exporter.startOn(daemon, '--scan.interval', '1h');
    metrics = await exporter.scanned();
  });

  afterAll(async () => {
    await exporter.stop();
    await daemon.stop();
  });

  it('the remapped daemon keeps its data in <data-root>/500000.500000, and the earlier entries are still at the top level', async () => {
    expect(await daemon.docker('info', '--format', '{{.DockerRootDir}}')).toBe(path.join(daemon.dataRoot, REMAPPED));
    expect(leftBehind).toEqual(expect.arrayContaining(['overlay2', 'image', 'containers', 'volumes']));
    expect(readdirSync(daemon.dataRoot).sort()).toEqual([...leftBehind, REMAPPED].sort());
  });

  it('still knows the driver is pinned: the pid file names this daemon though /info reports the remapped root', () => {
    expect(metrics.value('docker_storage_driver_explicit_known')).toBe(1);
    expect(metrics.value('docker_storage_driver_explicit', { source: 'flag' })).toBe(1);
  });

  it('counts what the daemon left before remapping as orphaned (userns_remap), byte for byte as du', () => {
    const bytes = metrics.value('docker_data_root_orphaned_bytes', { driver: 'overlay2', reason: 'userns_remap' });
    expect(bytes).toBe(duBytes(...leftBehind.map((name) => path.join(daemon.dataRoot, name))));
    expect(bytes).toBeGreaterThan(2048 * 1024);
    // The remapped root's own entries are measured as the data root's, not as leftovers.
    expect(metrics.all('docker_data_root_bytes').map((s) => s.labels['dir'])).not.toContain(REMAPPED);
  });

  it('check says where the leftovers come from, and that the volumes are among them', async () => {
    const { stdout } = await runCli(['check', '--format', 'json', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
    const report = JSON.parse(stdout) as {
      orphaned: { driver: string; reason: string; bytes: number }[];
      verdict: { warnings: { reason: string; message: string }[] };
    };
    expect(report.orphaned).toContainEqual({
      driver: 'overlay2',
      reason: 'userns_remap',
      bytes: duBytes(...leftBehind.map((name) => path.join(daemon.dataRoot, name))),
    });
    const warning = report.verdict.warnings.find((w) => w.reason === 'userns_remap_leftovers');
    expect(warning?.message).toContain('another --userns-remap setting');
    expect(warning?.message).toContain('volumes');
  });

  const reclaim = (...more: string[]) =>
    runCli(['reclaim', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...hiddenPids(), ...more]);
  const held = () => (daemon.pid === undefined ? new Set<string>() : heldOpenBy(daemon.pid));

  it('reclaim without --yes lists the earlier entries but volumes/, says how to remove those by hand, and changes nothing', async () => {
    const heldBefore = held();
    const before = treeListing(daemon.dataRoot);
    const { code, stdout } = await reclaim();
    expect(`exit ${code}\n${stdout}`).toMatch(/^exit 0\n/);
    const listed = [...stdout.matchAll(/^ +[\d.]+ \w?B +(\S+)$/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(leftBehind.filter((name) => name !== 'volumes').sort());
    // Volumes are user data the remapped daemon cannot see: only by hand, and the command names them alone.
    expect(/rm -rf --one-file-system (.*)$/m.exec(stdout)?.[1]).toBe(path.join(daemon.dataRoot, 'volumes'));
    const heldNow = new Set([...heldBefore, ...held()]);
    expect(withoutContentsOf(treeListing(daemon.dataRoot), daemon.dataRoot, heldNow)).toEqual(
      withoutContentsOf(before, daemon.dataRoot, heldNow),
    );
  });

  it('reclaim --yes removes them under every guard, keeps volumes/ and the remapped root, and the daemon runs on', async () => {
    const remappedRoot = path.join(daemon.dataRoot, REMAPPED);
    const heldBefore = held();
    const remappedBefore = treeListing(remappedRoot);
    const earlier = duBytes(...leftBehind.filter((name) => name !== 'volumes').map((name) => path.join(daemon.dataRoot, name)));
    const { code, stdout } = await reclaim('--yes');
    expect(`exit ${code}\n${stdout}`).toMatch(/^exit 0\n/);
    const gained = Number(/the filesystem gained .* \((\d+) bytes/.exec(stdout)?.[1]);
    expect(gained).toBeGreaterThan(2048 * 1024);
    expect(gained).toBeLessThanOrEqual(earlier + 1024 * 1024);
    expect(readdirSync(daemon.dataRoot).sort()).toEqual([REMAPPED, 'volumes']);
    expect(readFileSync(path.join(daemon.dataRoot, 'volumes', 'kept', '_data', 'file'), 'utf8')).toBe('precious\n');
    const heldNow = new Set([...heldBefore, ...held()]);
    expect(withoutContentsOf(treeListing(remappedRoot), remappedRoot, heldNow)).toEqual(
      withoutContentsOf(remappedBefore, remappedRoot, heldNow),
    );
    expect(await daemon.docker('run', '--rm', 'busybox:test', 'sh', '-c', 'echo still runs')).toBe('still runs');
  });

  it('with remapping turned off again, counts the remapped root as what is left, byte for byte as du', async () => {
    const at = metrics.value('docker_data_root_scan_timestamp_seconds');
    await daemon.stop();
    await daemon.start({ args: explicit });
    metrics = await exporter.scanned(at);
    expect(await daemon.docker('info', '--format', '{{.DockerRootDir}}')).toBe(daemon.dataRoot);
    expect(metrics.value('docker_data_root_orphaned_bytes', { driver: 'overlay2', reason: 'userns_remap' })).toBe(
      duBytes(path.join(daemon.dataRoot, REMAPPED)),
    );
    // What reclaim removed was the earlier daemon's images and containers; its volume is back in use.
    expect(await daemon.docker('ps', '-a', '--format', '{{.Names}}')).toBe('');
    await daemon.importBusybox();
    expect(await daemon.docker('run', '--rm', '-v', 'kept:/v', 'busybox:test', 'sh', '-c', 'cat /v/file')).toBe('precious');
  });

  it('reclaim --yes then removes the remapped root left behind, entry by entry, but its volumes/', async () => {
    const remappedRoot = path.join(daemon.dataRoot, REMAPPED);
    const entries = readdirSync(remappedRoot);
    expect(entries).toEqual(expect.arrayContaining(['overlay2', 'image', 'volumes']));
    // While daemon.json turns remapping on again (the next start would use that root), it refuses and removes nothing.
    writeFileSync(daemon.configFile, JSON.stringify({ 'userns-remap': REMAP_USER }));
    const before = treeListing(remappedRoot);
    const pending = await reclaim('--yes');
    writeFileSync(daemon.configFile, '{}');
    expect(`exit ${pending.code}\n${pending.stdout}`).toMatch(/^exit 2\n/);
    expect(pending.stdout).toContain(`the configuration sets --userns-remap (${REMAP_USER}), but the daemon runs without it`);
    expect(treeListing(remappedRoot)).toEqual(before);
    const { code, stdout } = await reclaim('--yes');
    expect(`exit ${code}\n${stdout}`).toMatch(/^exit 0\n/);
    const listed = [...stdout.matchAll(/^ +[\d.]+ \w?B +(\S+)$/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(
      entries
        .filter((name) => name !== 'volumes')
        .map((name) => `${REMAPPED}/${name}`)
        .sort(),
    );
    expect(readdirSync(remappedRoot)).toEqual(['volumes']);
    expect(await daemon.docker('run', '--rm', '-v', 'kept:/v', 'busybox:test', 'sh', '-c', 'cat /v/file')).toBe('precious');
  });
});
