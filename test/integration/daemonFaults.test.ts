import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { TestExporter } from '../helpers/exporter';
import { sleep, waitFor } from '../helpers/processes';
import { json, ReplayServer, Route } from '../helpers/replayServer';
import { tempDir } from '../helpers/tempDir';

const info = { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 3, Containers: 0 };

/** A daemon that misbehaves in one way, behind a switch the test flips. */
describe('when the daemon misbehaves', () => {
  const dir = tempDir('faults');
  let infoRoute: Route = json(info);
  const ok: Route = (_req, res) => void res.end('OK');
  let pingRoute: Route = ok;
  // The exporter's own start-up collection is slow, as on a loaded machine: a
  // scrape that arrives while it is in flight shares it (and its docker_up 1).
  let slowStartUp = true;
  const server = new ReplayServer(path.join(dir, 'docker.sock'), {
    '/_ping': (req, res) => pingRoute(req, res),
    '/info': (req, res) => infoRoute(req, res),
    '/containers/json': (req, res) => {
      const delay = slowStartUp ? 800 : 0;
      slowStartUp = false;
      setTimeout(() => json([])(req, res), delay);
    },
    '/volumes': json({ Volumes: [] }),
  });
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  const hung: import('node:http').ServerResponse[] = [];

  beforeAll(async () => {
    await server.start();
    await exporter.start([
      '--docker.host',
      server.host,
      '--docker.timeout',
      '1s',
      '--docker.info-max-age',
      '1ms',
      '--docker.min-interval',
      '0s',
      '--docker.pid-file',
      path.join(dir, 'none.pid'),
    ]);
    // Each test changes the daemon and then scrapes: no collection that began
    // before the change may still be in flight. This scrape ends the start-up one.
    expect((await exporter.scrape()).value('docker_up')).toBe(1);
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
    // The daemon never answers the ping: only the exporter's deadline can have ended the scrape.
    expect(hung.length).toBe(1);
    expect(hung.every((res) => !res.writableEnded)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(m.value('docker_up')).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'ping' })).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(m.all('docker_containers')).toEqual([]);
    await exporter.logged('GET /_ping: no complete answer within 1000 ms');
  });

  it('when /info hangs but the daemon pings, the scrape answers in time: up, with the info collector failed', async () => {
    pingRoute = ok;
    infoRoute = (_req, res) => void hung.push(res);
    const m = await exporter.scrape();
    expect(hung.every((res) => !res.writableEnded)).toBe(true);
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    expect(m.value('docker_exporter_collector_success', { collector: 'containers' })).toBe(1);
    expect(m.all('docker_storage_driver_info')).toEqual([]);
    await exporter.logged('GET /info: no complete answer within 1000 ms');
  });

  it('when it drips its answer a byte at a time, the deadline still holds', async () => {
    infoRoute = (_req, res) => {
      hung.push(res);
      res.setHeader('Content-Type', 'application/json');
      res.write('{');
      const timer = setInterval(() => (res.writableEnded || res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
    };
    const m = await exporter.scrape();
    // The drip never ends by itself: only the deadline can have cut it.
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
  });

  it('when it answers with something that is not JSON, the collector fails and the process lives on', async () => {
    infoRoute = (_req, res) => void res.end('<html>proxy error</html>');
    const m = await exporter.scrape();
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    await exporter.logged('GET /info: the answer is not JSON');
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

  it('when it redirects elsewhere, it is down, nothing else is asked, and the process lives on', async () => {
    // Where the redirect points: any connection there would be a request the exporter must not send.
    let connections = 0;
    const elsewhere = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      pingRoute = (_req, res) => {
        res.writeHead(301, { Location: `http://127.0.0.1:${(elsewhere.address() as net.AddressInfo).port}/stolen` });
        res.end();
      };
      expect((await exporter.scrape()).value('docker_up')).toBe(0);
      await exporter.logged('GET /_ping: HTTP 301');
      await sleep(300);
      expect(connections).toBe(0);
      expect(exporter.child?.exitCode).toBeNull();
      pingRoute = ok;
      expect((await exporter.scrape()).value('docker_up')).toBe(1);
    } finally {
      pingRoute = ok;
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });

  it('recovers by itself when the daemon answers again', async () => {
    infoRoute = json(info);
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_images')).toBe(3);
    expect(exporter.child?.exitCode).toBeNull();
  });

  it('when it answers with a body larger than any real answer, drops it with bounded memory', async () => {
    const pid = exporter.child?.pid as number;
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
    const before = rss();
    infoRoute = (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 200 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.write('[');
      pump();
    };
    const m = await exporter.scrape();
    expect(m.value('docker_up')).toBe(1);
    expect(m.value('docker_exporter_collector_success', { collector: 'info' })).toBe(0);
    await exporter.logged('GET /info: answer larger than 33554432 bytes');
    // 200 MiB were offered; at most the 32 MiB cap (and its copy) was held.
    expect(rss() - before).toBeLessThan(100);
    expect(exporter.child?.exitCode).toBeNull();
  });

  it('shares one collection among concurrent scrapes', async () => {
    infoRoute = json(info);
    const before = server.requests.filter((r) => r.startsWith('GET /info')).length;
    infoRoute = (req, res) => setTimeout(() => json(info)(req, res), 300);
    await Promise.all(Array.from({ length: 10 }, () => exporter.scrape()));
    const after = server.requests.filter((r) => r.startsWith('GET /info')).length;
    expect(after - before).toBe(1);
  });
});

describe('when the first answers are already wrong', () => {
  const dir = tempDir('first');
  const server = new ReplayServer(path.join(dir, 'docker.sock'), {
    '/info': json({ ...info, Images: 'many' }),
    '/containers/json': json([{ Id: 'a'.repeat(64), Names: ['/web'], Image: 'nginx', State: 'running', HostConfig: { NetworkMode: 7 } }]),
    '/volumes': json({ Volumes: [] }),
  });
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  beforeAll(async () => {
    await server.start();
    await exporter.start(['--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan']);
    // The start-up collection has read /info (cached for 30 s from then on).
    await waitFor('the start-up /info', () => (server.requests.some((r) => r.startsWith('GET /info')) ? true : undefined), 5000, 20);
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('counts the problems the start-up collection found, once', async () => {
    const m = await exporter.scrape();
    expect(server.requests.filter((r) => r.startsWith('GET /info'))).toHaveLength(1);
    expect(m.value('docker_exporter_parse_errors_total', { field: 'info.Images' })).toBe(1);
    expect(m.value('docker_exporter_parse_errors_total', { field: 'containers.HostConfig.NetworkMode' })).toBeGreaterThanOrEqual(1);
    expect((await exporter.scrape()).value('docker_exporter_parse_errors_total', { field: 'info.Images' })).toBe(1);
  });
});

describe('on SIGTERM', () => {
  const dir = tempDir('term');
  let release: (() => void) | undefined;
  const server = new ReplayServer(path.join(dir, 'docker.sock'), {
    // A ping that waits for the test: a scrape stays in flight until released.
    '/_ping': (_req, res) => {
      release = () => res.end('OK');
    },
    '/info': json(info),
    '/containers/json': json([]),
    '/volumes': json({ Volumes: [] }),
  });
  const exporter = new TestExporter(path.join(dir, 'exporter.log'));
  beforeAll(async () => {
    await server.start();
    await exporter.start(['--docker.host', server.host, '--docker.timeout', '10s', '--docker.min-interval', '0s', '--no-scan']);
    // The exporter's own first collection at start: let it through.
    await waitFor('the start-up ping', () => (release ? true : undefined), 5000, 20);
    release?.();
    release = undefined;
    // Let that collection finish, so that the test's scrape starts one of its own.
    await waitFor(
      'the start-up collection to end',
      () => (server.requests.some((r) => r.startsWith('GET /containers/json')) ? true : undefined),
      5000,
      20,
    );
    await sleep(200);
  });
  afterAll(async () => {
    await exporter.stop();
    await server.stop();
  });

  it('stops accepting, finishes the scrape in flight, and exits 0', async () => {
    // node:http and a bare TCP connect, so that the two requests share no connection pool.
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get(`${exporter.url}/metrics`, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
    await waitFor('the scrape to reach the daemon', () => (release ? true : undefined), 5000, 20).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}; the daemon saw ${JSON.stringify(server.requests)}`);
    });
    const exited = new Promise<number | null>((resolve) => exporter.child?.once('exit', (code) => resolve(code)));
    exporter.child?.kill('SIGTERM');
    await waitFor(
      'the exporter to log that it stops',
      () => (exporter.log().includes('msg=stopping signal=SIGTERM') ? true : undefined),
      5000,
      20,
    );
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(exporter.url).port), '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('accepted');
      });
      socket.once('error', () => resolve('refused'));
    });
    expect(refused).toBe('refused');
    release?.();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^docker_up 1$/m);
    expect(await exited).toBe(0);
  });
});
