import { classifyNetworkMode, NetworkModeClass } from './networkMode';
import { isObject, ParseProblems, stringField } from './problems';

/** What the exporter uses of one entry of `GET /containers/json?all=1`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  networkMode: NetworkModeClass;
}

export function parseContainerList(raw: unknown, problems: ParseProblems): ContainerSummary[] {
  if (!Array.isArray(raw)) {
    problems.report('containers', 'the answer is not a JSON list');
    return [];
  }
  const out: ContainerSummary[] = [];
  for (const entry of raw) {
    if (!isObject(entry)) {
      problems.report('containers', 'entry is not an object');
      continue;
    }
    const id = stringField(entry, 'Id', problems, 'containers') ?? '';
    const names = entry['Names'];
    // Names carry a leading "/" (the legacy link namespace); the first is the container's own.
    const first = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
    if (first === undefined) problems.report('containers.Names', 'no name');
    const hostConfig = entry['HostConfig'];
    const mode = isObject(hostConfig) ? stringField(hostConfig, 'NetworkMode', problems, 'containers.HostConfig') : undefined;
    if (mode === undefined) problems.report('containers.HostConfig.NetworkMode', 'missing');
    const state = stringField(entry, 'State', problems, 'containers');
    if (state === undefined) problems.report('containers.State', 'missing');
    out.push({
      id,
      name: first !== undefined ? first.replace(/^\//, '') : id.slice(0, 12),
      image: stringField(entry, 'Image', problems, 'containers') ?? '',
      state: state !== undefined && state !== '' ? state.toLowerCase() : 'unknown',
      networkMode: classifyNetworkMode(mode),
    });
  }
  return out;
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
