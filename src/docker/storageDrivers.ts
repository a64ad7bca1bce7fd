// Facts about storage drivers, from Docker's deprecation list
// (docs.docker.com/engine/deprecated): which drivers are on their way out and
// which Engine major version removed them.
export interface DriverDeprecation {
  deprecatedIn: string;
  removedInMajor: number;
}

const DEPRECATED: Readonly<Record<string, DriverDeprecation>> = {
  devicemapper: { deprecatedIn: '18.09', removedInMajor: 25 },
  aufs: { deprecatedIn: '20.10', removedInMajor: 24 },
  overlay: { deprecatedIn: '18.09', removedInMajor: 24 },
};

/** Every graph driver that leaves a directory of its own name in the data root. */
export const GRAPH_DRIVERS = ['aufs', 'btrfs', 'devicemapper', 'fuse-overlayfs', 'overlay', 'overlay2', 'vfs', 'zfs'] as const;

export function deprecationOf(driver: string): DriverDeprecation | undefined {
  return Object.prototype.hasOwnProperty.call(DEPRECATED, driver) ? DEPRECATED[driver] : undefined;
}
