import bcrypt from 'bcryptjs';
import { createHmac, randomBytes } from 'node:crypto';

/**
 * Checks basic-auth credentials against bcrypt hashes. bcrypt is slow by
 * design, so: results are cached (keyed by an HMAC of the
 * credentials under a per-process key, never the password itself), at most
 * `concurrency` checks run at once and at most `maxQueued` wait; an unknown
 * user is checked against a fixed hash so the answer takes as long as for a
 * known one and does not tell which users exist.
 */
export class BasicAuthChecker {
  private readonly cache = new Map<string, boolean>();
  private readonly key = randomBytes(32);
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  // A hash of a random password: never matches, costs what a real check costs.
  private readonly decoy = bcrypt.hashSync(randomBytes(16).toString('hex'), 10);

  constructor(
    private users: Map<string, string>,
    private readonly concurrency = 2,
    private readonly maxQueued = 64,
    private readonly maxCached = 256,
  ) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  setUsers(users: Map<string, string>): void {
    this.users = users;
    this.cache.clear();
  }

  /** 'ok', 'denied', or 'busy' when too many checks are already waiting. */
  async check(user: string, password: string): Promise<'ok' | 'denied' | 'busy'> {
    const hash = this.users.get(user);
    const cacheKey = createHmac('sha256', this.key)
      .update(`${user}\0${password}\0${hash ?? ''}`)
      .digest('hex');
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached ? 'ok' : 'denied';
    if (this.running >= this.concurrency && this.waiting.length >= this.maxQueued) return 'busy';
    await this.slot();
    try {
      const matches = await bcrypt.compare(password, hash ?? this.decoy);
      const ok = hash !== undefined && matches;
      if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(cacheKey, ok);
      return ok ? 'ok' : 'denied';
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** user and password from an Authorization header, if it is Basic. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
