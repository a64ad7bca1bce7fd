import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';

/** Waits for a condition, polling; fails with the condition's description. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30000,
  everyMs = 100,
): Promise<T> {
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
  throw new Error(
    `timed out waiting for ${what}${lastError ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`,
  );
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
export function startLogged(
  command: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
  as?: { uid: number; gid: number },
): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(as ?? {}) });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  return child;
}

/**
 * Waits until a service started as `child` answers; fails at once, with its
 * log, when it exits first (waiting out the deadline would hide why). The
 * child is left running, not tied to the test's lifetime.
 */
export async function untilAnswering(
  child: ChildProcess,
  name: string,
  where: string,
  answers: () => Promise<boolean>,
  log: () => string,
): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  await waitFor(
    `${name} to answer on ${where}`,
    async () => {
      if (exited) throw Object.assign(new Error(`${name} exited:\n${log()}`), { final: true });
      return (await answers()) ? true : undefined;
    },
    60000,
    200,
  );
}

export function which(program: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    const candidate = `${dir}/${program}`;
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A process that is, to /proc, a dockerd started with `args` and `env`: its
 * argv[0] is /usr/bin/dockerd (bash's exec -a) and it waits on a FIFO with a
 * builtin, so it has no child to leave behind when it is stopped. For tests
 * of what the exporter reads from /proc/<pid> of daemons that cannot run here.
 */
export function startFakeDockerd(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const fifo = `${dir}/fake-dockerd.fifo`;
  execFileSync('mkfifo', [fifo]);
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // The inner bash: -c's script reads the FIFO (opened read-write: no EOF) for at most 1000 s; the flags are its positional parameters.
  return startLogged(
    'bash',
    ['-c', `exec -a /usr/bin/dockerd bash -c 'exec 9<>"$0"; read -t 1000 -u 9; :' '${fifo}' ${quoted}`],
    `${dir}/fake-dockerd.log`,
    { PATH: process.env['PATH'], ...env },
  );
}
