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
