import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ENGINE_HOSTS, EngineHost } from '../fixtures/engines/engineHosts';
import { runCli } from '../helpers/cli';
import { startEngineReplay, type EngineReplay } from '../helpers/engineReplay';
import { Metrics, repoRoot, TestExporter } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

/** The outcomes as check, the metrics and textfile give them, by target ("restart", "25", "29"). */
type Outcomes = Record<string, string>;

function fromReport(report: Report): Outcomes {
  return Object.fromEntries(report.upgrade.map((u) => [u.restart ? 'restart' : String(u.target_version), u.outcome]));
}

function fromMetrics(m: Metrics): Outcomes {
  return Object.fromEntries(
    m
      .all('docker_upgrade_outcome')
      .map((s) => [s.labels['restart'] === 'true' ? 'restart' : (s.labels['target_version'] ?? ''), s.labels['outcome'] ?? '']),
  );
}

/** docs/upgrade.md's table of engines, situations and outcomes, as the rows below make it. */
export function outcomeTable(hosts: readonly EngineHost[]): string {
  const cell = (host: EngineHost, key: 'restart' | '25' | '29') => {
    if (host.podman) return 'none (not Docker)';
    const outcome = host.expected[key];
    if (outcome) return outcome.replace(/_/g, ' ');
    // The running version is the restart; a lower one is not an upgrade.
    return host.version.startsWith(`${key}.`) ? 'as the restart' : '—';
  };
  return [
    '| engine | situation | restart | Docker 25 | Docker 29 | proven by |',
    '|---|---|---|---|---|---|',
    ...hosts.map((h) => `| ${h.engine} | ${h.situation} | ${cell(h, 'restart')} | ${cell(h, '25')} | ${cell(h, '29')} | replay |`),
  ].join('\n');
}

describe.each(ENGINE_HOSTS.map((host) => [`${host.engine}: ${host.situation}`, host] as const))('a replayed %s', (_name, host) => {
  const dir = tempDir('engine');
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  let replay: EngineReplay | undefined;
  let flags: string[] = [];

  beforeAll(async () => {
    replay = await startEngineReplay(host, dir);
    flags = replay.flags;
    await exporter.start(flags);
  });
  afterAll(async () => {
    await exporter.stop();
    await replay?.stop();
  });

  it('check, the metrics and textfile tell the same outcome for the restart and for Docker 25 and 29', async () => {
    const { stdout } = await runCli(['check', '--format', 'json', ...flags]);
    const report = JSON.parse(stdout) as Report;
    const file = path.join(dir, 'docker.prom');
    await runCli(['textfile', '--output', file, ...flags]);
    const scraped = await exporter.scrape();
    expect({ outcomes: fromReport(report), reasons: report.upgrade.filter((u) => u.outcome === 'unknown').map((u) => u.reason) }).toEqual({
      outcomes: host.expected,
      reasons: [],
    });
    expect(fromMetrics(new Metrics(readFileSync(file, 'utf8')))).toEqual(host.expected);
    expect(fromMetrics(scraped)).toEqual(host.expected);
    expect(report.daemon.engine).toBe(host.podman ? 'podman' : 'docker');
    expect(scraped.all('docker_engine_info')[0]?.labels['engine']).toBe(host.podman ? 'podman' : 'docker');
  });
});

describe("docs/upgrade.md's table of outcomes", () => {
  it('is these rows, each one a test above', () => {
    expect(readFileSync(path.join(repoRoot(), 'docs/upgrade.md'), 'utf8')).toContain(outcomeTable(ENGINE_HOSTS));
  });
});
