import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli';
import { EXPORTER_BIN, Metrics, TestExporter } from '../helpers/exporter';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

const sh = promisify(execFile);

/** A large host: 12,000 containers, all on host networking, on the removed legacy overlay driver. */
const CONTAINERS = 12000;
const info = {
  ServerVersion: '24.0.7',
  Driver: 'overlay',
  DriverStatus: [['Backing Filesystem', 'extfs']],
  Images: 40,
  DockerRootDir: '/nonexistent',
};
const containers = Array.from({ length: CONTAINERS }, (_, i) => ({
  Id: i.toString(16).padStart(64, '0'),
  Names: [`/service-${String(i).padStart(6, '0')}-with-a-rather-long-name`],
  Image: 'registry.example/team/application:1.2.3',
  State: i % 3 === 0 ? 'exited' : 'running',
  HostConfig: { NetworkMode: 'host' },
}));

describe('outputs arrive whole, at any size', () => {
  const dir = tempDir('whole');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info, containers));
  const common = [
    '--docker.host',
    server.host,
    '--docker.pid-file',
    path.join(dir, 'none.pid'),
    '--no-scan',
    '--limit',
    String(CONTAINERS),
  ];

  beforeAll(() => server.start());
  afterAll(async () => {
    await server.stop();
  });

  it.each(['json', 'text'])(
    'check --format %s through a slow pipe is byte-equal to the file written directly (over 1.5 MB)',
    async (format) => {
      const direct = path.join(dir, `direct.${format}`);
      const piped = path.join(dir, `piped.${format}`);
      const args = ['check', '--format', format, ...common].map((a) => `'${a}'`).join(' ');
      // The reader starts late, so the pipe fills and the exporter must wait for it.
      await sh('sh', [
        '-c',
        `'${process.execPath}' '${EXPORTER_BIN}' ${args} > '${direct}'; '${process.execPath}' '${EXPORTER_BIN}' ${args} | (sleep 1; cat) > '${piped}'; true`,
      ]);
      const size = statSync(direct).size;
      expect(size).toBeGreaterThan(1.5e6);
      expect(readFileSync(piped).equals(readFileSync(direct))).toBe(true);
      if (format === 'json') {
        const report = JSON.parse(readFileSync(piped, 'utf8')) as { host_network_containers: unknown[]; exit_code: number };
        expect(report.host_network_containers).toHaveLength(CONTAINERS);
        expect(report.exit_code).toBe(2);
      }
    },
  );

  it('check --limit applies to every list it prints, with "and N more"', async () => {
    const { stdout } = await runCli(['check', ...common, '--limit', '3']);
    expect(stdout.length).toBeLessThan(5000);
    expect(stdout).toContain(`and ${CONTAINERS - 3} more`);
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThan(600);
    const json = JSON.parse((await runCli(['check', ...common, '--limit', '3', '--format', 'json'])).stdout) as {
      host_network_containers: { name: string; state: string }[];
      host_network_containers_more: number;
      recreate: { containers: { names: string[]; more: number } };
    };
    expect(json.host_network_containers.map((c) => c.state)).toEqual(['running', 'running', 'running']);
    expect(json.host_network_containers_more).toBe(CONTAINERS - 3);
    expect(json.recreate.containers.more).toBe(CONTAINERS - 3);
  });
});

describe('host networking at scale', () => {
  const dir = tempDir('hostnet');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info, containers));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));

  beforeAll(async () => {
    await server.start();
    await exporter.start([
      '--docker.host',
      server.host,
      '--docker.pid-file',
      path.join(dir, 'none.pid'),
      '--no-scan',
      '--collector.host-network.max-series',
      '20',
    ]);
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('names at most --collector.host-network.max-series containers, running first and by name, while the counts stay exact', async () => {
    const m = await exporter.scrape();
    const named = m.all('docker_container_host_network_info');
    expect(named).toHaveLength(20);
    expect(named.every((s) => s.labels['state'] === 'running')).toBe(true);
    const runningNames = containers
      .filter((c) => c.State === 'running')
      .map((c) => (c.Names[0] ?? '').slice(1))
      .sort()
      .slice(0, 20);
    expect(named.map((s) => s.labels['name']).sort()).toEqual(runningNames);
    expect(m.value('docker_containers', { state: 'running', network_mode: 'host' })).toBe(8000);
    expect(m.value('docker_containers', { state: 'exited', network_mode: 'host' })).toBe(4000);
  });

  it('compresses /metrics with gzip when the scraper asks, as Prometheus does', async () => {
    const get = (encoding?: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(`${exporter.url}/metrics`, { headers: encoding ? { 'Accept-Encoding': encoding } : {} }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const zipped = await get('gzip');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(zipped.body).toString('utf8');
    expect(new Metrics(text).value('docker_containers', { state: 'running', network_mode: 'host' })).toBe(8000);
    expect(zipped.body.length).toBeLessThan(Buffer.byteLength(text) / 3);
    const plain = await get();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(new Metrics(plain.body.toString('utf8')).value('docker_up')).toBe(1);
  });
});

describe('textfile when things go wrong', () => {
  const dir = tempDir('textfile');

  it('exits 3 when the daemon does not answer, and still writes docker_up 0', async () => {
    const file = path.join(dir, 'docker.prom');
    const { code } = await runCli([
      'textfile',
      '--output',
      file,
      '--docker.host',
      `unix://${path.join(dir, 'absent.sock')}`,
      '--docker.timeout',
      '1s',
    ]);
    expect(code).toBe(3);
    expect(new Metrics(readFileSync(file, 'utf8')).value('docker_up')).toBe(0);
  });

  it('refuses before it scans when the output cannot be written', async () => {
    const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes({ ...info, DockerRootDir: dir }));
    await server.start();
    try {
      const { code, stderr } = await runCli([
        'textfile',
        '--output',
        path.join(dir, 'no-such-dir', 'docker.prom'),
        '--docker.host',
        server.host,
      ]);
      expect(code).toBe(1);
      expect(stderr).toMatch(/cannot write .*no-such-dir.*ENOENT/);
      expect(server.requests).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
