import { createHmac } from 'node:crypto';

/**
 * OpenSSH's known_hosts, as `ssh` reads it to decide whether a host is who it
 * says it is: plain and hashed (`|1|salt|hash`) host patterns, `*` and `?`
 * wildcards, `!` negations, `[host]:port` for ports other than 22, and the
 * `@revoked` marker. `@cert-authority` lines are not supported (they are
 * skipped, so such a host is simply unknown).
 */
export interface KnownHost {
  /** The host patterns of the line, or the salt and hash of a hashed one. */
  hosts: { patterns: string[] } | { salt: Buffer; hash: Buffer };
  /** The public key blob, as the server sends it (its type is inside it: comparing blobs compares types too). */
  key: Buffer;
  revoked: boolean;
}

export function parseKnownHosts(text: string): KnownHost[] {
  const out: KnownHost[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') continue;
      revoked = marker === '@revoked';
    }
    const [hostField, keyType, keyText] = fields;
    if (hostField === undefined || keyType === undefined || keyText === undefined) continue;
    const hashed = /^\|1\|([^|]+)\|([^|]+)$/.exec(hostField);
    out.push({
      hosts: hashed
        ? { salt: Buffer.from(hashed[1] ?? '', 'base64'), hash: Buffer.from(hashed[2] ?? '', 'base64') }
        : { patterns: hostField.split(',') },
      key: Buffer.from(keyText, 'base64'),
      revoked,
    });
  }
  return out;
}

/** How ssh names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(name);
}

function lineNames(entry: KnownHost, name: string): boolean {
  if ('salt' in entry.hosts) {
    return createHmac('sha1', entry.hosts.salt).update(name).digest().equals(entry.hosts.hash);
  }
  let matched = false;
  for (const pattern of entry.hosts.patterns) {
    const negated = pattern.startsWith('!');
    if (wildcardMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict = 'known' | 'revoked' | 'changed' | 'unknown';

/**
 * Whether `key` is a key known for the host: `changed` when the host is listed
 * with other keys only (what ssh warns about loudest), `unknown` when it is not
 * listed at all.
 */
export function verifyHostKey(entries: readonly KnownHost[], name: string, key: Buffer): HostKeyVerdict {
  const forHost = entries.filter((entry) => lineNames(entry, name));
  if (forHost.some((entry) => entry.revoked && entry.key.equals(key))) return 'revoked';
  if (forHost.some((entry) => !entry.revoked && entry.key.equals(key))) return 'known';
  return forHost.some((entry) => !entry.revoked) ? 'changed' : 'unknown';
}
