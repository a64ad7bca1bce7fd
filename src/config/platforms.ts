/**
 * How to pin or change the storage driver depends on how the host is
 * configured, not on the verdict: a Flying Circus NixOS host takes a file in
 * /etc/local/nixos and `fc-manage switch`, any NixOS host
 * `virtualisation.docker.daemon.settings`, anything else daemon.json.
 */
export const PLATFORMS = ['daemon-json', 'nixos', 'flyingcircus'] as const;
export type Platform = (typeof PLATFORMS)[number];
