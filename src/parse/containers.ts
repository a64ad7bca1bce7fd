import { classifyNetworkMode, NetworkModeClass } from './networkMode';
import { isObject, ParseProblems, stringField } from './problems';
import { byName } from '../util/order';
import { pickLabels } from './containerLabels';

/** A container's health check status as Docker shows it; `none` for no health check, or not running. */
export type ContainerHealth = 'healthy' | 'unhealthy' | 'starting' | 'none';

export const CONTAINER_HEALTH: readonly ContainerHealth[] = ['healthy', 'unhealthy', 'starting', 'none'];

/** What the exporter uses of one entry of `GET /containers/json?all=1`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  networkMode: NetworkModeClass;
  health: ContainerHealth;
  /** State.RestartCount, from an inspect only (the list has none): restarts by the restart policy since the last manual start. */
  restartCount?: number;
  /** The exit code of a container that exited: the list's Status text, or an inspect's State.ExitCode. */
  exitCode?: number;
  /**
   * When it exited, for the most recent first: exact from an inspect's State.FinishedAt (milliseconds since
   * the epoch); from a list, only how long ago the Status text says, in seconds, as of the listing.
   */
  exited?: { at: number } | { agoSeconds: number };
  /** The container labels --collector.container-labels names (owner, team), those it has. */
  labels?: Record<string, string>;
}

/** moby's units.HumanDuration words (go-units duration.go), in seconds; "a"/"an"/"About a" mean one. */
const HUMAN_UNITS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2592000, year: 31536000 };

/**
 * An exited container's code and how long ago, from the list's Status text: "Exited (137) 5 minutes ago"
 * (moby container/state.go State.String), "Less than a second ago", "About an hour ago". Undefined for any
 * other state or text.
 */
export function exitOfStatusText(state: string, status: string | undefined): { exitCode: number; agoSeconds?: number } | undefined {
  if (state !== 'exited' || status === undefined) return undefined;
  const match = /^Exited \((-?\d+)\) (.*) ago$/.exec(status.trim());
  if (!match) return undefined;
  const exitCode = Number(match[1]);
  const ago = (match[2] ?? '').toLowerCase();
  if (ago === 'less than a second') return { exitCode, agoSeconds: 0 };
  const amount = /^(?:about )?(an?|\d+) (second|minute|hour|day|week|month|year)s?$/.exec(ago);
  if (!amount) return { exitCode };
  const count = amount[1] === 'a' || amount[1] === 'an' ? 1 : Number(amount[1]);
  return { exitCode, agoSeconds: count * (HUMAN_UNITS[amount[2] ?? ''] ?? 0) };
}

/** A stopped container whose last exit code is not 0. */
export const exitedNonZero = (c: ContainerSummary): boolean => c.state === 'exited' && c.exitCode !== undefined && c.exitCode !== 0;

/** The containers that exited with a non-zero code, the most recent first (exact times before the list's "ago"), at most `limit`. */
export function failedExitsFirst(containers: readonly ContainerSummary[], limit: number): ContainerSummary[] {
  const recency = (c: ContainerSummary): [number, number] =>
    !c.exited ? [2, 0] : 'at' in c.exited ? [0, -c.exited.at] : [1, c.exited.agoSeconds];
  return containers
    .filter(exitedNonZero)
    .sort((a, b) => {
      const [ra, rb] = [recency(a), recency(b)];
      return ra[0] - rb[0] || ra[1] - rb[1] || byName(a, b);
    })
    .slice(0, limit);
}

/**
 * Health from the list's Status text, "Up 5 minutes (healthy)", "(unhealthy)",
 * "(health: starting)": moby's State.String() writes it for a running,
 * unpaused container with a health check (container/state.go), and nothing
 * for any other; so does Podman's compatible list.
 */
export function healthOfStatusText(state: string, status: string | undefined): ContainerHealth {
  if (state !== 'running' || status === undefined) return 'none';
  const match = /\((healthy|unhealthy|health: starting)\)\s*$/.exec(status);
  if (!match) return 'none';
  return match[1] === 'health: starting' ? 'starting' : (match[1] as ContainerHealth);
}

/**
 * Health from an inspect's State.Health.Status, for a running container only:
 * a stopped container keeps its last status (moby stops the probe, it does
 * not clear it), which is no longer true of anything.
 */
