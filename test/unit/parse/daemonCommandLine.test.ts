import dockerdFlags from '../../../src/docker/dockerdFlags.json';
import { commandLineFlags, DockerdConfigRules } from '../../../src/parse/daemonJson';
import { isDockerd } from '../../../src/parse/daemonCommandLine';

const rules = (dockerdFlags as Record<string, DockerdConfigRules>)['v20.10.24'] as DockerdConfigRules;

describe("commandLineFlags: dockerd's flags as pflag reads them", () => {
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
    expect(commandLineFlags(argv, rules).get('storage-driver')).toBe(driver);
  });

  it('finds --config-file in both forms, and shorthands by their long names', () => {
    expect(commandLineFlags(['dockerd', '--config-file', '/etc/d.json'], rules).get('config-file')).toBe('/etc/d.json');
    expect(commandLineFlags(['dockerd', '--config-file=/etc/d.json'], rules).get('config-file')).toBe('/etc/d.json');
    expect(Object.fromEntries(commandLineFlags(['dockerd', '-H', 'fd://', '-p', '/run/d.pid', '-D', '--iptables=false'], rules))).toEqual({
      host: 'fd://',
      pidfile: '/run/d.pid',
      debug: 'true',
      iptables: 'false',
    });
  });

  it('tells dockerd from another program that reused the pid', () => {
    expect(isDockerd('/usr/sbin/dockerd')).toBe(true);
    expect(isDockerd('dockerd')).toBe(true);
    expect(isDockerd('/usr/bin/containerd')).toBe(false);
    expect(isDockerd('/bin/sleep')).toBe(false);
    expect(isDockerd('')).toBe(false);
  });
});
