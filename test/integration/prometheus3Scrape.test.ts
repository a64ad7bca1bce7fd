import * as http from 'node:http';
import * as path from 'node:path';
import { TestExporter } from '../helpers/exporter';
import { freePort, TestPrometheus } from '../helpers/monitoring';
import { waitFor } from '../helpers/processes';
import { daemonRoutes, ReplayServer } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

const info = { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 1 };

/**
 * Prometheus 3 refuses a scrape whose Content-Type it cannot tell, and asks
 * for OpenMetrics first unless scrape_protocols says otherwise: both ways, it
 * must take the exporter's answer. A recording proxy in front shows the
 * Accept header each job sent.
 */
describe('scraped by Prometheus 3, with and without OpenMetrics in Accept', () => {
  const dir = tempDir('prom3-scrape');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), daemonRoutes(info));
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const prometheus = new TestPrometheus(path.join(dir, 'prometheus'), 3);
  const accepts = new Map<string, string>();
  let proxy: http.Server | undefined;

  beforeAll(async () => {
    await server.start();
    await exporter.start(['--docker.host', server.host, '--no-scan']);
    const port = await freePort();
    const upstream = new URL(exporter.url);
    // /<job>/metrics → the exporter's /metrics, remembering what the job asked to get.
    proxy = http.createServer((req, res) => {
      const job = (req.url ?? '').split('/')[1] ?? '';
      accepts.set(job, req.headers.accept ?? '');
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path: '/metrics', headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end();
    });
    await new Promise<void>((resolve) => proxy?.listen(port, '127.0.0.1', resolve));
    const job = (name: string, protocols?: string) =>
      [
        `  - job_name: ${name}`,
        `    metrics_path: /${name}/metrics`,
        '    scrape_interval: 1s',
        ...(protocols ? [`    scrape_protocols: ${protocols}`] : []),
        '    static_configs:',
        `      - targets: ['127.0.0.1:${port}']`,
      ].join('\n');
    await prometheus.start(
      ['global:', '  scrape_interval: 1s', 'scrape_configs:', job('default'), job('text_only', '[PrometheusText0.0.4]'), ''].join('\n'),
    );
  });

  afterAll(async () => {
    await prometheus.stop();
    proxy?.closeAllConnections();
    await new Promise((resolve) => proxy?.close(resolve));
    await exporter.stop();
    await server.stop();
  });

  it('takes the answer both ways: up 1 and docker_up 1 for each job', async () => {
    const byJob = await waitFor(
      'both jobs scraped',
      async () => {
        const result = (await prometheus.query('docker_up == 1 and on(job) up == 1')).data?.result ?? [];
        return result.length === 2 ? result.map((r) => r.metric['job']).sort() : undefined;
      },
      60000,
      500,
    );
    expect(byJob).toEqual(['default', 'text_only']);
    expect(accepts.get('default')).toContain('application/openmetrics-text');
    expect(accepts.get('text_only')).not.toContain('openmetrics');
    expect(accepts.get('text_only')).toContain('text/plain');
  });
});
