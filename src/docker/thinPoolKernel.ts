import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { KernelThinPool, parseThinPoolStatus } from '../parse/dmsetupStatus';
import { errorCode, errorMessage } from '../util/errors';

/** The pool as the kernel reports it, or why it could not be read (unknown: never "fine"). */
export type KernelPoolReading = KernelThinPool | { error: string };

export type KernelPoolReader = (poolName: string) => Promise<KernelPoolReading>;

/**
 * Reads a thin pool with `dmsetup status` and `dmsetup table`: read-only (the device-mapper
 * TABLE_STATUS ioctl), but it needs root and /dev/mapper/control, so an exporter run as an
 * unprivileged user or in a container without the device gets an error and the metrics fall back to
 * the daemon's figures. `run` is injected for tests.
 */
export function kernelPoolReader(
  timeoutMs: number,
  run: (args: string[]) => Promise<string> = (args) => dmsetup(args, timeoutMs),
): KernelPoolReader {
  return async (poolName) => {
    // A name is passed as one argument, never through a shell; still refuse what is no pool name.
    if (!/^[A-Za-z0-9][A-Za-z0-9:._+-]{0,126}$/.test(poolName)) return { error: `not a device-mapper name: ${JSON.stringify(poolName)}` };
    try {
      const [status, table] = await Promise.all([run(['status', poolName]), run(['table', poolName])]);
      const pool = parseThinPoolStatus(status, table);
      return typeof pool === 'string' ? { error: pool } : pool;
    } catch (err) {
      return { error: errorMessage(err) };
    }
  };
}

const CONTROL = '/dev/mapper/control';

function dmsetup(args: string[], timeoutMs: number): Promise<string> {
  // An exporter that may not open the control device (not root, or a container without it) would fork
  // two dmsetups at every scrape only to hear so: one access check says it first.
  try {
    accessSync(CONTROL, constants.R_OK | constants.W_OK);
  } catch (err) {
    return Promise.reject(new Error(`dmsetup ${args[0] ?? ''}: ${CONTROL}: ${errorCode(err)}`));
  }
  return new Promise((resolve, reject) => {
    execFile('dmsetup', args, { timeout: timeoutMs, maxBuffer: 64 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`dmsetup ${args[0]}: ${(stderr || err.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
  });
}