export function healthOfInspect(state: string, health: unknown): ContainerHealth {
  if (state !== 'running' || !isObject(health)) return 'none';
  const status = health['Status'];
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

/**
 * The host-network containers worth naming first: running ones, then by name.
 * A host with thousands of them would otherwise expose and print thousands.
 */
export function hostNetworkFirst(containers: readonly ContainerSummary[], limit: number): ContainerSummary[] {
  return containers
    .filter((c) => c.networkMode === 'host')
    .sort((a, b) => Number(b.state === 'running') - Number(a.state === 'running') || byName(a, b))
    .slice(0, limit);
}

/** The unhealthy containers worth naming, by name (code-point order), at most `limit`. */
export function unhealthyByName(containers: readonly ContainerSummary[], limit: number): ContainerSummary[] {
  return containers
    .filter((c) => c.health === 'unhealthy')
    .sort(byName)
    .slice(0, limit);
}

/** One element of `GET /containers/json?all=1`; undefined (and a problem) when it is not an object. */
export function parseContainerEntry(
  entry: unknown,
  problems: ParseProblems,
  wantedLabels: readonly string[] = [],
): ContainerSummary | undefined {
  if (!isObject(entry)) {
    problems.report('containers', 'entry is not an object');
    return undefined;
  }
  const id = stringField(entry, 'Id', problems, 'containers') ?? '';
  const names = entry['Names'];
  // Names carry a leading "/" (the legacy link namespace); the first is the container's own.
  const first = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
  if (first === undefined) problems.report('containers.Names', 'no name');
  // Podman lists containers without HostConfig (its inspect has it): absent is not a fault, a broken one is.
  const hostConfig = entry['HostConfig'];
  const mode = isObject(hostConfig) ? stringField(hostConfig, 'NetworkMode', problems, 'containers.HostConfig') : undefined;
  if (hostConfig !== undefined && mode === undefined) problems.report('containers.HostConfig.NetworkMode', 'missing');
  const state = stringField(entry, 'State', problems, 'containers');
  if (state === undefined) problems.report('containers.State', 'missing');
  const stateName = state !== undefined && state !== '' ? state.toLowerCase() : 'unknown';
  const statusText = typeof entry['Status'] === 'string' ? entry['Status'] : undefined;
  const exit = exitOfStatusText(stateName, statusText);
  const labels = pickLabels(entry['Labels'], wantedLabels);
  return {
    id,
    name: first !== undefined ? first.replace(/^\//, '') : id.slice(0, 12),
    image: stringField(entry, 'Image', problems, 'containers') ?? '',
    state: stateName,
    networkMode: classifyNetworkMode(mode),
    health: healthOfStatusText(stateName, statusText),
    ...(exit ? { exitCode: exit.exitCode } : {}),
    ...(exit?.agoSeconds !== undefined ? { exited: { agoSeconds: exit.agoSeconds } } : {}),
    ...(labels ? { labels } : {}),
  };
}

/**
 * One container from `GET /containers/{id}/json` (inspect). Unlike the list,
 * inspect reads the container itself under its lock, so it already shows the
 * state an event announced; Podman's list has no HostConfig, its inspect does.
 */
export function parseContainerInspect(
  raw: unknown,
  problems: ParseProblems,
  wantedLabels: readonly string[] = [],
): ContainerSummary | undefined {
  if (!isObject(raw)) {
    problems.report('container', 'the answer is not a JSON object');
    return undefined;
  }
  const id = stringField(raw, 'Id', problems, 'container');
  if (id === undefined || id === '') {
    problems.report('container.Id', 'missing');
    return undefined;
  }
  const name = stringField(raw, 'Name', problems, 'container');
  const state = raw['State'];
  const status = isObject(state) ? stringField(state, 'Status', problems, 'container.State') : undefined;
  if (status === undefined) problems.report('container.State.Status', 'missing');
  const config = raw['Config'];
  const image = isObject(config) ? stringField(config, 'Image', problems, 'container.Config') : undefined;
  const hostConfig = raw['HostConfig'];
  const mode = isObject(hostConfig) ? stringField(hostConfig, 'NetworkMode', problems, 'container.HostConfig') : undefined;
  if (mode === undefined) problems.report('container.HostConfig.NetworkMode', 'missing');
  const stateName = status !== undefined && status !== '' ? status.toLowerCase() : 'unknown';
  const restartCount = raw['RestartCount'];
  const exitCode = isObject(state) ? state['ExitCode'] : undefined;
  const finishedAt = isObject(state) && typeof state['FinishedAt'] === 'string' ? Date.parse(state['FinishedAt']) : NaN;
  const exited = stateName === 'exited' && typeof exitCode === 'number' && Number.isInteger(exitCode);
  const labels = pickLabels(isObject(config) ? config['Labels'] : undefined, wantedLabels);
  return {
    id,
    name: name !== undefined && name !== '' ? name.replace(/^\//, '') : id.slice(0, 12),
    image: image ?? '',
    state: stateName,
    networkMode: classifyNetworkMode(mode),
    health: healthOfInspect(stateName, isObject(state) ? state['Health'] : undefined),
    ...(typeof restartCount === 'number' && Number.isInteger(restartCount) && restartCount >= 0 ? { restartCount } : {}),
    ...(exited ? { exitCode } : {}),
    // A container never started has FinishedAt 0001-01-01: no exit time.
    ...(exited && finishedAt > 0 ? { exited: { at: finishedAt } } : {}),
    ...(labels ? { labels } : {}),
  };
}

export function parseVolumeCount(raw: unknown, problems: ParseProblems): number | undefined {
  // `GET /volumes` answers {"Volumes": [...] | null, "Warnings": ...}.
  if (!isObject(raw)) {
    problems.report('volumes', 'the answer is not a JSON object');
    return undefined;
  }
  const volumes = raw['Volumes'];
  if (volumes === null || volumes === undefined) return 0;
  if (!Array.isArray(volumes)) {
    problems.report('volumes.Volumes', 'expected a list');
    return undefined;
  }
  return volumes.length;
}
