// Docker reports thin-pool sizes as go-units HumanSize strings: "%.4g %s" up to
// Docker 17.03 ("107.4 GB"), "%.4g%s" from 17.04 ("107.4GB"), decimal units.
// BytesSize (binary, "KiB") is accepted too because some tools print it.
const DECIMAL: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  eb: 1e18,
  zb: 1e21,
  yb: 1e24,
};
const BINARY: Record<string, number> = {
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
  eib: 2 ** 60,
};

const PATTERN = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s?([a-z]+)\s*$/i;

/** Bytes for a HumanSize string, rounded to the nearest byte; undefined when it is not one. */
export function parseHumanSize(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const factor = DECIMAL[unit] ?? BINARY[unit];
  if (factor === undefined || !Number.isFinite(value)) return undefined;
  const bytes = Math.round(value * factor);
  return Number.isFinite(bytes) ? bytes : undefined;
}

/**
 * Bytes for a size as go-units FromHumanSize reads it (decimal: "10GB", "10g", "500 MB", "1024"),
 * as dockerd reads $DOCKER_MIGRATE_SNAPSHOTTER_THRESHOLD; undefined when it would refuse it.
 */
export function parseFromHumanSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtpezy]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const power = ' kmgtpezy'.indexOf((match[2] || ' ').toLowerCase());
  return Math.round(Number(match[1]) * 1000 ** power);
}
