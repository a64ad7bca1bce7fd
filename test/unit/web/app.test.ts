import type { AddressInfo } from 'node:net';
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import winston from 'winston';
import type { Exporter } from '../../../src/metrics/exporter';
import { Exposition } from '../../../src/metrics/exposition';
import { createApp } from '../../../src/web/app';

/** An exporter whose scrape answers a fixed text, or fails. */
function fakeExporter(scrape: () => Promise<string>): Exporter {
  return { exposition: new Exposition(), scrape } as unknown as Exporter;
}

async function serve(exporter: Exporter, maxRequests?: number): Promise<{ url: string; close(): void }> {
  const app = createApp({
    exporter,
    telemetryPath: '/metrics',
    version: '1.2.3',
    logger: winston.createLogger({ silent: true }),
    ...(maxRequests !== undefined ? { maxRequests } : {}),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

function request(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createApp', () => {
  it('serves at most --web.max-requests scrapes at once; the next gets 503, and a slot frees when one ends', async () => {
    const waiting: (() => void)[] = [];
    const web = await serve(
      fakeExporter(() => new Promise<string>((resolve) => waiting.push(() => resolve('docker_up 1\n')))),
      2,
    );
    try {
      const first = request(`${web.url}/metrics`);
      const second = request(`${web.url}/metrics`);
      while (waiting.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const third = await request(`${web.url}/metrics`);
      expect(third.status).toBe(503);
      expect(third.body.toString()).toBe('Limit of concurrent requests reached (2), try again later.\n');
      // Other paths are not scrapes.
      expect((await request(`${web.url}/-/healthy`)).status).toBe(200);
      waiting.shift()?.();
      expect((await first).status).toBe(200);
      const fourth = request(`${web.url}/metrics`);
      while (waiting.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      for (const release of waiting.splice(0)) release();
      expect([(await second).status, (await fourth).status]).toEqual([200, 200]);
    } finally {
      web.close();
    }
  });

  it('serves the metrics, gzip-compressed when asked', async () => {
    const web = await serve(fakeExporter(async () => 'docker_up 1\n'));
    try {
      const plain = await request(`${web.url}/metrics`);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toContain('text/plain');
      expect(plain.body.toString()).toBe('docker_up 1\n');
      const zipped = await request(`${web.url}/metrics`, 'GET', { 'Accept-Encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(zipped.body).toString()).toBe('docker_up 1\n');
    } finally {
      web.close();
    }
  });

  it('answers only its paths and only GET and HEAD; a landing page names the version', async () => {
    const web = await serve(fakeExporter(async () => ''));
    try {
      expect((await request(`${web.url}/nope`)).status).toBe(404);
      expect((await request(`${web.url}/metrics`, 'POST')).status).toBe(405);
      expect((await request(`${web.url}/metrics`, 'HEAD')).status).toBe(200);
      expect((await request(`${web.url}/-/healthy`)).body.toString()).toBe('Healthy\n');
      expect((await request(`${web.url}/-/ready`)).body.toString()).toBe('Ready\n');
      const landing = (await request(`${web.url}/`)).body.toString();
      expect(landing).toContain('Version 1.2.3');
      expect(landing).toContain('href="/metrics"');
    } finally {
      web.close();
    }
  });

  it('answers 500 and keeps serving when a scrape fails (a bug, not a daemon fault)', async () => {
    let fail = true;
    const web = await serve(fakeExporter(async () => (fail ? Promise.reject(new Error('bug')) : 'docker_up 1\n')));
    try {
      expect((await request(`${web.url}/metrics`)).status).toBe(500);
      fail = false;
      expect((await request(`${web.url}/metrics`)).status).toBe(200);
    } finally {
      web.close();
    }
  });
});
