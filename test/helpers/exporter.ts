import { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startLogged, stopPid, waitFor } from './processes';

/** The repository root, whether this runs from test/ under ts-jest or from dist/ in a benchmark. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'jest.config.js'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root');
    dir = parent;
  }
  return dir;
}

export const EXPORTER_BIN = path.join(repoRoot(), 'dist/src/main.js');

/** The built exporter, run as users run it, on an ephemeral port it reports in its log. */
export class TestExporter {
  child: ChildProcess | undefined;
  url = '';

  constructor(readonly logFile: string) {}

  /** Starts it on a test daemon's socket and pid file, with `args` besides. */
  startOn(daemon: { host: string; pidFile: string }, ...args: string[]): Promise<void> {
    return this.start(['--docker.host', daemon.host, '--docker.pid-file', daemon.pidFile, ...args]);
  }

  async start(args: string[], as?: { uid: number; gid: number }, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    this.child = startLogged(process.execPath, [EXPORTER_BIN, '--web.listen-address', '127.0.0.1:0', ...args], this.logFile, env, as);
    const port = await waitFor('the exporter to listen', () => {
      const match = /msg=listening address=[^ ]*:(\d+)/.exec(this.log());
      if (this.child?.exitCode !== null) throw new Error(`exporter exited: ${this.log()}`);
      return match ? Number(match[1]) : undefined;
    });
    this.url = `http://127.0.0.1:${port}`;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** Waits for the log to contain `text` (the log reaches its file a moment after the fact). */
  async logged(text: string | RegExp, timeoutMs = 5000): Promise<string> {
    const found = (log: string) => (typeof text === 'string' ? log.includes(text) : text.test(log));
    return waitFor(`the exporter log to contain ${String(text)}`, () => (found(this.log()) ? this.log() : undefined), timeoutMs, 25);
  }

  async scrape(): Promise<Metrics> {
    const res = await fetch(`${this.url}/metrics`);
    if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
    return new Metrics(await res.text());
  }

  /** Scrapes until a data-root scan has completed (one that ended after `after`, a scan timestamp, when given). */
  scanned(after?: number): Promise<Metrics> {
    return waitFor('a complete data-root scan', async () => {
      const m = await this.scrape();
      const at = m.value('docker_data_root_scan_timestamp_seconds');
      return at !== undefined && (after === undefined || at > after) ? m : undefined;
    });
  }

  async stop(): Promise<void> {
    await stopPid(this.child?.pid);
  }
}

/** Prometheus text, read back into samples. */
export class Metrics {
  readonly samples: { name: string; labels: Record<string, string>; value: number }[] = [];

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      // The s flag: a label value may hold any character but a raw line feed, \r and \u2028 included.
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/s.exec(line);
      if (!match) throw new Error(`unparsable line: ${line}`);
      const labels: Record<string, string> = {};
      for (const l of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/gs)) {
        labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/gs, (_m, c: string) => (c === 'n' ? '\n' : c));
      }
      this.samples.push({ name: match[1] ?? '', labels, value: Number(match[4]) });
    }
  }

  /** Samples of a metric whose labels include `labels`. */
  all(name: string, labels: Record<string, string> = {}) {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The value of the one sample matching; undefined when there is none; throws when there are several. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    const found = this.all(name, labels);
    if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
    return found[0]?.value;
  }
}
