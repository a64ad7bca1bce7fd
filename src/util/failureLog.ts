import type { Logger } from 'winston';

/**
 * Logs a failing thing when it starts failing, when its message changes, and
 * then at most once per `repeatMs` while it keeps failing (with how many were
 * held back); logs its recovery once. A daemon down for a day at one scrape
 * every 15 s would otherwise write thousands of identical lines.
 */
export class FailureLog {
  private readonly state = new Map<string, { message: string; lastLogged: number; held: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly repeatMs = 5 * 60 * 1000,
  ) {}

  failed(key: string, message: string, level: 'error' | 'warn' = 'error'): void {
    const current = this.state.get(key);
    const now = this.now();
    if (current && current.message === message && now - current.lastLogged < this.repeatMs) {
      current.held++;
      return;
    }
    const held = current?.message === message ? current.held : 0;
    this.logger.log(level, message, held > 0 ? { what: key, repeated: held } : { what: key });
    this.state.set(key, { message, lastLogged: now, held: 0 });
  }

  succeeded(key: string, message: string): void {
    if (this.state.delete(key)) this.logger.info(message, { what: key });
  }
}
