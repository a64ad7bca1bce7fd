import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConnectionError, describeConnection, expandHome, loadConnection } from '../../../src/docker/connection';
import type { ConnectionSettings } from '../../../src/config/config';
import { tempDir } from '../../helpers/tempDir';

const settings = (over: Partial<ConnectionSettings>): ConnectionSettings => ({
  endpoint: { kind: 'tcp', host: '10.0.0.1' },
  tlsVerify: false,
  certPath: '~/.docker',
  sshIdentity: '',
  sshKnownHosts: '~/.ssh/known_hosts',
  ...over,
});

describe('loadConnection', () => {
  const dir = tempDir('connection');
  const write = (name: string, text = `${name}\n`) => writeFileSync(path.join(dir, name), text);

  it("picks the docker CLI's default port: 2375 plain, 2376 with TLS", () => {
    expect(loadConnection(settings({}))).toEqual({ kind: 'tcp', host: '10.0.0.1', port: 2375 });
    write('ca.pem');
    write('cert.pem');
    write('key.pem');
    const tls = loadConnection(settings({ tlsVerify: true, certPath: dir }));
    expect(tls).toMatchObject({
      kind: 'tcp',
      port: 2376,
      tls: { ca: Buffer.from('ca.pem\n'), cert: Buffer.from('cert.pem\n'), key: Buffer.from('key.pem\n') },
    });
    expect(describeConnection(tls)).toBe('tcp://10.0.0.1:2376 (TLS)');
  });

  it('names the flag when the certificates cannot be used', () => {
    const empty = tempDir('connection-empty');
    expect(() => loadConnection(settings({ tlsVerify: true, certPath: empty }))).toThrow(
      new ConnectionError(
        `--docker.cert-path: none of ca.pem, cert.pem, key.pem in ${empty} (--docker.tls-verify is on, from the flag or DOCKER_TLS_VERIFY)`,
      ),
    );
    writeFileSync(path.join(empty, 'cert.pem'), 'x');
    expect(() => loadConnection(settings({ tlsVerify: true, certPath: empty }))).toThrow(
      /^--docker.cert-path: .* has cert.pem without key.pem/,
    );
  });

  it('leaves a unix socket alone whatever DOCKER_TLS_VERIFY says, as the docker CLI does', () => {
    expect(
      loadConnection(settings({ endpoint: { kind: 'unix', socketPath: '/run/docker.sock' }, tlsVerify: true, certPath: '/nonexistent' })),
    ).toEqual({ kind: 'unix', socketPath: '/run/docker.sock' });
  });

  it('needs known hosts and a key for ssh://', () => {
    const ssh = settings({
      endpoint: { kind: 'ssh', host: 'h', port: 22, username: 'ops' },
      sshKnownHosts: path.join(dir, 'absent'),
      sshIdentity: path.join(dir, 'id'),
    });
    expect(() => loadConnection(ssh, {})).toThrow(
      /^--docker.ssh-known-hosts: .*absent: no such file \(an ssh:\/\/ daemon's host key must be known/,
    );
    write('known_hosts', 'h ssh-ed25519 AAAA\n');
    expect(() => loadConnection({ ...ssh, sshKnownHosts: path.join(dir, 'known_hosts') }, {})).toThrow(
      /^--docker.ssh-identity: .*id: no such file$/,
    );
    write('id', 'PRIVATE');
    const loaded = loadConnection({ ...ssh, sshKnownHosts: path.join(dir, 'known_hosts') }, { SSH_AUTH_SOCK: '/run/agent.sock' });
    expect(loaded).toMatchObject({
      kind: 'ssh',
      username: 'ops',
      privateKey: Buffer.from('PRIVATE'),
      agent: '/run/agent.sock',
      knownHosts: [{ hosts: { patterns: expect.any(Array) }, key: expect.any(Buffer) }],
    });
    expect(describeConnection(loaded)).toBe('ssh://ops@h:22');
  });

  it('expands ~ as the shell would', () => {
    expect(expandHome('~/.docker', '/home/ops')).toBe('/home/ops/.docker');
    expect(expandHome('/etc/x', '/home/ops')).toBe('/etc/x');
  });
});
