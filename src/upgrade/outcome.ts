import dockerdFlags from '../docker/dockerdFlags.json';
import type { DaemonConfiguration } from '../docker/storageConfig';
import { NEWEST_KNOWN_MAJOR, rulesFor } from '../docker/engineVersions';
import { checkDaemonJson, DockerdConfigRules, featuresOf } from '../parse/daemonJson';
import { parseFromHumanSize } from '../parse/humanSize';

/** What a daemon does when it starts as a given version. */
export const OUTCOMES = ['starts', 'refuses_to_start', 'fails_to_start', 'starts_without_containers', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

import type { Engine } from '../parse/version';

export const IMAGE_STORES = ['graphdriver', 'containerd'] as const;
export type ImageStore = (typeof IMAGE_STORES)[number];
export type { DaemonConfiguration };

/** What the model needs to know of the daemon; every field may be unknown. */
export interface UpgradeFacts {
  engine: Engine;
  runningMajor?: number;
  /** Driver in /info. */
  driver?: string;
  backingFilesystem?: string;
  /** Running on the containerd image store (a snapshotter, not a graph driver). */
  containerdStore: boolean;
  /** How the daemon was configured; undefined reason when it could not be read. */
  configuration: DaemonConfiguration | { unknown: string };
  /** Graph-driver directories of the data root that are not empty; undefined when the data root was not read. */
  priorDirs?: readonly string[];
  dataRoot?: string;
  containers?: number;
  images?: number;
}

export interface OutcomeVerdict {
  targetMajor: number;
  outcome: Outcome;
  /** The daemon's own words: the line it logs (or the reason the outcome cannot be told). */
  reason: string;
  /** Where the rules come from: a moby release tag. */
  rulesTag?: string;
  /** The image store it starts on: its graph driver's, or containerd's; undefined when it does not start or that cannot be told. */
  store?: ImageStore;
  /** Why a daemon refuses to start: the blocker it comes from. */
  cause?: 'deprecated_prior_driver' | 'several_prior_drivers';
}

const FLAGS = dockerdFlags as Record<string, DockerdConfigRules>;

/** Snapshotters a default containerd 2 offers Docker 29 (daemon/daemon.go picks one by name). */
const CONTAINERD_SNAPSHOTTERS = new Set(['overlayfs', 'native']);

const removedMessage = (driver: string) =>
  `[graphdriver] ERROR: the ${driver} storage-driver has been deprecated and removed; visit https://docs.docker.com/go/storage-driver/ for more information`;
const refusedPriorMessage = (driver: string) =>
  `prior storage driver ${driver} is deprecated and will be removed in a future release; update the the daemon configuration and explicitly choose this storage driver to continue using it; visit https://docs.docker.com/go/storage-driver/ for more information`;

/**
 * What the daemon does when it next starts as `targetMajor` (the running
 * major: a plain restart), following dockerd's own start-up rules at that
 * version's release tag (src/docker/engineVersions.ts). Undefined for Podman:
 * the rules are Docker's (an engine that did not say what it is is taken for
 * Docker; Podman says so in GET /version).
 */
export function outcomeFor(targetMajor: number, facts: UpgradeFacts): OutcomeVerdict | undefined {
  if (facts.engine === 'podman') return undefined;
  const unknown = (reason: string): OutcomeVerdict => ({ targetMajor, outcome: 'unknown', reason });
  const rules = rulesFor(targetMajor);
  if (!rules || targetMajor > NEWEST_KNOWN_MAJOR)
    return unknown(`Docker ${targetMajor}'s start-up rules have not been read (known: 20, 23 to ${NEWEST_KNOWN_MAJOR})`);
  if (facts.driver === undefined) return unknown('the daemon did not say which storage driver it uses');
  if ('unknown' in facts.configuration) return unknown(`the daemon's configuration cannot be read: ${facts.configuration.unknown}`);
  const start: Start = {
    facts,
    rules,
    configuration: facts.configuration,
    verdict: (outcome, reason) => ({ targetMajor, outcome, reason, rulesTag: rules.tag }),
    unknown,
    features: {},
  };
  // The file first: a daemon that cannot read it does not get as far as its storage driver.
  const file = readDaemonJsonAt(start);
  if ('outcome' in file) return file;
  start.features = file.features;
  const configured = start.configuration.envDriver || start.configuration.commandLine.get('storage-driver') || file.driver;
  const feature = start.features['containerd-snapshotter'];
  // Docker 24 to 28: the feature alone decides; the configured name, or containerd's default, is the snapshotter.
  if (rules.snapshotterFeature && !rules.containerdByDefault && feature === true) return startsOn(start, configured ?? 'overlayfs', true);
  return configured ? configuredStart(start, configured) : priorDriverStart(start);
}

/** What every step of a start reads: the facts, the version's rules, the daemon's configuration and daemon.json's features. */
interface Start {
  facts: UpgradeFacts;
  rules: NonNullable<ReturnType<typeof rulesFor>>;
  configuration: Exclude<UpgradeFacts['configuration'], { unknown: string }>;
  verdict: (outcome: Outcome, reason: string) => OutcomeVerdict;
  unknown: (reason: string) => OutcomeVerdict;
  features: Record<string, unknown>;
}

/** daemon.json as this version reads it: the driver it names and its features, or the failure to start on it. */
function readDaemonJsonAt(start: Start): { driver?: string; features: Record<string, unknown> } | OutcomeVerdict {
  const { configuration, rules } = start;
  const flagRules = FLAGS[rules.tag];
  if (!configuration.daemonJson || !flagRules) return { features: {} };
  const check = checkDaemonJson(configuration.daemonJson.bytes, configuration.commandLine, flagRules, {
    acceptsByteOrderMark: rules.acceptsByteOrderMark,
    firstValueOnly: rules.major === 20,
  });
  if (check.problem) {
    return start.verdict(
      'fails_to_start',
      `unable to configure the Docker daemon with file ${configuration.daemonJson.file}: ${check.problem.message}`,
    );
  }
  const fromFile = check.settings?.['storage-driver'];
  return { ...(typeof fromFile === 'string' && fromFile !== '' ? { driver: fromFile } : {}), features: featuresOf(check.settings) };
}

/** The daemon comes up on `chosen`: with its containers when that is where they are, without them otherwise. */
function startsOn({ facts, verdict }: Start, chosen: string, containerd: boolean): OutcomeVerdict {
  const store: ImageStore = containerd ? 'containerd' : 'graphdriver';
  const same = containerd ? facts.containerdStore && chosen === facts.driver : !facts.containerdStore && chosen === facts.driver;
  if (same)
    return {
      ...verdict('starts', containerd ? `starts on the containerd image store (${chosen})` : `using storage driver ${chosen}`),
      store,
    };
  const anythingToLose = (facts.containers ?? 1) > 0 || (facts.images ?? 1) > 0;
  if (!anythingToLose) return { ...verdict('starts', `starts on ${chosen}; this daemon has no containers or images to lose`), store };
  return {
    ...verdict(
      'starts_without_containers',
      `starts on ${containerd ? `the containerd image store (${chosen})` : chosen}, not ${facts.driver}: its ${facts.containers ?? '?'} containers and ${facts.images ?? '?'} images stay behind in the data root, unseen`,
    ),
    store,
  };
}

/** A graph driver start; on Docker 29, containerd-migration may move a daemon without containers to the containerd store. */
function graphStart(start: Start, name: string): OutcomeVerdict {
  const { facts, rules, configuration, verdict } = start;
  const snapshotter = { overlay2: 'overlayfs', vfs: 'native' }[name];
  if (!rules.containerdMigration || start.features['containerd-migration'] !== true || !snapshotter || facts.containers !== 0) {
    return startsOn(start, name, false);
  }
  const threshold = configuration.envMigrationThreshold === undefined ? 0 : (parseFromHumanSize(configuration.envMigrationThreshold) ?? 0);
  if (facts.images === 0) {
    return {
      ...verdict('starts', `migrates to the containerd image store (${snapshotter}): no containers and no images on ${name}`),
      store: 'containerd',
    };
  }
  // Images' layers total more than 0 bytes: migrated only under a threshold, which needs their sizes.
  const stays = startsOn(start, name, false);
  if (threshold === 0) return stays;
  return verdict(
    stays.outcome,
    `${stays.reason}; or, if its images' layers total at most ${threshold} bytes, migrates them to the containerd image store (${snapshotter})`,
  );
}

/** A driver named by DOCKER_DRIVER, --storage-driver or daemon.json. */
function configuredStart(start: Start, configured: string): OutcomeVerdict {
  const { rules, verdict } = start;
  const feature = start.features['containerd-snapshotter'];
  // Docker 29: a configured name other than a graph driver it knows is taken for a containerd snapshotter.
  if (rules.containerdByDefault && feature !== false && (feature === true || !['vfs', 'overlay2', 'btrfs'].includes(configured))) {
    if (!CONTAINERD_SNAPSHOTTERS.has(configured)) {
      return verdict('fails_to_start', `failed to start daemon: configured driver "${configured}" not available: unavailable`);
    }
    return startsOn(start, configured, true);
  }
  // layer/layer_store.go: from v24.0.0 the configured name follows the error.
  const named = (message: string) =>
    `failed to start daemon: error initializing graphdriver: ${message}${rules.major >= 24 ? `: ${configured}` : ''}`;
  if (rules.removed.includes(configured)) return verdict('fails_to_start', named(removedMessage(configured)));
  // GetDriver: neither compiled in nor a plugin (graphdriver.ErrNotSupported).
  if (!rules.registered.includes(configured)) return verdict('fails_to_start', named('driver not supported'));
  return graphStart(start, configured);
}

/** Nothing configured: the driver whose data is in the data root (refusing a deprecated one, or several), else the first that works. */
function priorDriverStart(start: Start): OutcomeVerdict {
  const { facts, rules, verdict } = start;
  if (facts.priorDirs === undefined)
    return start.unknown('the data root was not read, so the storage driver the daemon would find there is not known');
  const feature = start.features['containerd-snapshotter'];
  const priors = facts.priorDirs.filter((d) => d !== 'vfs' && rules.registered.includes(d));
  if (rules.containerdByDefault && feature !== false && (feature === true || priors.length === 0)) {
    return startsOn(start, facts.containerdStore ? (facts.driver ?? 'overlayfs') : 'overlayfs', true);
  }
  for (const name of rules.priority) {
    if (!priors.includes(name)) continue;
    if (rules.refusedPrior.includes(name)) {
      return {
        ...verdict('refuses_to_start', `failed to start daemon: error initializing graphdriver: ${refusedPriorMessage(name)}`),
        cause: 'deprecated_prior_driver',
      };
    }
    if (priors.length > 1) {
      const please = rules.major === 20 ? 'Please cleanup' : 'cleanup';
      return {
        ...verdict(
          'refuses_to_start',
          `failed to start daemon: error initializing graphdriver: ${facts.dataRoot ?? '/var/lib/docker'} contains several valid graphdrivers: ${[...priors].sort().join(', ')}; ${please} or explicitly choose storage driver (-s <DRIVER>)`,
        ),
        cause: 'several_prior_drivers',
      };
    }
    return graphStart(start, name);
  }
  // No prior driver: the first that works on this filesystem, in priority order.
  const works = (name: string) => (name === 'btrfs' || name === 'zfs' ? facts.backingFilesystem === name : name === 'overlay2');
  const chosen = rules.priority.find((name) => !rules.refusedPrior.includes(name) && works(name)) ?? 'overlay2';
  return startsOn(start, chosen, false);
}

/** The outcome of a plain restart and of each target not below the running major. */
export function outcomes(targets: readonly number[], facts: UpgradeFacts): OutcomeVerdict[] {
  if (facts.engine === 'podman') return [];
  const majors = new Set<number>();
  if (facts.runningMajor !== undefined) majors.add(facts.runningMajor);
  for (const target of targets) if (facts.runningMajor === undefined || target >= facts.runningMajor) majors.add(target);
  return [...majors].sort((a, b) => a - b).flatMap((major) => outcomeFor(major, facts) ?? []);
}
