import { Platform } from '../config/platforms';

export interface Remedies {
  platform: Platform;
  /** Configure `driver` explicitly, so the daemon keeps starting on it. */
  pinDriver(driver: string): string;
  /** Change to `driver` (the old data stays behind). */
  switchDriver(driver: string): string;
}

const nixSetting = (driver: string) => `virtualisation.docker.daemon.settings = { storage-driver = "${driver}"; };`;

/**
 * A changed `daemon.settings` is a new daemon.json in /nix/store and a new dockerd command line: the switch
 * restarts Docker at once (every container stops), where daemon.json waits for the operator's restart.
 */
const NIX_SWITCH_RESTARTS =
  "it restarts Docker at once (the daemon.json in /nix/store and dockerd's command line change), stopping every container; /etc/docker/daemon.json does not apply (NixOS has none).";

/** What the host is, from what it has: the platform's tool on PATH, /etc/NIXOS, a daemon.json NixOS made (in /nix/store). */
export function detectPlatform(
  probe: { exists(path: string): boolean; onPath(program: string): boolean },
  daemonConfigFile?: string,
): Platform {
  if (probe.onPath('fc-manage') || probe.exists('/etc/local/nixos')) return 'flyingcircus';
  // In a container /etc/NIXOS is not there to see; the file the daemon reads says it.
  if (probe.exists('/etc/NIXOS') || daemonConfigFile?.startsWith('/nix/store/')) return 'nixos';
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
      return nixRemedies(
        platform,
        (driver) =>
          `In /etc/local/nixos/docker.nix (any *.nix file in /etc/local/nixos): ${nixSetting(driver)} Then sudo fc-manage switch: ${NIX_SWITCH_RESTARTS}`,
      );
    case 'nixos':
      return nixRemedies(
        platform,
        (driver) =>
          `In the NixOS configuration (/etc/nixos/configuration.nix or a module it imports): ${nixSetting(driver)} Then sudo nixos-rebuild switch: ${NIX_SWITCH_RESTARTS}`,
      );
    case 'daemon-json':
      return {
        platform,
        pinDriver: (driver) =>
          `Set "storage-driver": "${driver}" in ${daemonConfigFile} (and no --storage-driver flag), then sudo systemctl restart docker.`,
        switchDriver: (driver) => `Set "storage-driver": "${driver}" in ${daemonConfigFile}, then sudo systemctl restart docker.`,
      };
  }
}

/** Pinning the driver in use and switching to another are the same setting on NixOS; the switch's text says what must come before it and that the setting stays. */
function nixRemedies(platform: Platform, setDriver: (driver: string) => string): Remedies {
  return {
    platform,
    pinDriver: (driver) => `${setDriver(driver)} Containers with a restart policy start again; do it in a maintenance window.`,
    switchDriver: (driver) =>
      `Only after the images are saved and what the containers wrote in their writable layers is copied out: ${setDriver(driver)} Keep the setting afterwards: it is the pin.`,
  };
}
