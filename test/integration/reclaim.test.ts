import { execFile, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statfsSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';
import { runCli, CliResult } from '../helpers/cli';
import { TestDaemon } from '../helpers/dockerd';
import { duBytes } from '../helpers/du';
import { EXPORTER_BIN } from '../helpers/exporter';
import { stopPid, waitFor } from '../helpers/processes';
import { mountLoopImage } from '../helpers/loopImage';
import { tempDir } from '../helpers/tempDir';
import { heldOpenBy, hiddenPids, treeChecksum, treeListing, withoutContentsOf } from '../helpers/treeChecksum';

const readlinkSafe = (link: string): string | undefined => {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
};

/**
 * A dockerd switched from vfs to overlay2, explicitly, with running
 * containers, images and volumes on overlay2: reclaim gives back the vfs
 * data and touches nothing else; every guard refuses when it should.
 */
describe('reclaim on a daemon switched from vfs to overlay2', () => {
  const dir = tempDir('reclaim');
  const daemon = new TestDaemon(path.join(dir, 'daemon'));
  const explicit = ['--storage-driver', 'overlay2'];
  const hidden = hiddenPids();
  const reclaim = (...args: string[]): Promise<CliResult> =>
    runCli(['reclaim', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...hidden, ...args]);
  let live: () => Record<string, string>;
  // What the daemon's processes hold open they rewrite at their own time (their garbage collectors):
  // listed without their contents, so that the check is of what reclaim does.
  const daemonsOwn = (): Set<string> => (daemon.pid === undefined ? new Set() : heldOpenBy(daemon.pid));
  /** The data root as before, but for the contents of what the daemon held open before or holds now; a difference fails naming its paths. */
  const expectUnchanged = (heldBefore: Set<string>, before: Record<string, string>): void => {
    const held = new Set([...heldBefore, ...daemonsOwn()]);
    expect(withoutContentsOf(treeListing(daemon.dataRoot), daemon.dataRoot, held)).toEqual(
      withoutContentsOf(before, daemon.dataRoot, held),
    );
  };
  // The data root on a filesystem of the test's own (a loop-mounted ext4 image): statfs before and after
  // a removal then moves by what was removed only, whatever else on this machine writes meanwhile
  // (it failed by 30 MB once when another process wrote to the shared filesystem during the suite).
  let ownFilesystem: { detach(): void } | undefined;

  beforeAll(async () => {
    ownFilesystem = mountLoopImage(path.join(dir, 'dataroot.img'), ['mkfs.ext4', '-q', '-F'], daemon.dataRoot);
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    await daemon.importBusybox();
    await daemon.docker(
      'run',
      '--name',
      'old-writer',
      'busybox:test',
      'sh',
      '-c',
      'i=0; while [ $i -lt 200 ]; do echo some-data-written-in-the-layer-$i >> /data-$((i % 10)); i=$((i+1)); done',
    );
    await daemon.docker('create', '--name', 'old-idle', 'busybox:test', 'true');
    await daemon.docker('volume', 'create', 'shared');
    await daemon.docker('run', '--rm', '-v', 'shared:/v', 'busybox:test', 'sh', '-c', 'echo precious > /v/file');
    await daemon.stop();
    await daemon.start({ args: explicit });
    await daemon.importBusybox();
    await daemon.docker('run', '-d', '--name', 'web', '--restart', 'always', '-v', 'shared:/v', 'busybox:test', 'sleep', '100000');
    await daemon.docker('run', '-d', '--name', 'worker', '--restart', 'always', 'busybox:test', 'sleep', '100000');
    const liveIds = (await daemon.docker('ps', '-aq', '--no-trunc')).split('\n').filter(Boolean);
    const root = daemon.dataRoot;
    live = () => ({
      overlay2: treeChecksum(path.join(root, 'overlay2')),
      image: treeChecksum(path.join(root, 'image', 'overlay2')),
      volumes: treeChecksum(path.join(root, 'volumes')),
      ...Object.fromEntries(liveIds.map((id) => [id, treeChecksum(path.join(root, 'containers', id))])),
    });
  });
  afterAll(async () => {
    await daemon.stop();
    ownFilesystem?.detach();
  });

  it('a dry run lists the vfs data with its size as du counts it, and changes nothing', async () => {
    const heldBefore = daemonsOwn();
    const before = treeListing(daemon.dataRoot);
    const { code, stdout } = await reclaim();
    expect(code).toBe(0);
    expect(stdout).toContain('would remove (a dry run; --yes removes)');
    expect(stdout).toMatch(/\s+vfs\n/);
    expect(stdout).toMatch(/\s+image\/vfs\n/);
    expect(stdout.match(/containers\/[0-9a-f]{64}/g)).toHaveLength(2);
    const paths = ['vfs', 'image/vfs', ...(stdout.match(/containers\/[0-9a-f]{64}/g) ?? [])].map((p) => path.join(daemon.dataRoot, p));
    expect(Number(/\((\d+) bytes, as du -sx -B1 counts, into btrfs subvolumes too\)/.exec(stdout)?.[1])).toBe(duBytes(...paths));
    expectUnchanged(heldBefore, before);
  });

  it('takes no confirmation from the environment: DOCKER_EXPORTER_YES (set to anything) exits 2 naming it, and removes nothing', async () => {
    const heldBefore = daemonsOwn();
    const before = treeListing(daemon.dataRoot);
    for (const value of ['no', '1', 'true']) {
      const { code, stdout, stderr } = await runCli(
        ['reclaim', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...hidden],
        { ...process.env, DOCKER_EXPORTER_YES: value },
      );
      expect(code).toBe(2);
      expect(stderr).toContain('DOCKER_EXPORTER_YES: --yes is taken from the command line only');
      expect(stdout).not.toContain('removed');
    }
    expectUnchanged(heldBefore, before);
  });

  it('refuses while a tmpfs is mounted inside the old driver directory', async () => {
    const mountPoint = path.join(daemon.dataRoot, 'vfs', 'mounted-here');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mountPoint]);
    try {
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain(`${mountPoint} is mounted inside ${path.join(daemon.dataRoot, 'vfs')}`);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
    expect(existsSync(path.join(daemon.dataRoot, 'vfs'))).toBe(true);
  });

  it('refuses while a loop device is backed by a file inside it', async () => {
    const image = path.join(daemon.dataRoot, 'vfs', 'loop.img');
    const fd = openSync(image, 'w');
    writeSync(fd, Buffer.alloc(1), 0, 1, 16 * 1024 * 1024 - 1);
    closeSync(fd);
    const device = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
    try {
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain(`a loop device is backed by ${image}`);
    } finally {
      execFileSync('losetup', ['--detach', device]);
    }
  });

  it.each([
    ['/sys unmounted', 'umount -l /sys', /a guard could not look at \/sys\/block \((missing|ENOENT)\)/],
    [
      'an empty tmpfs over /sys/block',
      'mount -t tmpfs none /sys/block',
      /a guard could not look at \/sys\/block \(not sysfs: filesystem type 0x1021994\)/,
    ],
  ])(
    'refuses when it cannot see the loop devices (%s in its own mount namespace), where a loop device is backed by a file inside',
    async (_how, hide, refusal) => {
      const image = path.join(daemon.dataRoot, 'vfs', 'hidden-loop.img');
      const fd = openSync(image, 'w');
      writeSync(fd, Buffer.alloc(1), 0, 1, 16 * 1024 * 1024 - 1);
      closeSync(fd);
      const device = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
      try {
        const args = ['reclaim', '--yes', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...hidden];
        // reclaim in a mount namespace of its own where the loop devices cannot be seen.
        const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
          execFile(
            'unshare',
            ['-m', '--propagation', 'private', 'sh', '-c', `${hide} && exec "$0" "$@"`, process.execPath, EXPORTER_BIN, ...args],
            { timeout: 120000 },
            (err, out) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, stdout: out }),
          );
        });
        expect(code).toBe(2);
        expect(stdout).toMatch(refusal);
        expect(existsSync(image)).toBe(true);
      } finally {
        execFileSync('losetup', ['--detach', device]);
        execFileSync('rm', ['-f', image]);
      }
    },
  );

  it('refuses while a file inside it is held open through a bind mount of a parent of the data root (seen by device and inode, not by path)', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    // The data root's parent, with the data root's own filesystem below it, at another path.
    execFileSync('mount', ['--rbind', path.dirname(daemon.dataRoot), elsewhere]);
    const layer = oldLayer();
    const through = path.join(elsewhere, path.basename(daemon.dataRoot), path.relative(daemon.dataRoot, layer), 'bin', 'busybox');
    const child = spawn('sh', ['-c', 'exec 3< "$0"; exec sleep 1000', through], { stdio: 'ignore' });
    try {
      await waitFor('the file to be held open', () =>
        child.pid && readdirSync(`/proc/${child.pid}/fd`).some((f) => readlinkSafe(`/proc/${child.pid}/fd/${f}`) === through)
          ? true
          : undefined,
      );
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain(
        `process ${child.pid} (sleep) has ${path.join(layer, 'bin', 'busybox')} open, inside ${path.join(daemon.dataRoot, 'vfs')}`,
      );
      expect(existsSync(path.join(layer, 'bin', 'busybox'))).toBe(true);
    } finally {
      await stopPid(child.pid);
      execFileSync('umount', ['-R', '-l', elsewhere]);
    }
  });

  it('refuses while a process works inside it', async () => {
    const cwd = path.join(daemon.dataRoot, 'vfs');
    const child = spawn('sleep', ['1000'], { cwd, stdio: 'ignore' });
    try {
      await waitFor('the process', () => (child.pid ? true : undefined));
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain(`process ${child.pid} (sleep) has ${cwd} open`);
    } finally {
      await stopPid(child.pid);
    }
  });

  /** A directory of the old driver: one container's or image's copy under vfs/dir. */
  const oldLayer = () => {
    const layers = path.join(daemon.dataRoot, 'vfs', 'dir');
    return path.join(layers, readdirSync(layers).sort()[0] ?? '');
  };

  it("refuses while a directory of the old driver is bind-mounted elsewhere (an operator's rescue copy), naming the mount", async () => {
    const layer = oldLayer();
    const rescue = path.join(dir, 'rescue');
    mkdirSync(rescue);
    execFileSync('mount', ['--bind', layer, rescue]);
    const before = treeChecksum(layer);
    try {
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toMatch(
        new RegExp(`the \\S+ mount at ${rescue} \\(this process\\) uses ${layer}, inside ${path.join(daemon.dataRoot, 'vfs')}`),
      );
      expect(treeChecksum(rescue)).toBe(before);
    } finally {
      execFileSync('umount', [rescue]);
    }
    expect(treeChecksum(layer)).toBe(before);
  });

  it("refuses while an overlay mount's lowerdir lies inside it", async () => {
    const layer = oldLayer();
    const [upper, work, merged] = ['upper', 'work', 'merged'].map((d) => path.join(dir, `ovl-${d}`)) as [string, string, string];
    for (const d of [upper, work, merged]) mkdirSync(d);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layer},upperdir=${upper},workdir=${work}`, merged]);
    try {
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain(
        `the overlay mount at ${merged} (this process), its lowerdir uses ${layer}, inside ${path.join(daemon.dataRoot, 'vfs')}`,
      );
    } finally {
      execFileSync('umount', [merged]);
    }
    expect(existsSync(layer)).toBe(true);
  });

  it("refuses a --docker.data-root that is not the daemon's data root, naming both, and removes nothing there", async () => {
    const other = path.join(dir, 'not-the-data-root');
    mkdirSync(path.join(other, 'vfs', 'dir', 'x'), { recursive: true });
    writeFileSync(path.join(other, 'vfs', 'dir', 'x', 'file'), 'not docker data');
    const { code, stdout } = await reclaim('--yes', '--docker.data-root', other);
    expect(code).toBe(2);
    expect(stdout).toContain(
      `${other} is not the daemon's data root: the daemon keeps its data in /proc/${daemon.pid}/root${daemon.dataRoot}, another directory`,
    );
    expect(readFileSync(path.join(other, 'vfs', 'dir', 'x', 'file'), 'utf8')).toBe('not docker data');
  });

  it("refuses when the data root is reached by another path than the daemon's (a container's /host view), whose path guards would see nothing", async () => {
    const view = path.join(dir, 'host', 'var-lib-docker');
    mkdirSync(view, { recursive: true });
    execFileSync('mount', ['--bind', daemon.dataRoot, view]);
    try {
      const { code, stdout } = await reclaim('--yes', '--docker.data-root', view);
      expect(code).toBe(2);
      expect(stdout).toContain(`the data root is ${view} here but ${daemon.dataRoot} to the daemon, its processes and mounts`);
    } finally {
      execFileSync('umount', [view]);
    }
    expect(existsSync(path.join(daemon.dataRoot, 'vfs'))).toBe(true);
  });

  if (hidden.length > 0) {
    it('refuses while a process cannot be looked into (here pid 1, hidden by this sandbox), unless the operator names it', async () => {
      const { code, stdout } = await runCli(['reclaim', '--yes', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile]);
      expect(code).toBe(2);
      expect(stdout).toMatch(/the open files of processes 1 \([^)]*\)[^\n]* cannot be checked/);
      expect(existsSync(path.join(daemon.dataRoot, 'vfs'))).toBe(true);
    });
  }

  it('refuses a user who cannot read the data root', async () => {
    // The user reaches the daemon (the socket and the directories on the way to it), not the data root (dockerd's 0710).
    const modes = [dir, daemon.dir].map((d) => statSync(d).mode & 0o7777);
    chmodSync(dir, 0o711);
    chmodSync(daemon.dir, 0o711);
    chmodSync(daemon.socket, 0o666);
    const { status, stdout } = ((): { status: number; stdout: string } => {
      try {
        return {
          status: 0,
          stdout: execFileSync(
            process.execPath,
            [EXPORTER_BIN, 'reclaim', '--yes', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile],
            { uid: 65534, gid: 65534, encoding: 'utf8' },
          ),
        };
      } catch (err) {
        return { status: (err as { status: number }).status, stdout: (err as { stdout: string }).stdout };
      }
    })();
    chmodSync(daemon.socket, 0o660);
    chmodSync(daemon.dir, modes[1] ?? 0o755);
    chmodSync(dir, modes[0] ?? 0o700);
    expect(status).toBe(2);
    expect(stdout).toContain('refused');
    expect(stdout).toContain('  - the data root could not be read in full: ');
  });

  it('refuses when the driver in use is not explicitly configured: a restart could fall back to vfs', async () => {
    await daemon.stop();
    await daemon.start();
    try {
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain('the storage driver overlay2 is not explicitly configured');
    } finally {
      await daemon.stop();
      await daemon.start({ args: explicit });
    }
  });

  it('refuses when the daemon does not answer', async () => {
    await daemon.stop();
    try {
      const { code, stdout } = await reclaim('--yes');
      expect(code).toBe(2);
      expect(stdout).toContain('the daemon does not answer');
    } finally {
      await daemon.start({ args: explicit });
    }
  });

  it('with --yes, frees the vfs data (du and statfs agree), and every live byte stays; the restarted daemon runs all', async () => {
    const before = live();
    const dry = await reclaim();
    const expected = Number(/\((\d+) bytes, as du -sx -B1 counts, into btrfs subvolumes too\)/.exec(dry.stdout)?.[1]);
    const free = () => {
      const s = statfsSync(daemon.dataRoot);
      return s.bavail * s.bsize;
    };
    const freeBefore = free();
    const { code, stdout } = await reclaim('--yes');
    const gained = free() - freeBefore;
    expect(code).toBe(0);
    expect(stdout).toMatch(/removed 4 of 4 paths/);
    expect(existsSync(path.join(daemon.dataRoot, 'vfs'))).toBe(false);
    expect(existsSync(path.join(daemon.dataRoot, 'image', 'vfs'))).toBe(false);
    // The data root's own filesystem: only the daemon writes there (a few blocks of its metadata either way).
    expect(Math.abs(gained - expected)).toBeLessThan(Math.max(1024 * 1024, expected * 0.02));
    expect(statfsSync(daemon.dataRoot).blocks * statfsSync(daemon.dataRoot).bsize).toBeLessThan(1.1e9);
    expect(Number(/gained [^(]*\((-?\d+) bytes/.exec(stdout)?.[1])).toBeGreaterThan(expected * 0.9);
    expect(live()).toEqual(before);

    await daemon.stop();
    await daemon.start({ args: explicit });
    await waitFor('the containers to run again', async () =>
      (await daemon.docker('ps', '--format', '{{.Names}}')).split('\n').sort().join(',') === 'web,worker' ? true : undefined,
    );
    expect(await daemon.docker('run', '--rm', '-v', 'shared:/v', 'busybox:test', 'sh', '-c', 'read x < /v/file; echo $x')).toBe('precious');
    expect((await reclaim()).stdout).toContain('nothing to reclaim');
  });

  it('runs every guard again before each path: a daemon restarted while it removes stops it before the next path (exit 2)', async () => {
    // Old vfs data again: a container made on vfs, then back on overlay2, explicitly.
    await daemon.stop();
    await daemon.start({ args: ['--storage-driver', 'vfs'] });
    await daemon.importBusybox();
    await daemon.docker('create', '--name', 'old-again', 'busybox:test', 'true');
    const oldId = await daemon.docker('inspect', '--format', '{{.Id}}', 'old-again');
    await daemon.stop();
    await daemon.start({ args: explicit });
    const child = spawn(
      process.execPath,
      [EXPORTER_BIN, 'reclaim', '--yes', '--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...hidden],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    try {
      // The list is printed after the guards' first look and before the first removal: hold it there, restart the daemon.
      await waitFor('reclaim to list what it removes', () => (stdout.includes(' in all (') ? true : undefined), 60000, 2);
      process.kill(child.pid as number, 'SIGSTOP');
      await daemon.stop();
      await daemon.start({ args: explicit });
      process.kill(child.pid as number, 'SIGCONT');
      expect(await exited).toBe(2);
    } finally {
      await stopPid(child.pid);
    }
    expect(stdout).toMatch(
      // Caught mid-restart, the new daemon may not have a readable pid yet: that is a change too.
      /reclaim: refused to go on: the daemon (changed since the first look \(pid \d+ started \d+ on overlay2, now (pid \d+ started \d+|an unidentified process \(.*\)) on overlay2\)|does not answer any more)/,
    );
    // It stopped before a path: at most the first was removed; the old container's directory, listed last, is still there.
    expect(existsSync(path.join(daemon.dataRoot, 'containers', oldId))).toBe(true);
  });
});
