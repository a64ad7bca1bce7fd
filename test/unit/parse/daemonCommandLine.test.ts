import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { detectExplicitConfig } from '../../../src/docker/storageConfig';
import { configFileStorageDriver, explicitSource, parseDaemonCommandLine } from '../../../src/parse/daemonCommandLine';

describe('parseDaemonCommandLine', () => {
  it.each([
    [['/usr/bin/dockerd', '-s', 'devicemapper'], 'devicemapper'],
    [['/usr/bin/dockerd', '-sdevicemapper'], 'devicemapper'],
    [['/usr/bin/dockerd', '-s=devicemapper'], 'devicemapper'],
    [['/usr/bin/dockerd', '--storage-driver', 'overlay2'], 'overlay2'],
    [['/usr/bin/dockerd', '--storage-driver=overlay2'], 'overlay2'],
    [['/usr/bin/dockerd', '-D', '-s', 'vfs'], 'vfs'],
    [['/usr/bin/dockerd', '-Ds', 'vfs'], 'vfs'],
    [['/usr/bin/dockerd', '--debug', '--host', 'unix:///run/d.sock', '--storage-driver', 'overlay'], 'overlay'],
    [['dockerd', '--data-root', '/var/lib/docker'], undefined],
    [['dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock'], undefined],
    // A value that merely looks like the flag belongs to the flag before it.
    [['dockerd', '--label', '-s', '--log-level', 'debug'], undefined],
    [['dockerd', '-H', '-s'], undefined],
    // The last one wins, as pflag does.
    [['dockerd', '-s', 'aufs', '--storage-driver=overlay2'], 'overlay2'],
  ])('%j sets the driver to %s', (argv, driver) => {
    expect(parseDaemonCommandLine(argv).storageDriver).toBe(driver);
  });

  it('finds --config-file in both forms', () => {
    expect(parseDaemonCommandLine(['dockerd', '--config-file', '/etc/d.json']).configFile).toBe('/etc/d.json');
    expect(parseDaemonCommandLine(['dockerd', '--config-file=/etc/d.json']).configFile).toBe('/etc/d.json');
  });

  it('tells dockerd from another program that reused the pid', () => {
    expect(parseDaemonCommandLine(['/usr/sbin/dockerd']).isDockerd).toBe(true);
    expect(parseDaemonCommandLine(['dockerd']).isDockerd).toBe(true);
    expect(parseDaemonCommandLine(['/usr/bin/containerd']).isDockerd).toBe(false);
    expect(parseDaemonCommandLine(['/bin/sleep', 'dockerd']).isDockerd).toBe(false);
    expect(parseDaemonCommandLine([]).isDockerd).toBe(false);
  });
});

describe('explicitSource', () => {
  const cl = (storageDriver?: string) => ({ isDockerd: true, storageDriver });
  it('prefers the environment, as dockerd reads DOCKER_DRIVER first', () => {
    expect(explicitSource({ commandLine: cl('overlay2'), envDriver: 'vfs' })).toBe('env');
    expect(explicitSource({ commandLine: cl('overlay2'), configFileDriver: 'vfs' })).toBe('flag');
    expect(explicitSource({ commandLine: cl(), configFileDriver: 'devicemapper' })).toBe('config_file');
    expect(explicitSource({ commandLine: cl(), envDriver: '' })).toBe('none');
  });
});

describe('configFileStorageDriver', () => {
  it('reads storage-driver and nothing else', () => {
    expect(configFileStorageDriver('{"storage-driver": "devicemapper", "debug": true}')).toBe('devicemapper');
    expect(configFileStorageDriver('{"debug": true}')).toBeUndefined();
    expect(configFileStorageDriver('{"storage-driver": ""}')).toBeUndefined();
  });
  it('throws on what dockerd itself would refuse', () => {
    expect(() => configFileStorageDriver('{"storage-driver": 3}')).toThrow('not a string');
    expect(() => configFileStorageDriver('[1]')).toThrow('not a JSON object');
    expect(() => configFileStorageDriver('// comment\n{}')).toThrow(SyntaxError);
  });
});

describe('detectExplicitConfig over a /proc laid out on disk', () => {
  let dir: string;
  const pid = 4242;
  const layout = (argv: string[], environ: string[], configText?: string) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'proc', String(pid)), { recursive: true });
    mkdirSync(path.join(dir, 'cwd'));
    symlinkSync(path.join(dir, 'cwd'), path.join(dir, 'proc', String(pid), 'cwd'));
    writeFileSync(path.join(dir, 'docker.pid'), `${pid}\n`);
    writeFileSync(path.join(dir, 'proc', String(pid), 'cmdline'), argv.join('\0') + '\0');
    writeFileSync(path.join(dir, 'proc', String(pid), 'environ'), environ.join('\0') + '\0');
    if (configText !== undefined) writeFileSync(path.join(dir, 'daemon.json'), configText);
  };
  const detect = () =>
    detectExplicitConfig({ pidFile: path.join(dir, 'docker.pid'), defaultConfigFile: path.join(dir, 'daemon.json'), procRoot: path.join(dir, 'proc') });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'explicit-'));
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

  it('is unknown when daemon.json is not valid JSON, rather than guessing', async () => {
    layout(['/usr/bin/dockerd'], [], '{"storage-driver": ');
    expect(await detect()).toMatchObject({ known: false, reason: expect.stringContaining('invalid JSON') });
  });
});
