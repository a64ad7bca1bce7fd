import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DaemonProcessMemo, readStorageConfig, startTimeOf } from '../../../src/docker/storageConfig';
import { tempDir } from '../../helpers/tempDir';

describe('readStorageConfig over a /proc laid out on disk', () => {
  let dir: string;
  const pid = 4242;
  const layout = (argv: string[], environ: string[], configText?: string) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'proc', String(pid)), { recursive: true });
    mkdirSync(path.join(dir, 'cwd'));
    symlinkSync(path.join(dir, 'cwd'), path.join(dir, 'proc', String(pid), 'cwd'));
    // The daemon's root: this process's own here, unless a test gives it another mount namespace.
    symlinkSync('/', path.join(dir, 'proc', String(pid), 'root'));
    writeFileSync(path.join(dir, 'docker.pid'), `${pid}\n`);
    writeFileSync(path.join(dir, 'proc', String(pid), 'cmdline'), argv.join('\0') + '\0');
    writeFileSync(path.join(dir, 'proc', String(pid), 'environ'), environ.join('\0') + '\0');
    if (configText !== undefined) writeFileSync(path.join(dir, 'daemon.json'), configText);
  };
  const detect = () =>
    readStorageConfig({
      pidFile: path.join(dir, 'docker.pid'),
      daemonConfigFile: path.join(dir, 'daemon.json'),
      procRoot: path.join(dir, 'proc'),
    });

  beforeEach(() => {
    dir = tempDir('explicit');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the flag', async () => {
    layout(['/usr/bin/dockerd', '-s', 'devicemapper'], ['PATH=/bin']);
    expect(await detect()).toMatchObject({ known: true, source: 'flag', pid });
  });

  it('finds the default daemon.json', async () => {
    layout(['/usr/bin/dockerd'], [], '{"storage-driver":"devicemapper"}');
    expect(await detect()).toMatchObject({ known: true, source: 'config_file' });
  });

  it('reads the file named by --config-file, relative to the daemon working directory', async () => {
    layout(['/usr/bin/dockerd', '--config-file', 'custom.json'], [], '{}');
    writeFileSync(path.join(dir, 'cwd', 'custom.json'), '{"storage-driver":"overlay2"}');
    expect(await detect()).toMatchObject({ known: true, source: 'config_file' });
  });

  it('finds DOCKER_DRIVER in the environment', async () => {
    layout(['/usr/bin/dockerd'], ['HOME=/root', 'DOCKER_DRIVER=devicemapper']);
    expect(await detect()).toMatchObject({ known: true, source: 'env' });
  });

  it('says none when nothing chose the driver and daemon.json does not exist', async () => {
    layout(['/usr/bin/dockerd', '-H', 'fd://'], []);
    expect(await detect()).toMatchObject({ known: true, source: 'none' });
  });

  it('is unknown when the pid file is missing, holds junk, or names another program', async () => {
    layout(['/usr/bin/dockerd'], []);
    rmSync(path.join(dir, 'docker.pid'));
    expect(await detect()).toMatchObject({ known: false, reason: expect.stringContaining('ENOENT') });
    writeFileSync(path.join(dir, 'docker.pid'), 'garbage');
    expect(await detect()).toMatchObject({ known: false, reason: expect.stringContaining('does not hold a pid') });
    layout(['/usr/bin/python3', 'x.py'], []);
    expect(await detect()).toMatchObject({ known: false, reason: expect.stringContaining('is not dockerd') });
  });

  it('is unknown when the pid is not visible (another pid namespace)', async () => {
    layout(['/usr/bin/dockerd'], []);
    writeFileSync(path.join(dir, 'docker.pid'), '999999');
    expect(await detect()).toMatchObject({ known: false, reason: expect.stringContaining('another pid namespace') });
  });

  it("is unknown when daemon.json is not valid JSON, rather than guessing, and says where, in Go's words", async () => {
    layout(['/usr/bin/dockerd'], [], '{\n  "storage-driver": "devicemapper", // pinned\n}');
    expect(await detect()).toMatchObject({
      known: false,
      reason: expect.stringContaining(
        "is not what the daemon can read: invalid character '/' looking for beginning of object key string (line 2, column 37)",
      ),
      configuration: { daemonJson: { file: path.join(dir, 'daemon.json') } },
    });
  });

  it("reads a rootless daemon's daemon.json from $XDG_CONFIG_HOME of its own environment, and its data root from $XDG_DATA_HOME", async () => {
    layout(
      ['/usr/bin/dockerd'],
      ['ROOTLESSKIT_STATE_DIR=/run/user/1000/dockerd-rootlesskit', 'HOME=/home/u', `XDG_CONFIG_HOME=${dir}/config`],
    );
    mkdirSync(path.join(dir, 'config', 'docker'), { recursive: true });
    writeFileSync(path.join(dir, 'config', 'docker', 'daemon.json'), '{"storage-driver": "overlay2"}');
    expect(await detect()).toMatchObject({
      known: true,
      source: 'config_file',
      driver: 'overlay2',
      rootless: true,
      configFile: path.join(dir, 'config', 'docker', 'daemon.json'),
      dataRoot: '/home/u/.local/share/docker',
    });
  });

  describe("daemon.json as the daemon sees it, in its mount namespace (NixOS's /nix/store file, an exporter in a container)", () => {
    const otherRoot = () => {
      const root = path.join(dir, 'daemon-root');
      mkdirSync(path.join(root, 'nix', 'store'), { recursive: true });
      rmSync(path.join(dir, 'proc', String(pid), 'root'));
      symlinkSync(root, path.join(dir, 'proc', String(pid), 'root'));
      return root;
    };

    it('reads a --config-file that only the daemon has, and names it as the daemon does', async () => {
      layout(['/usr/bin/dockerd', '--config-file=/nix/store/0n6p-daemon.json', '-H', 'fd://'], []);
      writeFileSync(path.join(otherRoot(), 'nix', 'store', '0n6p-daemon.json'), '{"storage-driver":"devicemapper"}');
      expect(await detect()).toMatchObject({
        known: true,
        source: 'config_file',
        driver: 'devicemapper',
        configFile: '/nix/store/0n6p-daemon.json',
      });
    });

    it("reads the default daemon.json in the daemon's namespace, not the one beside this process", async () => {
      layout(['/usr/bin/dockerd'], [], '{}');
      const root = otherRoot();
      mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, dir, 'daemon.json'), '{"storage-driver":"devicemapper"}');
      expect(await detect()).toMatchObject({ known: true, source: 'config_file', driver: 'devicemapper' });
    });

    it('is unknown, not "none", when a --config-file is gone or the daemon\'s files cannot be looked at', async () => {
      layout(['/usr/bin/dockerd', '--config-file', '/nix/store/0n6p-daemon.json'], []);
      otherRoot();
      expect(await detect()).toMatchObject({ known: false, reason: expect.stringContaining('is gone (looked at') });
      layout(['/usr/bin/dockerd'], []);
      rmSync(path.join(dir, 'proc', String(pid), 'root'));
      writeFileSync(path.join(dir, 'proc', String(pid), 'root'), 'not a directory');
      expect(await detect()).toMatchObject({ known: false, reason: expect.stringMatching(/cannot read daemon config .*: ENOTDIR/) });
    });
  });

  it('takes the data root from the flag, then daemon.json', async () => {
    layout(['/usr/bin/dockerd', '--data-root', '/srv/docker'], [], '{"data-root": "/data/docker"}');
    expect(await detect()).toMatchObject({ known: true, dataRoot: '/srv/docker' });
    layout(['/usr/bin/dockerd'], [], '{"data-root": "/data/docker"}');
    expect(await detect()).toMatchObject({ known: true, dataRoot: '/data/docker' });
  });

  describe('remembering the daemon process between collections', () => {
    const stat = (startTime: number) =>
      `${pid} (dockerd) S 1 ${pid} ${pid} 0 -1 4194560 ${Array.from({ length: 12 }, () => '0').join(' ')} ${startTime} 1234 56 18446744073709551615`;
    const setStartTime = (startTime: number) => writeFileSync(path.join(dir, 'proc', String(pid), 'stat'), stat(startTime));
    const remembered = (memo: DaemonProcessMemo) =>
      readStorageConfig(
        { pidFile: path.join(dir, 'docker.pid'), daemonConfigFile: path.join(dir, 'daemon.json'), procRoot: path.join(dir, 'proc') },
        memo,
      );

    it('reads the start time after the command name, whatever it holds', () => {
      expect(startTimeOf(stat(777))).toBe('777');
      expect(startTimeOf(stat(777).replace('(dockerd)', '(a) b (c)'))).toBe('777');
    });

    it('sees every daemon.json edit, though the command line is read once while the same process runs', async () => {
      layout(['/usr/bin/dockerd'], [], '{}');
      setStartTime(100);
      const memo = new DaemonProcessMemo();
      expect(await remembered(memo)).toMatchObject({ known: true, source: 'none' });
      writeFileSync(path.join(dir, 'daemon.json'), '{"storage-driver": "devicemapper"}');
      expect(await remembered(memo)).toMatchObject({ known: true, source: 'config_file', driver: 'devicemapper' });
      writeFileSync(path.join(dir, 'daemon.json'), '{"storage-driver": "devicemapper",}');
      expect(await remembered(memo)).toMatchObject({ known: false, reason: expect.stringContaining('is not what the daemon can read') });
      // A process's command line cannot change: a new one on disk here is not read while the start time holds.
      writeFileSync(path.join(dir, 'proc', String(pid), 'cmdline'), '/usr/bin/dockerd\0-s\0overlay2\0');
      writeFileSync(path.join(dir, 'daemon.json'), '{}');
      expect(await remembered(memo)).toMatchObject({ known: true, source: 'none' });
    });

    it('reads a restarted daemon afresh: a new pid, or the same pid with another start time', async () => {
      layout(['/usr/bin/dockerd'], [], '{}');
      setStartTime(100);
      const memo = new DaemonProcessMemo();
      expect(await remembered(memo)).toMatchObject({ known: true, source: 'none' });
      writeFileSync(path.join(dir, 'proc', String(pid), 'cmdline'), '/usr/bin/dockerd\0-s\0overlay2\0');
      setStartTime(200);
      expect(await remembered(memo)).toMatchObject({ known: true, source: 'flag', driver: 'overlay2' });

      mkdirSync(path.join(dir, 'proc', '4343'));
      writeFileSync(path.join(dir, 'proc', '4343', 'cmdline'), '/usr/bin/dockerd\0-s\0vfs\0');
      writeFileSync(path.join(dir, 'proc', '4343', 'environ'), '');
      writeFileSync(path.join(dir, 'docker.pid'), '4343\n');
      expect(await remembered(memo)).toMatchObject({ known: true, source: 'flag', driver: 'vfs', pid: 4343 });
    });

    it('is unknown when the remembered daemon is gone and its pid file stays', async () => {
      layout(['/usr/bin/dockerd'], [], '{}');
      setStartTime(100);
      const memo = new DaemonProcessMemo();
      expect(await remembered(memo)).toMatchObject({ known: true });
      rmSync(path.join(dir, 'proc', String(pid)), { recursive: true });
      expect(await remembered(memo)).toMatchObject({ known: false, reason: expect.stringContaining('another pid namespace') });
    });
  });
});
