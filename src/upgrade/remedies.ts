import { Platform } from '../config/platforms';

export interface Remedies {
  platform: Platform;
  /** Configure `driver` explicitly, so the daemon keeps starting on it. */
  pinDriver(driver: string): string;
  /** Change to `driver` (the old data stays behind). */
  switchDriver(driver: string): string;
}

const nixSetting = (driver: string) => `virtualisation.docker.daemon.settings = { storage-driver = "${driver}"; };`;

/** What the host is, from what it has: the platform's tool on PATH, /etc/NIXOS. */
export function detectPlatform(probe: { exists(path: string): boolean; onPath(program: string): boolean }): Platform {
  if (probe.onPath('fc-manage') || probe.exists('/etc/local/nixos')) return 'flyingcircus';
  if (probe.exists('/etc/NIXOS')) return 'nixos';
  return 'daemon-json';
}

/**
 * `daemonConfigFile`: the daemon.json the running daemon reads, when known. Pinning the driver in use and
 * switching to another are the same setting on NixOS; with daemon.json, a pin must also not fight a
 * --storage-driver flag.
 */
export function remediesFor(platform: Platform, daemonConfigFile = '/etc/docker/daemon.json'): Remedies {
  switch (platform) {
    case 'flyingcircus':
      return sameForBoth(platform, (driver) => `In /etc/local/nixos/docker.nix: ${nixSetting(driver)} Then sudo fc-manage switch.`);
    case 'nixos':
      return sameForBoth(platform, (driver) => `In the NixOS configuration: ${nixSetting(driver)} Then sudo nixos-rebuild switch.`);
    case 'daemon-json':
      return {
        platform,
        pinDriver: (driver) =>
          `Set "storage-driver": "${driver}" in ${daemonConfigFile} (and no --storage-driver flag), then sudo systemctl restart docker.`,
        switchDriver: (driver) => `Set "storage-driver": "${driver}" in ${daemonConfigFile}, then sudo systemctl restart docker.`,
      };
  }
}

function sameForBoth(platform: Platform, setDriver: (driver: string) => string): Remedies {
  return { platform, pinDriver: setDriver, switchDriver: setDriver };
}
