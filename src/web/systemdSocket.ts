/** The first file descriptor systemd passes (SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

/**
 * The listening socket systemd passed by socket activation (sd_listen_fds):
 * LISTEN_FDS sockets from fd 3, meant for the process LISTEN_PID names. The
 * variables are taken out of `env` so that no child process (the scan's
 * walkers) believes they are meant for it.
 */
export function takeSystemdSocket(env: NodeJS.ProcessEnv, pid: number): { fd: number } | { problem: string } {
  const listenPid = env['LISTEN_PID'];
  const listenFds = env['LISTEN_FDS'];
  delete env['LISTEN_PID'];
  delete env['LISTEN_FDS'];
  delete env['LISTEN_FDNAMES'];
  if (listenFds === undefined)
    return { problem: 'no socket passed: LISTEN_FDS is not set (start it from a .socket unit, or systemd-socket-activate)' };
  if (listenPid !== undefined && listenPid !== String(pid)) return { problem: `the sockets are for process ${listenPid}, this is ${pid}` };
  const count = /^\d+$/.test(listenFds) ? Number(listenFds) : NaN;
  if (!(count >= 1)) return { problem: `no socket passed: LISTEN_FDS=${JSON.stringify(listenFds)}` };
  if (count > 1) return { problem: `${count} sockets passed; give the .socket unit one ListenStream` };
  return { fd: FIRST_FD };
}
