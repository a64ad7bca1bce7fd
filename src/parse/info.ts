import { driverStatusMap, parseBool, parseThinPool, ThinPool } from './driverStatus';
import { countField, isObject, ParseProblems, stringField } from './problems';
import { warningToLabel } from './warnings';

/** What the exporter uses of `GET /info`, narrowed from the daemon's JSON. */
export interface EngineInfo {
  serverVersion?: string;
  operatingSystem?: string;
  osType?: string;
  kernelVersion?: string;
  architecture?: string;
  dockerRootDir?: string;
  driver?: string;
  backingFilesystem?: string;
  /** `Supports d_type`, reported by the overlay drivers only. */
  dTypeSupported?: boolean;
  /** containerd image store: `DriverStatus` is [["driver-type", "io.containerd.snapshotter.v1"]]. */
  containerdSnapshotter: boolean;
  thinPool?: ThinPool;
  containers?: number;
  images?: number;
  /** The log driver containers get unless they say otherwise. */
  loggingDriver?: string;
  /**
   * The daemon runs with --userns-remap (`SecurityOptions` names userns): its
   * data root is `<configured data root>/<uid>.<gid>`.
   */
  usernsRemap?: boolean;
  warnings: string[];
}

/** The name of the data root dockerd makes for --userns-remap under the configured one: `<uid>.<gid>` of the remapped root user. */
export const REMAPPED_ROOT = /^\d+\.\d+$/;

export function parseInfo(raw: unknown, problems: ParseProblems): EngineInfo {
  if (!isObject(raw)) {
    problems.report('info', 'the answer is not a JSON object');
    return { warnings: [], containerdSnapshotter: false };
  }
  const text = (key: string) => stringField(raw, key, problems, 'info');
  const driver = text('Driver');
  const status = driverStatusMap(raw['DriverStatus'], problems);
  const info: EngineInfo = {
    serverVersion: text('ServerVersion'),
    operatingSystem: text('OperatingSystem'),
    osType: text('OSType'),
    kernelVersion: text('KernelVersion'),
    architecture: text('Architecture'),
    dockerRootDir: text('DockerRootDir'),
    driver,
    backingFilesystem: status.get('Backing Filesystem') || undefined,
    dTypeSupported: parseBool(status.get('Supports d_type')),
    containerdSnapshotter: status.get('driver-type') === 'io.containerd.snapshotter.v1',
    containers: countField(raw, 'Containers', problems, 'info'),
    images: countField(raw, 'Images', problems, 'info'),
    loggingDriver: text('LoggingDriver'),
    usernsRemap: securityOptions(raw['SecurityOptions']).includes('userns'),
    warnings: parseWarnings(raw['Warnings'], problems),
  };
  if (driver === 'devicemapper') info.thinPool = parseThinPool(status, problems);
  return info;
}

/**
 * The names in `SecurityOptions`: `name=userns,…` since API 1.26 (Docker
 * 1.13), a bare `userns` before. Anything else in the list is not ours to judge.
 */
function securityOptions(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((option) => {
    if (typeof option !== 'string') return [];
    const name = option.split(',').find((field) => field.startsWith('name='));
    return [name ? name.slice('name='.length) : option];
  });
}

function parseWarnings(raw: unknown, problems: ParseProblems): string[] {
  // Daemons before API 1.39 (Docker 18.09) have no Warnings field at all.
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problems.report('info.Warnings', 'expected a list');
    return [];
  }
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item === 'string') {
      const label = warningToLabel(item);
      if (label !== '') out.push(label);
    } else problems.report('info.Warnings', 'entry is not a string');
  }
  return out;
}
