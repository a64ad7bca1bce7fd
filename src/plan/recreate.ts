import { isObject, JsonObject } from '../parse/problems';

/**
 * A `docker run` command that makes the container again, reconstructed from
 * `GET /containers/{id}/json` (and its image's `GET /images/{name}/json`, to
 * leave out what the image already says). It covers what operators set:
 * name, image, command, entrypoint, env, ports, mounts and volumes, network,
 * restart policy, labels, user, workdir, hostname, extra hosts, log driver,
 * resource limits, capabilities, devices, privileged (and a few more). What it
 * cannot reproduce is listed, never silently dropped.
 */
export interface Recreate {
  /** `docker run -d …`, one argument per element. */
  argv: string[];
  /** Commands to run after it (`docker network connect` for further networks). */
  after: string[][];
  /** Settings the command does not carry over, by name and value. */
  unreproduced: string[];
}

const str = (o: JsonObject | undefined, key: string): string | undefined => (typeof o?.[key] === 'string' ? o[key] : undefined);
const num = (o: JsonObject | undefined, key: string): number => (typeof o?.[key] === 'number' ? o[key] : 0);
const list = (o: JsonObject | undefined, key: string): unknown[] => (Array.isArray(o?.[key]) ? (o[key] as unknown[]) : []);
const strings = (o: JsonObject | undefined, key: string): string[] => list(o, key).filter((v): v is string => typeof v === 'string');
const obj = (o: JsonObject | undefined, key: string): JsonObject | undefined => (isObject(o?.[key]) ? o[key] : undefined);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** HostConfig fields with values other than these are not carried over, and are listed. */
const NOT_COVERED: Record<string, unknown[]> = {
  Dns: [null, []],
  DnsOptions: [null, []],
  DnsSearch: [null, []],
  SecurityOpt: [null, []],
  Ulimits: [null, []],
  Sysctls: [null, {}],
  IpcMode: ['', 'private', 'shareable'],
  PidMode: [''],
  UTSMode: [''],
  UsernsMode: [''],
  CgroupnsMode: ['', 'private', 'host'],
  VolumesFrom: [null, []],
  Links: [null, []],
  GroupAdd: [null, []],
  OomScoreAdj: [0],
  OomKillDisable: [null, false],
  CgroupParent: [''],
  Runtime: ['runc', ''],
  Isolation: [''],
  BlkioWeight: [0],
  CpuQuota: [0],
  CpuPeriod: [0],
  CpuRealtimePeriod: [0],
  CpuRealtimeRuntime: [0],
  CpusetMems: [''],
  KernelMemory: [0],
  MemorySwappiness: [null, -1],
  DeviceCgroupRules: [null, []],
  DeviceRequests: [null, []],
  StorageOpt: [null, {}],
  ConsoleSize: [null, [0, 0]],
  PublishAllPorts: [false],
  AutoRemove: [false],
};

/** Container Config fields likewise. */
const CONFIG_NOT_COVERED: Record<string, unknown[]> = {
  Healthcheck: [undefined, null],
  StopTimeout: [undefined, null],
  Domainname: ['', undefined],
  MacAddress: ['', undefined],
  OnBuild: [null, undefined],
  Shell: [null, undefined],
  ArgsEscaped: [false, undefined, null],
};

export interface RecreateInput {
  inspect: JsonObject;
  /** The image's Config (from GET /images/{name}/json), when it could be read. */
  imageConfig?: JsonObject;
  /** The daemon's default log driver (LoggingDriver in /info). */
  defaultLogDriver?: string;
}

/**
 * The `docker run` that makes the container again, the commands to run after
 * it (further networks), and what it cannot carry over. Each step below adds
 * the flags of one part of the container, leaving out what the image or the
 * daemon already gives.
 */
