import { recreateCommand, shellLine } from '../../../src/plan/recreate';

const base = {
  Id: 'a'.repeat(64),
  Name: '/web',
  Config: {
    Image: 'nginx:1.25',
    Cmd: ['nginx', '-g', 'daemon off;'],
    Entrypoint: ['/docker-entrypoint.sh'],
    Env: ['PATH=/usr/bin', 'MODE=prod'],
    Labels: { maintainer: 'nginx', team: 'shop' },
    Hostname: 'aaaaaaaaaaaa',
    User: '',
    WorkingDir: '',
  },
  HostConfig: {
    NetworkMode: 'default',
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    LogConfig: { Type: 'json-file', Config: {} },
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
  },
  Mounts: [],
  NetworkSettings: { Networks: { bridge: {} } },
};
const image = {
  Cmd: ['nginx', '-g', 'daemon off;'],
  Entrypoint: ['/docker-entrypoint.sh'],
  Env: ['PATH=/usr/bin'],
  Labels: { maintainer: 'nginx' },
};

describe('recreateCommand', () => {
  it('says only what the image does not already say', () => {
    const r = recreateCommand({ inspect: base, imageConfig: image });
    expect(r.argv).toEqual([
      'docker',
      'run',
      '-d',
      '--name',
      'web',
      '-p',
      '8080:80',
      '-e',
      'MODE=prod',
      '--label',
      'team=shop',
      'nginx:1.25',
    ]);
    expect(r.unreproduced).toEqual([]);
  });

  it('lists what it cannot carry over, never dropping it silently', () => {
    const r = recreateCommand({
      inspect: {
        ...base,
        HostConfig: { ...base.HostConfig, Dns: ['1.1.1.1'], Sysctls: { 'net.ipv4.ip_forward': '1' }, VolumesFrom: ['data'] },
        Config: { ...base.Config, Entrypoint: ['tini', '--'] },
      },
      imageConfig: image,
    });
    expect(r.unreproduced).toEqual([
      'HostConfig.Dns = ["1.1.1.1"]',
      'HostConfig.Sysctls = {"net.ipv4.ip_forward":"1"}',
      'HostConfig.VolumesFrom = ["data"]',
      'Config.Entrypoint = ["tini","--"] (--entrypoint takes one word; the rest would move into the command)',
    ]);
  });

  it('connects further networks after it starts, and quotes for a shell', () => {
    const r = recreateCommand({
      inspect: {
        ...base,
        HostConfig: { ...base.HostConfig, NetworkMode: 'front' },
        NetworkSettings: { Networks: { front: {}, back: {} } },
      },
      imageConfig: image,
    });
    expect(r.after).toEqual([['docker', 'network', 'connect', 'back', 'web']]);
    expect(shellLine(['sh', '-c', "echo 'hi' && sleep 1"])).toBe(`sh -c 'echo '\\''hi'\\'' && sleep 1'`);
  });
});
