import { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort, httpOk } from './monitoring';
import { startLogged, stopPid, waitFor } from './processes';

/** One of Debian's VictoriaMetrics programs (victoria-metrics, vmagent, vmalert) on a port of its own, ready when /health says OK. */
class VmProgram {
  child: ChildProcess | undefined;
  url = '';

  constructor(
    readonly dir: string,
    private readonly program: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async launch(args: string[]): Promise<void> {
    const port = await freePort();
    this.child = startLogged(this.program, [`-httpListenAddr=127.0.0.1:${port}`, ...args], path.join(this.dir, `${this.program}.log`));
    this.url = `http://127.0.0.1:${port}`;
    await waitFor(`${this.program} to be ready`, async () => ((await httpOk(`${this.url}/health`)) ? true : undefined), 60000, 200);
  }

  async stop(): Promise<void> {
    await stopPid(this.child?.pid);
  }
}

/**
 * VictoriaMetrics single-node, vmagent scraping into it, vmalert evaluating rules against it:
 * the second backend the shipped rules and dashboards run on.
 */
export class TestVictoriaMetrics {
  readonly server: VmProgram;
  readonly agent: VmProgram;
  readonly alert: VmProgram;

  constructor(readonly dir: string) {
    this.server = new VmProgram(path.join(dir, 'vm'), 'victoria-metrics');
    this.agent = new VmProgram(path.join(dir, 'vmagent'), 'vmagent');
    this.alert = new VmProgram(path.join(dir, 'vmalert'), 'vmalert');
  }

  /** All three: `scrapeConfigs` as Prometheus' scrape_configs, `ruleFiles` evaluated every second, alerts sent to `alertmanagerUrl`. */
  async start(scrapeConfigs: string, ruleFiles: string[], alertmanagerUrl: string): Promise<void> {
    // Queries see the latest samples at once (the default keeps 30 s back, for samples still on their way).
    await this.server.launch([`-storageDataPath=${path.join(this.server.dir, 'data')}`, '-retentionPeriod=1d', '-search.latencyOffset=0s']);
    const scrapeFile = path.join(this.agent.dir, 'scrape.yml');
    writeFileSync(scrapeFile, `scrape_configs:\n${scrapeConfigs}`);
    await this.agent.launch([
      `-promscrape.config=${scrapeFile}`,
      `-remoteWrite.url=${this.server.url}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${path.join(this.agent.dir, 'queue')}`,
    ]);
    await this.alert.launch([
      ...ruleFiles.map((f) => `-rule=${f}`),
      `-datasource.url=${this.server.url}`,
      // Recording rules' results and the ALERTS series are written back, as Prometheus keeps them.
      `-remoteWrite.url=${this.server.url}`,
      `-remoteRead.url=${this.server.url}`,
      `-notifier.url=${alertmanagerUrl}`,
      '-evaluationInterval=1s',
    ]);
  }

  async stop(): Promise<void> {
    await this.alert.stop();
    await this.agent.stop();
    await this.server.stop();
  }

  /** An instant query on VictoriaMetrics' Prometheus-compatible API. */
  async query(expr: string): Promise<{ status: string; data?: { result: { metric: Record<string, string> }[] }; error?: string }> {
    const res = await fetch(`${this.server.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as never;
  }

  /** The alerts vmalert holds firing, as "instance alertname[/target_version]". */
  async firing(): Promise<string[]> {
    const res = (await (await fetch(`${this.alert.url}/api/v1/alerts`)).json()) as {
      data?: { alerts?: { name: string; state: string; labels: Record<string, string> }[] };
    };
    return (res.data?.alerts ?? [])
      .filter((a) => a.state === 'firing')
      .map((a) => `${a.labels['instance'] ?? '-'} ${a.labels['target_version'] ? `${a.name}/${a.labels['target_version']}` : a.name}`)
      .sort();
  }
}
