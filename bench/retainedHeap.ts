import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import winston from 'winston';
import { parseConfig } from '../src/config/config';
import { createApp } from '../src/web/app';
import { exporterFor } from '../src/metrics/exporter';
import { buildParts } from '../src/wiring';
import { replayedHost } from './replayedHost';

/** Run by bench/memory.ts with --expose-gc: prints the heap in MiB the exporter still holds after 30 scrapes of a replayed host. */
async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 0);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  const before = process.memoryUsage().heapUsed;
  const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-heap-'));
  const { server } = replayedHost(dir, size);
  await server.start();
  const parsed = parseConfig(['--docker.host', server.host, '--docker.pid-file', path.join(dir, 'none.pid'), '--no-scan'], {});
  if (parsed.kind !== 'run') throw new Error('expected the exporter');
  const logger = winston.createLogger({ silent: true });
  const parts = buildParts(parsed.config, logger, 'serve');
  const web = http.createServer(
    createApp({
      exporter: exporterFor(parsed.config, parts.collector, parts.scanner, 'serve'),
      telemetryPath: '/metrics',
      version: 'bench',
      logger,
    }),
  );
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}/metrics`;
  try {
    for (let i = 0; i < 30; i++) {
      await (await fetch(url, { headers: { 'Accept-Encoding': 'gzip' } })).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    gc();
    process.stdout.write(`${((process.memoryUsage().heapUsed - before) / 2 ** 20).toFixed(2)}\n`);
  } finally {
    parts.collector.stop();
    web.closeAllConnections();
    web.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
