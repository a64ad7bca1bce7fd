import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'winston';
import type { Config } from '../config';
import { Exporter } from '../exporter';
import { createScanRunner } from '../scan/runScan';
import { ScanScheduler } from '../scan/scheduler';
import { oneShotCollector } from './oneShot';

/**
 * Writes `text` to `file` so that a reader sees the old file or the new one,
 * never half of one: a temporary file in the same directory (same filesystem,
 * and not ending in .prom, which node_exporter would read), then a rename.
 */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await fs.open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (err) {
    await fs.rm(temporary, { force: true });
    throw err;
  }
}

/** `docker-daemon-exporter textfile`: one collection (and scan) written for node_exporter; returns the exit status. */
export async function runTextfile(config: Config, output: string, version: string, logger: Logger): Promise<number> {
  const { collector } = oneShotCollector(config, logger);
  const scanner = config.scan
    ? new ScanScheduler({ run: createScanRunner(), intervalMs: 24 * 3600 * 1000, logger, rootOverride: config.dataRoot })
    : undefined;
  // No process metrics: they describe this short-lived process, and clash with node_exporter's own.
  const exporter = new Exporter(collector, scanner, { version, processMetrics: false });
  const snapshot = await exporter.collect();
  await scanner?.idle();
  scanner?.stop();
  const text = await exporter.render(snapshot);
  try {
    await writeAtomically(output, text);
  } catch (err) {
    process.stderr.write(`docker-daemon-exporter textfile: cannot write ${output}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (!snapshot.up) logger.error('the Docker daemon did not answer; wrote docker_up 0', { output });
  else logger.info('wrote metrics', { output, bytes: Buffer.byteLength(text) });
  return 0;
}
