import { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ENGINES_DIR } from './dockerd';
import { repoRoot } from './exporter';
import { startLogged, stopPid, waitFor } from './processes';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const RULE_FILES = ['docker-daemon-exporter.rules.yml', 'docker-daemon-exporter.recording.yml'];

/**
 * The alert and recording rule files (the shipped ones, or `texts` by file name, as generatedFiles
 * renders another _config) written into `dir` with every `for` shortened to 1s, so that a test need
 * not wait minutes; promtool covers the real durations. Their paths.
 */
export function rulesWithShortFor(dir: string, texts?: Readonly<Record<string, string>>): string[] {
  mkdirSync(dir, { recursive: true });
  return RULE_FILES.map((file) => {
    const text = texts?.[file] ?? readFileSync(path.join(repoRoot(), 'alerts', file), 'utf8');
    const to = path.join(dir, file);
    writeFileSync(to, text.replace(/^(\s+)for: \S+$/gm, '$1for: 1s'));
    return to;
  });
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** A Prometheus-family server (Debian's packages): its own directory and port, ready when /-/ready says so. */
abstract class PrometheusFamily {
  child: ChildProcess | undefined;
  url = '';

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  protected async launch(program: string, configFile: string, config: string, args: (port: number) => string[]): Promise<void> {
    const port = await freePort();
    writeFileSync(path.join(this.dir, configFile), config);
    this.child = startLogged(program, args(port), path.join(this.dir, `${path.basename(program)}.log`));
    this.url = `http://127.0.0.1:${port}`;
    await waitFor(`${program} to be ready`, () => httpOk(`${this.url}/-/ready`).then((ok) => (ok ? true : undefined)), 60000, 200);
  }

  async stop(): Promise<void> {
    await stopPid(this.child?.pid);
  }
}

/** The Prometheus versions the tests run: Debian bookworm's 2.42 (the system's) and sid's 3.5 (unpacked by scripts/fetch-test-engines). */
export type PrometheusVersion = 2 | 3;

/** The program of a Prometheus tool (prometheus, promtool) of `version`. */
export function prometheusProgram(name: 'prometheus' | 'promtool', version: PrometheusVersion): string {
  if (version === 2) return name;
  const program = path.join(ENGINES_DIR, 'prometheus3', 'usr', 'bin', name);
  if (!existsSync(program))
    throw new Error(`${name} 3 is not unpacked at ${program}: run scripts/fetch-test-engines (install-test-packages does)`);
  return program;
}

/** A real Prometheus with the config the test gives it. */
export class TestPrometheus extends PrometheusFamily {
  constructor(
    dir: string,
    readonly version: PrometheusVersion = 2,
  ) {
    super(dir);
  }

  /** A server; `extraArgs` such as --web.enable-remote-write-receiver. */
  start(config: string, extraArgs: string[] = []): Promise<void> {
    return this.launch(prometheusProgram('prometheus', this.version), 'prometheus.yml', config, (port) => [
      `--config.file=${path.join(this.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...extraArgs,
    ]);
  }

  /** In agent mode: it scrapes and remote-writes, and keeps no TSDB, evaluates no rules, answers no queries. */
  startAgent(config: string): Promise<void> {
    return this.launch(prometheusProgram('prometheus', this.version), 'prometheus.yml', config, (port) => [
      // Prometheus 3 made agent mode a flag of its own.
      this.version === 2 ? '--enable-feature=agent' : '--agent',
      `--config.file=${path.join(this.dir, 'prometheus.yml')}`,
      `--storage.agent.path=${path.join(this.dir, 'wal')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
  }

  async query(
    expr: string,
  ): Promise<{ status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string }> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as never;
  }
}

export interface ReceivedAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Alertmanager's webhook receiver: records every alert it is sent. */
export class WebhookReceiver {
  readonly alerts: ReceivedAlert[] = [];
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as { alerts?: ReceivedAlert[] };
        this.alerts.push(...(payload.alerts ?? []));
      } catch {
        // Not an Alertmanager payload; nothing to record.
      }
      res.end('ok');
    });
  });
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}/alerts`;
  }

  firing(alertname: string, labels: Record<string, string> = {}): ReceivedAlert[] {
    return this.alerts.filter(
      (a) => a.status === 'firing' && a.labels['alertname'] === alertname && Object.entries(labels).every(([k, v]) => a.labels[k] === v),
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A real Alertmanager that sends everything to one webhook, at once. */
export class TestAlertmanager extends PrometheusFamily {
  /** `more`: more of alertmanager.yml at its top level, such as inhibit_rules. */
  start(webhookUrl: string, more = ''): Promise<void> {
    const config = `${more}
route:
  receiver: webhook
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['severity="critical"']
      receiver: webhook
receivers:
  - name: webhook
    webhook_configs:
      - url: ${webhookUrl}
        send_resolved: false
`;
    return this.launch('prometheus-alertmanager', 'alertmanager.yml', config, (port) => [
      `--config.file=${path.join(this.dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
  }
}
