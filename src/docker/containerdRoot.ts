import { readFileSync, readlinkSync } from 'node:fs';

/** containerd's default root (containerd defaults.DefaultRootDir on Linux). */
export const DEFAULT_CONTAINERD_ROOT = '/var/lib/containerd';

/**
 * The root directory a containerd keeps its content and snapshots in: the
 * top-level `root` key of its config.toml (before any [table]), else its
 * default. Pure: the file's text in, the directory out.
 */
export function containerdRootOf(configText: string | undefined): string {
  if (configText === undefined) return DEFAULT_CONTAINERD_ROOT;
  for (const line of configText.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('[')) break;
    const match = /^root\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(trimmed);
    if (match) return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? DEFAULT_CONTAINERD_ROOT);
  }
  return DEFAULT_CONTAINERD_ROOT;
}

/** containerdRootOf the file at `configFile`; a missing file means containerd's defaults, as containerd itself takes it. */
export function readContainerdRoot(configFile: string): string {
  let text: string | undefined;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch {
    text = undefined;
  }
  return containerdRootOf(text);
}

/**
 * Where to measure the containerd root of a daemon that uses an external
 * containerd (undefined when it runs its own: that one lives in the data root,
 * <root>/containerd, and is measured with it). `configFile` is containerd's
 * config as that daemon's host has it (--containerd.config); seen through
 * /proc/<pid>/root when this process is in another mount namespace.
 */
export function containerdRootToMeasure(
  storage: { known: true; pid: number; externalContainerd?: string } | { known: false } | undefined,
  configFile: string,
  procRoot = '/proc',
): { root: string; path: string } | undefined {
  if (!storage?.known || !storage.externalContainerd) return undefined;
  let sameNamespace = true;
  try {
    sameNamespace = readlinkSync(`${procRoot}/self/ns/mnt`) === readlinkSync(`${procRoot}/${storage.pid}/ns/mnt`);
  } catch {
    // Cannot tell: read and measure the paths as this process sees them.
  }
  const seen = (file: string) => (sameNamespace ? file : `${procRoot}/${storage.pid}/root${file}`);
  // The config too as the daemon's host has it: NixOS keeps it in /nix/store, which a container does not have.
  const root = readContainerdRoot(seen(configFile));
  return { root, path: seen(root) };
}
