import type { DaemonSnapshot } from '../collector/daemonCollector';
import type { ScanResult } from '../scan/dataRoot';
import { deprecationOf } from '../docker/storageDrivers';

export const BLOCKER_REASONS = ['removed_driver', 'deprecated_driver_not_explicit', 'several_prior_drivers_not_explicit', 'unknown_configuration'] as const;
export type BlockerReason = (typeof BLOCKER_REASONS)[number];

export interface UpgradeVerdict {
  driver: string;
  /** true: stops the daemon or loses its containers; false: does not; undefined: cannot be told. */
  blockers: Record<BlockerReason, boolean | undefined>;
  recreateContainers?: number;
  recreateImages?: number;
}

/**
 * Will this host's daemon start and keep its containers through the platform's
 * move to Docker 25? Derived from what the exporter already knows; the metrics
 * and the `check` command both read it from here.
 */
export function upgradeVerdict(snapshot: DaemonSnapshot, scan: ScanResult | undefined): UpgradeVerdict | undefined {
  const driver = snapshot.info?.driver;
  if (!snapshot.up || driver === undefined) return undefined;
  const deprecated = deprecationOf(driver) !== undefined;
  const explicit = snapshot.storageConfig;
  const notExplicit = explicit?.known ? explicit.source === 'none' : undefined;
  const several = scan?.complete ? scan.priorDrivers.length > 1 : undefined;
  return {
    driver,
    blockers: {
      removed_driver: deprecated,
      deprecated_driver_not_explicit: deprecated ? notExplicit : false,
      several_prior_drivers_not_explicit: several === false || notExplicit === false ? false : several && notExplicit ? true : undefined,
      unknown_configuration: !explicit?.known,
    },
    recreateContainers: deprecated ? snapshot.containers?.length : 0,
    recreateImages: deprecated ? snapshot.info?.images : 0,
  };
}
