/**
 * Thresholds shared by `check`, the alert rules and the dashboards (the mixin's
 * _config.thresholds starts from these): one place, so that they cannot drift.
 */
export const THRESHOLDS = {
  /** Thin-pool space available below this share of what the pool can take (used + available) is low. */
  thinPoolAvailableRatio: 0.2,
  /** On loop-lvm, the loop file's filesystem is nearly full below this share: writes are about to fail. */
  thinPoolLoopFilesystemRatio: 0.05,
  /** Below this share, a pool filling up within a day is worth a warning. */
  thinPoolFillingUpRatio: 0.4,
  /** Orphaned data in a data root worth an alert. */
  orphanedBytes: 1e9,
  /** A data-root scan older than this is stale. */
  scanStaleSeconds: 7200,
  /** A container restarting more than this many times in 15 minutes is in a restart loop. */
  containerRestarts15m: 5,
} as const;

export type ThresholdName = keyof typeof THRESHOLDS;
