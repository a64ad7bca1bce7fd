/**
 * Every exit status of every command, in one place: scripts and systemd
 * units branch on them, and the README and docs/upgrade.md say the same.
 */
export const EXIT = {
  /** Bad configuration: a flag, the web config, a certificate; the message names it. */
  usage: 2,
  /** check: the verdict (and 3 when the daemon does not answer). */
  check: { ok: 0, warning: 1, blocked: 2, unreachable: 3 },
  textfile: { written: 0, cannotWrite: 1, daemonDown: 3 },
  plan: { done: 0, unreachable: 3 },
  reclaim: { done: 0, failed: 1, refused: 2 },
} as const;