export function recreateCommand(input: RecreateInput): Recreate {
  const inspect = input.inspect;
  const c: Container = {
    config: obj(inspect, 'Config'),
    host: obj(inspect, 'HostConfig'),
    image: input.imageConfig,
    name: (str(inspect, 'Name') ?? '').replace(/^\//, ''),
    id: str(inspect, 'Id') ?? '',
    mode: str(obj(inspect, 'HostConfig'), 'NetworkMode') ?? 'default',
  };
  const argv: string[] = ['docker', 'run', '-d'];
  const unreproduced: string[] = [];
  if (c.name) argv.push('--name', c.name);
  if (c.mode !== 'default' && c.mode !== '') argv.push('--network', c.mode);
  argv.push(
    ...portFlags(c),
    ...mountFlags(inspect, c, unreproduced),
    ...restartFlags(c),
    ...identityFlags(c),
    ...logFlags(c, input.defaultLogDriver),
  );
  argv.push(...resourceFlags(c), ...privilegeFlags(c));
  unreproduced.push(...notCovered(c));
  argv.push(...runFlags(inspect, c, unreproduced));
  return { argv, after: furtherNetworks(inspect, c), unreproduced };
}

/** The parts of the container every step reads. */
interface Container {
  config: JsonObject | undefined;
  host: JsonObject | undefined;
  /** The image's Config, when it could be read. */
  image: JsonObject | undefined;
  name: string;
  id: string;
  /** HostConfig.NetworkMode: default, host, none, container:<id> or a network's name. */
  mode: string;
}

/** The networks beyond the primary one, connected after the container is made (none share another container's network). */
function furtherNetworks(inspect: JsonObject, c: Container): string[][] {
  const networks = Object.keys(obj(obj(inspect, 'NetworkSettings'), 'Networks') ?? {});
  const primary = c.mode === 'default' ? 'bridge' : c.mode;
  if (c.mode.startsWith('container:')) return [];
  return networks.filter((network) => network !== primary).map((network) => ['docker', 'network', 'connect', network, c.name || c.id]);
}

function portFlags({ host }: Container): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(obj(host, 'PortBindings') ?? {})) {
    for (const binding of Array.isArray(value) ? value.filter(isObject) : []) {
      const hostIp = str(binding, 'HostIp') ?? '';
      const hostPort = str(binding, 'HostPort') ?? '';
      out.push('-p', `${hostIp ? `${hostIp}:` : ''}${hostPort}:${key.replace(/\/tcp$/, '')}`);
    }
  }
  return out;
}

/** Volumes and binds as --mount, tmpfs as --tmpfs; any other kind of mount cannot be carried over. */
function mountFlags(inspect: JsonObject, { host }: Container, unreproduced: string[]): string[] {
  const out: string[] = [];
  for (const mount of list(inspect, 'Mounts').filter(isObject)) {
    const type = str(mount, 'Type');
    const destination = str(mount, 'Destination') ?? '';
    const readonly = mount['RW'] === false ? ',readonly' : '';
    if (type === 'volume') out.push('--mount', `type=volume,src=${str(mount, 'Name')},dst=${destination}${readonly}`);
    else if (type === 'bind') out.push('--mount', `type=bind,src=${str(mount, 'Source')},dst=${destination}${readonly}`);
    else if (type !== 'tmpfs') unreproduced.push(`mount of type ${type} at ${destination}`);
  }
  for (const [destination, options] of Object.entries(obj(host, 'Tmpfs') ?? {})) {
    out.push('--tmpfs', typeof options === 'string' && options !== '' ? `${destination}:${options}` : destination);
  }
  return out;
}

function restartFlags({ host }: Container): string[] {
  const restart = obj(host, 'RestartPolicy');
  const policy = str(restart, 'Name') ?? '';
  if (!policy || policy === 'no') return [];
  const retries = num(restart, 'MaximumRetryCount');
  return ['--restart', policy === 'on-failure' && retries > 0 ? `on-failure:${retries}` : policy];
}

/** Environment, labels, user, working directory, hostname and extra hosts: what differs from the image. */
function identityFlags({ config, host, image, id, mode }: Container): string[] {
  const out: string[] = [];
  const imageEnv = new Set(strings(image, 'Env'));
  for (const entry of strings(config, 'Env')) if (!imageEnv.has(entry)) out.push('-e', entry);
  const imageLabels = obj(image, 'Labels') ?? {};
  for (const [key, value] of Object.entries(obj(config, 'Labels') ?? {})) {
    if (imageLabels[key] !== value) out.push('--label', `${key}=${String(value)}`);
  }
  const user = str(config, 'User') ?? '';
  if (user !== (str(image, 'User') ?? '')) out.push('--user', user);
  const workdir = str(config, 'WorkingDir') ?? '';
  if (workdir !== (str(image, 'WorkingDir') ?? '') && workdir !== '') out.push('--workdir', workdir);
  // The default hostname is the container's short id: a new container gets its own.
  const hostname = str(config, 'Hostname') ?? '';
  if (hostname && hostname !== id.slice(0, 12) && mode !== 'host') out.push('--hostname', hostname);
  for (const entry of strings(host, 'ExtraHosts')) out.push('--add-host', entry);
  return out;
}

