import type { DaemonSnapshot } from '../collector/snapshot';
import { majorOf } from '../docker/engineVersions';
import { deprecationOf } from '../docker/storageDrivers';
import type { ScanResult } from '../scan/dataRoot';
import { OutcomeVerdict, outcomes, UpgradeFacts } from './outcome';

export const BLOCKER_REASONS = [
  'removed_driver',
  'deprecated_driver_not_explicit',
  'several_prior_drivers_not_explicit',
  'daemon_config_invalid',
] as const;
export type BlockerReason = (typeof BLOCKER_REASONS)[number];

/** The targets when nothing else is said: the platform's next Docker (25) and the newest known (29). */
export const DEFAULT_TARGETS: readonly number[] = [25, 29];

export interface UpgradeVerdict {
  driver: string;
  /** true: stops the daemon or loses its containers; false: does not; undefined: cannot be told. */
  blockers: Record<BlockerReason, boolean | undefined>;
  /** What a plain restart and each target version do; empty for engines that are not Docker. */
  outcomes: OutcomeVerdict[];
  /** The running major version, whose outcome is the restart's. */
  runningMajor?: number;
  /** daemon.json as the running version reads it: undefined when the configuration could not be read. */
  daemonConfigValid?: boolean;
  recreateContainers?: number;
  recreateImages?: number;
  /** Bytes in the containers' writable layers (lost in a switch unless copied out); from the data-root scan. */
  writableLayerBytes?: number;
  /** Images only on this host (lost in a switch unless saved). */
  localOnlyImages?: number;
}

/** What the outcome model needs, from what the exporter already knows. */
export function upgradeFacts(snapshot: DaemonSnapshot, scan: ScanResult | undefined): UpgradeFacts {
  const info = snapshot.info;
  const storage = snapshot.storageConfig;
  return {
    engine: snapshot.engine,
    runningMajor: majorOf(info?.serverVersion),
    driver: info?.driver,
    backingFilesystem: info?.backingFilesystem,
    containerdStore: info?.containerdSnapshotter ?? false,
    configuration: storage?.known
      ? storage.configuration
      : (storage?.configuration ?? { unknown: storage ? storage.reason : 'not collected' }),
    ...(scan?.complete ? { priorDirs: scan.driverDirs } : {}),
    dataRoot: info?.dockerRootDir,
    containers: snapshot.containers?.length,
    images: info?.images,
  };
}

/**
 * Will this host's daemon start and keep its containers at its next restart
 * and on each target version? Derived from what the exporter already knows;
 * the metrics, `check` and `textfile` all read it from here. Undefined when
 * the daemon does not answer.
 */
export function upgradeVerdict(
  snapshot: DaemonSnapshot,
  scan: ScanResult | undefined,
  targets: readonly number[] = DEFAULT_TARGETS,
): UpgradeVerdict | undefined {
  const driver = snapshot.info?.driver;
  if (!snapshot.up || driver === undefined) return undefined;
  const facts = upgradeFacts(snapshot, scan);
  // Podman names itself in GET /version; a daemon that did not answer it is taken for Docker, which this exporter is for.
  const docker = snapshot.engine !== 'podman';
  const deprecated = docker && deprecationOf(driver) !== undefined;
  const storage = snapshot.storageConfig;
  const notExplicit = storage?.known ? storage.source === 'none' : undefined;
  const all = outcomes(targets, facts);
  // Which prior drivers count depends on the version (legacy overlay is not even compiled into 24+): the
  // outcome model says, for the restart and each target, whether the daemon will refuse to choose.
  // A configured driver is never chosen among prior ones, whatever the version.
  const several = !docker
    ? undefined
    : notExplicit === false
      ? false
      : all.some((o) => o.cause === 'several_prior_drivers')
        ? true
        : all.length > 0 && all.every((o) => o.outcome !== 'unknown')
          ? false
          : undefined;
  const restart = all.find((o) => o.targetMajor === facts.runningMajor);
  const configRead = 'unknown' in facts.configuration ? undefined : facts.configuration;
  const daemonConfigValid =
    !docker || !configRead
      ? undefined
      : !(restart?.outcome === 'fails_to_start' && restart.reason.startsWith('unable to configure the Docker daemon with file'));
  return {
    driver,
    blockers: {
      removed_driver: docker ? deprecated : undefined,
      deprecated_driver_not_explicit: !docker ? undefined : deprecated ? notExplicit : false,
      several_prior_drivers_not_explicit: several,
      daemon_config_invalid: daemonConfigValid === undefined ? undefined : !daemonConfigValid,
    },
    outcomes: all,
    ...(facts.runningMajor !== undefined ? { runningMajor: facts.runningMajor } : {}),
    ...(daemonConfigValid !== undefined ? { daemonConfigValid } : {}),
    recreateContainers: deprecated ? snapshot.containers?.length : 0,
    recreateImages: deprecated ? snapshot.info?.images : 0,
    ...(docker && scan?.complete && scan.writableLayerBytes !== undefined ? { writableLayerBytes: scan.writableLayerBytes } : {}),
    ...(docker && snapshot.localOnlyImages !== undefined ? { localOnlyImages: snapshot.localOnlyImages } : {}),
  };
}
