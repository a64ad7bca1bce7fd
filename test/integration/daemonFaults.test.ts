import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestExporter } from '../helpers/exporter';
import { json, ReplayServer, Route } from '../helpers/replayServer';

const info = { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 3, Containers: 0 };

/** A daemon that misbehaves in one way, behind a switch the test flips. */
describe('when the daemon misbehaves', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-faults-'));
  let infoRoute: Route = json(info);
  const ok: Route = (_req, res) => void res.end('OK');
  let pingRoute: Route = ok;
  const server = new ReplayServer(path.join(dir, 'docker.sock'), {
    '/_ping': (req, res) => pingRoute(req, res),
    '/info': (req, res) => infoRoute(req, res),
    '/containers/json': json([]),
    '/volumes': json({ Volumes: [] }),
  });
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const hung: import('node:http').ServerResponse[] = [];

  beforeAll(async () => {
    await server.start();
    await exporter.start(['--docker.host', server.host, '--docker.timeout', '1s', '--docker.info-max-age', '1ms', '--docker.min-interval', '0s', '--docker.pid-file', path.join(dir, 'none.pid')]);
  });
  afterAll(async () => {
    for (const res of hung) res.destroy();
    await exporter.stop();
    await server.stop();
  });

  it('when it hangs, the scrape still answers within the timeout, with docker_up 0', async () => {
    pingRoute = (_req, res) => void hung.push(res);
    const started = Date.now();
    const m = await exporter.scrape();
    const elapsed = Date.now() - started;
    expect(m.value('docker_up')).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'ping' })).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(m.all('docker_containers')).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(1000 + 1500);
    expect(exporter.log()).toContain('no complete answer within 1000 ms');
  });

  it('when /info hangs but the daemon pings, the scrape answers in time: up, with the info collector failed', async () => {
    pingRoute = ok;
    infoRoute = (_req, res) => void hung.push(res);
    const started = Date.now();
    const m = await exporter.scrape();
    expect(Date.now() - started).toBeLessThan(1000 + 1500);
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'containers' })).toBe(1);
    expect(m.all('docker_storage_driver_info')).toEqual([]);
    expect(exporter.log()).toContain('GET /info: no complete answer within 1000 ms');
  });

  it('when it drips its answer a byte at a time, the deadline still holds', async () => {
    infoRoute = (_req, res) => {
      hung.push(res);
      res.setHeader('Content-Type', 'application/json');
      res.write('{');
      const timer = setInterval(() => (res.writableEnded || res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
    };
    const started = Date.now();
    const m = await exporter.scrape();
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000 + 1500);
  });

  it('when it answers with something that is not JSON, the collector fails and the process lives on', async () => {
    infoRoute = (_req, res) => void res.end('<html>proxy error</html>');
    const m = await exporter.scrape();
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(exporter.log()).toContain('GET /info: the answer is not JSON');
  });

  it('when it answers 500, it is down; when it answers with wrong types, it is up and counts them', async () => {
    pingRoute = (_req, res) => {
      res.statusCode = 500;
      res.end('Internal Server Error');
    };
    expect((await exporter.scrape()).value('docker_up')).toBe(0);
    pingRoute = ok;
    infoRoute = json({ ...info, Images: 'many', Driver: ['overlay2'] });
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_images')).toBeUndefined();
    expect(m.value('docker_exporter_parse_errors_total', { field: 'info.Images' })).toBe(1);
    expect(m.value('docker_exporter_parse_errors_total', { field: 'info.Driver' })).toBe(1);
  });

  it('recovers by itself when the daemon answers again', async () => {
    infoRoute = json(info);
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_images')).toBe(3);
    expect(exporter.child?.exitCode).toBeNull();
  });

  it('shares one collection among concurrent scrapes', async () => {
    const before = server.requests.filter((r) => r.startsWith('GET /info')).length;
    infoRoute = (req, res) => setTimeout(() => json(info)(req, res), 300);
    await Promise.all(Array.from({ length: 10 }, () => exporter.scrape()));
    const after = server.requests.filter((r) => r.startsWith('GET /info')).length;
    expect(after - before).toBe(1);
  });
});