function logFlags({ host }: Container, defaultLogDriver: string | undefined): string[] {
  const out: string[] = [];
  const log = obj(host, 'LogConfig');
  const logDriver = str(log, 'Type') ?? '';
  if (logDriver && logDriver !== (defaultLogDriver ?? 'json-file')) out.push('--log-driver', logDriver);
  for (const [key, value] of Object.entries(obj(log, 'Config') ?? {})) out.push('--log-opt', `${key}=${String(value)}`);
  return out;
}

/** Memory, CPU, pids and shared memory limits that differ from Docker's defaults. */
function resourceFlags({ host }: Container): string[] {
  const out: string[] = [];
  const memory = num(host, 'Memory');
  if (memory) out.push('--memory', `${memory}b`);
  const swap = num(host, 'MemorySwap');
  if (swap && swap !== memory * 2) out.push('--memory-swap', swap === -1 ? '-1' : `${swap}b`);
  const reservation = num(host, 'MemoryReservation');
  if (reservation) out.push('--memory-reservation', `${reservation}b`);
  const nanoCpus = num(host, 'NanoCpus');
  if (nanoCpus) out.push('--cpus', String(nanoCpus / 1e9));
  const shares = num(host, 'CpuShares');
  if (shares) out.push('--cpu-shares', String(shares));
  const cpuset = str(host, 'CpusetCpus') ?? '';
  if (cpuset) out.push('--cpuset-cpus', cpuset);
  const pids = num(host, 'PidsLimit');
  if (pids > 0) out.push('--pids-limit', String(pids));
  const shm = num(host, 'ShmSize');
  if (shm && shm !== 64 * 1024 * 1024) out.push('--shm-size', `${shm}b`);
  return out;
}

/** Capabilities, devices, privileged, read-only root, init, terminal and stop signal. */
function privilegeFlags({ config, host, image }: Container): string[] {
  const out: string[] = [];
  for (const cap of strings(host, 'CapAdd')) out.push('--cap-add', cap);
  for (const cap of strings(host, 'CapDrop')) out.push('--cap-drop', cap);
  for (const device of list(host, 'Devices').filter(isObject)) {
    out.push('--device', `${str(device, 'PathOnHost')}:${str(device, 'PathInContainer')}:${str(device, 'CgroupPermissions') ?? 'rwm'}`);
  }
  if (host?.['Privileged'] === true) out.push('--privileged');
  if (host?.['ReadonlyRootfs'] === true) out.push('--read-only');
  if (host?.['Init'] === true) out.push('--init');
  if (config?.['Tty'] === true) out.push('--tty');
  if (config?.['OpenStdin'] === true) out.push('--interactive');
  const stopSignal = str(config, 'StopSignal');
  if (stopSignal && stopSignal !== (str(image, 'StopSignal') ?? 'SIGTERM')) out.push('--stop-signal', stopSignal);
  return out;
}

/** Fields this command does not carry over, when they differ from their defaults. */
function notCovered({ config, host }: Container): string[] {
  const out: string[] = [];
  for (const [field, defaults] of Object.entries(NOT_COVERED)) {
    const value = host?.[field];
    // --privileged sets this itself.
    if (field === 'SecurityOpt' && host?.['Privileged'] === true && same(value, ['label=disable'])) continue;
    if (value !== undefined && !defaults.some((d) => same(d, value))) out.push(`HostConfig.${field} = ${JSON.stringify(value)}`);
  }
  for (const [field, defaults] of Object.entries(CONFIG_NOT_COVERED)) {
    const value = config?.[field];
    if (!defaults.some((d) => same(d, value)) && !(value === undefined && defaults.includes(undefined))) {
      out.push(`Config.${field} = ${JSON.stringify(value)}`);
    }
  }
  return out;
}

/** Entrypoint and command last: the image, then what runs. */
function runFlags(inspect: JsonObject, { config, image }: Container, unreproduced: string[]): string[] {
  const out: string[] = [];
  const entrypoint = strings(config, 'Entrypoint');
  const imageEntrypoint = strings(image, 'Entrypoint');
  if (!same(entrypoint, imageEntrypoint)) {
    if (entrypoint.length > 1) {
      unreproduced.push(
        `Config.Entrypoint = ${JSON.stringify(entrypoint)} (--entrypoint takes one word; the rest would move into the command)`,
      );
    }
    out.push('--entrypoint', entrypoint[0] ?? '');
  }
  out.push(str(config, 'Image') ?? str(inspect, 'Image') ?? '');
  const cmd = strings(config, 'Cmd');
  if (!same(cmd, strings(image, 'Cmd')) || !same(entrypoint, imageEntrypoint)) out.push(...cmd);
  return out;
}

/** A command line for a POSIX shell: every argument quoted that needs it. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
