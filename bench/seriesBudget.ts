import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GOLDEN_DIR } from '../test/golden/goldenHosts';
import { PROFILES } from '../test/helpers/fleetSimulator';
import { TestExporter } from '../test/helpers/exporter';
import { replayedHost } from './replayedHost';

/** Sample lines of an exposition: each one a series in Prometheus. */
export function seriesCount(text: string, leaveOut: RegExp = /^$/): number {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !leaveOut.test(l)).length;
}

const PROCESS = /^(process_|nodejs_)/;

/**
 * The series budget per host for a central store: what one exporter costs in series, by kind of host
 * (the golden files, which leave out the process metrics), and live at 0 and 10,000 containers with
 * and without the exporter's own process metrics (--web.disable-exporter-metrics).
 */
export async function benchSeriesBudget(): Promise<Record<string, string>> {
  const figures: Record<string, string> = {};
  for (const profile of Object.keys(PROFILES)) {
    figures[`series, ${profile} (without process metrics)`] = String(
      seriesCount(readFileSync(path.join(GOLDEN_DIR, `${profile}.prom`), 'utf8')),
    );
  }
  for (const size of [0, 10000]) {
    for (const disable of [false, true]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'dde-bench-series-'));
      const { server } = replayedHost(dir, size);
      const exporter = new TestExporter(path.join(dir, 'exporter.log'));
      try {
        await server.start();
        await exporter.start([
          '--docker.host',
          server.host,
          '--docker.pid-file',
          path.join(dir, 'none.pid'),
          '--no-scan',
          ...(disable ? ['--web.disable-exporter-metrics'] : []),
        ]);
        const text = (await exporter.scrape()).text;
        const label = `${size} replayed containers, ${disable ? '--web.disable-exporter-metrics' : 'defaults'}`;
        figures[`series, ${label}`] = `${seriesCount(text)} (process and Node.js: ${seriesCount(text) - seriesCount(text, PROCESS)})`;
      } finally {
        await exporter.stop();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return figures;
}
