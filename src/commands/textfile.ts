import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from 'winston';
import type { Config } from '../config/config';
import { errorMessage } from '../util/errors';
import { exporterFor } from '../metrics/exporter';
import { buildParts } from '../wiring';
import { EXIT } from '../util/exitCodes';

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

/** Fails, with the system's reason, when `file`'s directory does not take a new file: before a scan of minutes, not after. */
export async function assertWritable(file: string): Promise<void> {
  const probe = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.probe`);
  await (await fs.open(probe, 'wx', 0o644)).close();
  await fs.rm(probe, { force: true });
}

const TEXTFILE_EXIT = EXIT.textfile;

/**
 * `docker-daemon-exporter textfile`: one collection (and scan) written for
 * node_exporter. Exits 0 when written, 1 when the file cannot be written, 3
 * when the daemon did not answer (the file then says docker_up 0): a systemd
 * timer shows the failure.
 */
export async function runTextfile(config: Config, output: string, logger: Logger): Promise<number> {
  try {
    await assertWritable(output);
  } catch (err) {
    process.stderr.write(`docker-daemon-exporter textfile: cannot write ${output}: ${errorMessage(err)}\n`);
    return TEXTFILE_EXIT.cannotWrite;
  }
  const { collector, scanner } = buildParts(config, logger, 'once');
  const exporter = exporterFor(config, collector, scanner, 'once');
  const snapshot = await exporter.collect();
  await scanner?.idle();
  scanner?.stop();
  const text = await exporter.render(snapshot);
  try {
    await writeAtomically(output, text);
  } catch (err) {
    process.stderr.write(`docker-daemon-exporter textfile: cannot write ${output}: ${errorMessage(err)}\n`);
    return TEXTFILE_EXIT.cannotWrite;
  }
  if (!snapshot.up) {
    logger.error('the Docker daemon did not answer; wrote docker_up 0', { output });
    return TEXTFILE_EXIT.daemonDown;
  }
  logger.info('wrote metrics', { output, bytes: Buffer.byteLength(text) });
  return TEXTFILE_EXIT.written;
}
