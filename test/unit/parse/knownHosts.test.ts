import { createHmac } from 'node:crypto';
import { knownHostName, parseKnownHosts, verifyHostKey } from '../../../src/parse/knownHosts';

const keyA = Buffer.from('key-a');
const keyB = Buffer.from('key-b');
const b64 = (key: Buffer) => key.toString('base64');
/** A hashed host as `ssh-keygen -H` writes it. */
function hashed(name: string, salt = Buffer.from('0123456789abcdefghij')): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  it('names a host as ssh does: [host]:port off port 22', () => {
    expect(knownHostName('h.example', 22)).toBe('h.example');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('knows a plain line, a hashed line and a wildcard line', () => {
    const entries = parseKnownHosts(
      [
        `# comment`,
        `h.example,10.0.0.1 ssh-ed25519 ${b64(keyA)}`,
        `${hashed('[127.0.0.1]:2222')} ssh-ed25519 ${b64(keyB)}`,
        `*.lab,!bad.lab ssh-rsa ${b64(keyA)}`,
        '',
      ].join('\n'),
    );
    expect(verifyHostKey(entries, '10.0.0.1', keyA)).toBe('known');
    expect(verifyHostKey(entries, '[127.0.0.1]:2222', keyB)).toBe('known');
    expect(verifyHostKey(entries, 'x.lab', keyA)).toBe('known');
    expect(verifyHostKey(entries, 'bad.lab', keyA)).toBe('unknown');
  });

  it('tells a changed key from an unknown host, and honours @revoked', () => {
    const entries = parseKnownHosts(
      [
        `h.example ssh-ed25519 ${b64(keyA)}`,
        `@revoked * ssh-ed25519 ${b64(keyB)}`,
        `@cert-authority *.example ssh-ed25519 ${b64(keyB)}`,
      ].join('\n'),
    );
    expect(verifyHostKey(entries, 'h.example', keyB)).toBe('revoked');
    expect(verifyHostKey(entries, 'h.example', Buffer.from('key-c'))).toBe('changed');
    expect(verifyHostKey(entries, 'other.example', Buffer.from('key-c'))).toBe('unknown');
    // The hashed form of another host does not match.
    expect(verifyHostKey(parseKnownHosts(`${hashed('h.example')} ssh-ed25519 ${b64(keyA)}`), 'g.example', keyA)).toBe('unknown');
  });
});
