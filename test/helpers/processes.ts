import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';

/** Waits for a condition, polling; fails with the condition's description. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      // A probe that knows waiting is pointless (the process died) ends the wait.
      if ((err as { final?: boolean }).final) throw err;
      lastError = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if it has not gone within `graceMs`; waits until it is gone. */
export async function stopPid(pid: number | undefined, graceMs = 15000): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
}

/** Starts a program with its output in a log file; the child is not tied to jest's lifetime. */
export function startLogged(command: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env, as?: { uid: number; gid: number }): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(as ?? {}) });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

export function which(program: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const candidate = `${dir}/${program}`;
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
