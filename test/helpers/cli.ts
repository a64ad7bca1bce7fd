import { execFile } from 'node:child_process';
import { EXPORTER_BIN } from './exporter';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built exporter's command line once, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env, as?: { uid: number; gid: number }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [EXPORTER_BIN, ...args],
      { env, maxBuffer: 16 * 1024 * 1024, timeout: 120000, ...(as ?? {}) },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
