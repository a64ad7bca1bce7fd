import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { answers, ENGINE_HOSTS, EngineHost } from '../fixtures/engines/engineHosts';
import { runCli } from '../helpers/cli';
import { Metrics, repoRoot, TestExporter } from '../helpers/exporter';
import { startFakeDockerd, stopPid } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';
import type { Report } from '../../src/upgrade/report';

/** Lays out a data root as the host's engine leaves it: each driver directory with something in it. */
function layOut(root: string, dirs: readonly string[]): void {
  mkdirSync(root, { recursive: true });
  for (const dir of ['containers', 'image', 'volumes']) mkdirSync(path.join(root, dir), { recursive: true });
  for (const dir of dirs) {
    const inside = {
      devicemapper: ['devicemapper', 'metadata'],
      overlay2: ['l', 'a'.repeat(64)],
      vfs: ['dir', 'b'.repeat(64)],
      overlay: ['c'.repeat(64), 'diff'],
    }[dir] ?? ['x'];
    mkdirSync(path.join(root, dir, ...inside), { recursive: true });
    writeFileSync(path.join(root, dir, ...inside, 'file'), 'data');
  }
}

/** The outcomes as check, the metrics and textfile give them, by target ("restart", "25", "29"). */
type Outcomes = Record<string, string>;

function fromReport(report: Report): Outcomes {
  return Object.fromEntries(report.upgrade.map((u) => [u.restart ? 'restart' : String(u.target_version), u.outcome]));
}

function fromMetrics(m: Metrics): Outcomes {
  return Object.fromEntries(m.all('docker_upgrade_outcome').map((s) => [s.labels['restart'] === 'true' ? 'restart' : (s.labels['target_version'] ?? ''), s.labels['outcome'] ?? '']));
}

/** The README's table of engines, situations and outcomes, as the rows below make it. */
export function outcomeTable(hosts: readonly EngineHost[]): string {
  const cell = (host: EngineHost, key: 'restart' | '25' | '29') => {
    if (host.podman) return 'none (not Docker)';
    const outcome = host.expected[key];
    if (outcome) return outcome.replace(/_/g, ' ');
    // The running version is the restart; a lower one is not an upgrade.
    return host.version.startsWith(`${key}.`) ? 'as the restart' : '—';
  };
  return [
    '| engine | situation | restart | Docker 25 | Docker 29 |',
    '|---|---|---|---|---|',
    ...hosts.map((h) => `| ${h.engine} | ${h.situation} | ${cell(h, 'restart')} | ${cell(h, '25')} | ${cell(h, '29')} |`),
  ].join('\n');
}

describe.each(ENGINE_HOSTS.map((host) => [`${host.engine}: ${host.situation}`, host] as const))('a replayed %s', (_name, host) => {
  const dir = tempDir('engine');
  const root = path.join(dir, 'root');
  const { info, version } = answers(host, root);
  const containers = [
    { Id: '1'.repeat(64), Names: ['/web'], Image: 'nginx', State: 'running', ...(host.podman ? {} : { HostConfig: { NetworkMode: 'default' } }) },
    { Id: '2'.repeat(64), Names: ['/db'], Image: 'postgres', State: 'running', ...(host.podman ? {} : { HostConfig: { NetworkMode: 'default' } }) },
    { Id: '3'.repeat(64), Names: ['/job'], Image: 'busybox', State: 'exited', ...(host.podman ? {} : { HostConfig: { NetworkMode: 'none' } }) },
  ];
  const routes = {
    ...daemonRoutes(info, containers),
    '/version': (_req: unknown, res: import('node:http').ServerResponse) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(version));
    },
    '/containers/*/json': (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      const id = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('/')[2] ?? '';
      const c = containers.find((x) => x.Id === id);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ Id: id, Name: c?.Names[0], State: { Status: c?.State }, Config: { Image: c?.Image }, HostConfig: { NetworkMode: 'bridge' } }));
    },
  };
  const server = new ReplayServer(path.join(dir, 'docker.sock'), routes, host.apiVersion);
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const pidFile = path.join(dir, 'docker.pid');
  let pid: number | undefined;
  let flags: string[] = [];

  beforeAll(async () => {
    layOut(root, host.dirs);
    await server.start();
    if (!host.podman) {
      const configFile = path.join(dir, 'daemon.json');
      if (host.daemonJson !== undefined) writeFileSync(configFile, host.daemonJson);
      const child = startFakeDockerd(dir, ['--data-root', root, ...(host.args ?? []), '--config-file', configFile]);
      pid = child.pid;
      writeFileSync(pidFile, `${pid}\n`);
    }
    flags = ['--docker.host', server.host, '--docker.pid-file', pidFile];
    await exporter.start(flags);
  });
  afterAll(async () => {
    await exporter.stop();
    await stopPid(pid);
    await server.stop();
  });

  it('check, the metrics and textfile tell the same outcome for the restart and for Docker 25 and 29', async () => {
    const { stdout } = await runCli(['check', '--format', 'json', ...flags]);
    const report = JSON.parse(stdout) as Report;
    const file = path.join(dir, 'docker.prom');
    await runCli(['textfile', '--output', file, ...flags]);
    const scraped = await exporter.scrape();
    expect({ outcomes: fromReport(report), reasons: report.upgrade.filter((u) => u.outcome === 'unknown').map((u) => u.reason) }).toEqual({ outcomes: host.expected, reasons: [] });
    expect(fromMetrics(new Metrics(readFileSync(file, 'utf8')))).toEqual(host.expected);
    expect(fromMetrics(scraped)).toEqual(host.expected);
    expect(report.daemon.engine).toBe(host.podman ? 'podman' : 'docker');
    expect(scraped.all('docker_engine_info')[0]?.labels['engine']).toBe(host.podman ? 'podman' : 'docker');
  });
});

describe("the README's table of outcomes", () => {
  it('is these rows, each one a test above', () => {
    expect(readFileSync(path.join(repoRoot(), 'README.md'), 'utf8')).toContain(outcomeTable(ENGINE_HOSTS));
  });
});
