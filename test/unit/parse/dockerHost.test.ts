import { parseDockerHost } from '../../../src/parse/dockerHost';

describe('parseDockerHost', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['tcp://10.0.0.1:2376', { kind: 'tcp', host: '10.0.0.1', port: 2376 }],
    ['tcp://[::1]', { kind: 'tcp', host: '::1' }],
    ['tcp://docker.example', { kind: 'tcp', host: 'docker.example' }],
    ['ssh://ops@docker.example', { kind: 'ssh', host: 'docker.example', port: 22, username: 'ops' }],
    ['ssh://127.0.0.1:2222', { kind: 'ssh', host: '127.0.0.1', port: 2222 }],
  ])('%s', (text, endpoint) => expect(parseDockerHost(text)).toEqual(endpoint));

  it.each([
    ['http://x', /expected unix:\/\/\/path, tcp:\/\/host:port or ssh:\/\//],
    ['unix://relative', /must be absolute/],
    ['tcp://h:1/path', /takes only host and port/],
    ['tcp://user@h:1', /takes only host and port/],
    ['ssh://u:secret@h', /no password/],
    ['ssh://h/var/run/docker.sock', /takes only user, host and port/],
    ['tcp://:99999', /not an address/],
  ])('refuses %s', (text, reason) => expect(() => parseDockerHost(text)).toThrow(reason));

  it('does not show a password it refuses', () => expect(() => parseDockerHost('ssh://u:secret@h')).toThrow(/u:\*\*\*@h/));
});
