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

export function recreateCommand(input: RecreateInput): Recreate {
  const inspect = input.inspect;
  const config = obj(inspect, 'Config');
  const host = obj(inspect, 'HostConfig');
  const image = input.imageConfig;
  const argv: string[] = ['docker', 'run', '-d'];
  const after: string[][] = [];
  const unreproduced: string[] = [];
  const name = (str(inspect, 'Name') ?? '').replace(/^\//, '');
  const id = str(inspect, 'Id') ?? '';
  if (name) argv.push('--name', name);

  // Network: the primary mode, then the further networks as docker network connect.
  const mode = str(host, 'NetworkMode') ?? 'default';
  if (mode !== 'default' && mode !== '') argv.push('--network', mode);
  const networks = Object.keys(obj(obj(inspect, 'NetworkSettings'), 'Networks') ?? {});
  const primary = mode === 'default' ? 'bridge' : mode;
  for (const network of networks)
    if (network !== primary && !mode.startsWith('container:')) after.push(['docker', 'network', 'connect', network, name || id]);

  for (const [key, value] of Object.entries(obj(host, 'PortBindings') ?? {})) {
    for (const binding of Array.isArray(value) ? value.filter(isObject) : []) {
      const hostIp = str(binding, 'HostIp') ?? '';
      const hostPort = str(binding, 'HostPort') ?? '';
      argv.push('-p', `${hostIp ? `${hostIp}:` : ''}${hostPort}:${key.replace(/\/tcp$/, '')}`);
    }
  }

  for (const mount of list(inspect, 'Mounts').filter(isObject)) {
    const type = str(mount, 'Type');
    const destination = str(mount, 'Destination') ?? '';
    const readonly = mount['RW'] === false ? ',readonly' : '';
    if (type === 'volume') argv.push('--mount', `type=volume,src=${str(mount, 'Name')},dst=${destination}${readonly}`);
    else if (type === 'bind') argv.push('--mount', `type=bind,src=${str(mount, 'Source')},dst=${destination}${readonly}`);
    else if (type !== 'tmpfs') unreproduced.push(`mount of type ${type} at ${destination}`);
  }
  for (const [destination, options] of Object.entries(obj(host, 'Tmpfs') ?? {}))
    argv.push('--tmpfs', typeof options === 'string' && options !== '' ? `${destination}:${options}` : destination);

  const restart = obj(host, 'RestartPolicy');
  const policy = str(restart, 'Name') ?? '';
  if (policy && policy !== 'no')
    argv.push(
      '--restart',
      policy === 'on-failure' && num(restart, 'MaximumRetryCount') > 0 ? `on-failure:${num(restart, 'MaximumRetryCount')}` : policy,
    );

  const imageEnv = new Set(strings(image, 'Env'));
  for (const entry of strings(config, 'Env')) if (!imageEnv.has(entry)) argv.push('-e', entry);
  const imageLabels = obj(image, 'Labels') ?? {};
  for (const [key, value] of Object.entries(obj(config, 'Labels') ?? {})) {
    if (imageLabels[key] !== value) argv.push('--label', `${key}=${String(value)}`);
  }
  const user = str(config, 'User') ?? '';
  if (user !== (str(image, 'User') ?? '')) argv.push('--user', user);
  const workdir = str(config, 'WorkingDir') ?? '';
  if (workdir !== (str(image, 'WorkingDir') ?? '') && workdir !== '') argv.push('--workdir', workdir);
  // The default hostname is the container's short id: a new container gets its own.
  const hostname = str(config, 'Hostname') ?? '';
  if (hostname && hostname !== id.slice(0, 12) && mode !== 'host') argv.push('--hostname', hostname);
  for (const entry of strings(host, 'ExtraHosts')) argv.push('--add-host', entry);

  const log = obj(host, 'LogConfig');
  const logDriver = str(log, 'Type') ?? '';
  if (logDriver && logDriver !== (input.defaultLogDriver ?? 'json-file')) argv.push('--log-driver', logDriver);
  for (const [key, value] of Object.entries(obj(log, 'Config') ?? {})) argv.push('--log-opt', `${key}=${String(value)}`);

  const memory = num(host, 'Memory');
  if (memory) argv.push('--memory', `${memory}b`);
  const swap = num(host, 'MemorySwap');
  if (swap && swap !== memory * 2) argv.push('--memory-swap', swap === -1 ? '-1' : `${swap}b`);
  const reservation = num(host, 'MemoryReservation');
  if (reservation) argv.push('--memory-reservation', `${reservation}b`);
  const nanoCpus = num(host, 'NanoCpus');
  if (nanoCpus) argv.push('--cpus', String(nanoCpus / 1e9));
  const shares = num(host, 'CpuShares');
  if (shares) argv.push('--cpu-shares', String(shares));
  const cpuset = str(host, 'CpusetCpus') ?? '';
  if (cpuset) argv.push('--cpuset-cpus', cpuset);
  const pids = num(host, 'PidsLimit');
  if (pids > 0) argv.push('--pids-limit', String(pids));
  const shm = num(host, 'ShmSize');
  if (shm && shm !== 64 * 1024 * 1024) argv.push('--shm-size', `${shm}b`);

  for (const cap of strings(host, 'CapAdd')) argv.push('--cap-add', cap);
  for (const cap of strings(host, 'CapDrop')) argv.push('--cap-drop', cap);
  for (const device of list(host, 'Devices').filter(isObject)) {
    argv.push('--device', `${str(device, 'PathOnHost')}:${str(device, 'PathInContainer')}:${str(device, 'CgroupPermissions') ?? 'rwm'}`);
  }
  if (host?.['Privileged'] === true) argv.push('--privileged');
  if (host?.['ReadonlyRootfs'] === true) argv.push('--read-only');
  if (host?.['Init'] === true) argv.push('--init');
  if (config?.['Tty'] === true) argv.push('--tty');
  if (config?.['OpenStdin'] === true) argv.push('--interactive');
  const stopSignal = str(config, 'StopSignal');
  if (stopSignal && stopSignal !== (str(image, 'StopSignal') ?? 'SIGTERM')) argv.push('--stop-signal', stopSignal);

  for (const [field, defaults] of Object.entries(NOT_COVERED)) {
    const value = host?.[field];
    // --privileged sets this itself.
    if (field === 'SecurityOpt' && host?.['Privileged'] === true && same(value, ['label=disable'])) continue;
    if (value !== undefined && !defaults.some((d) => same(d, value))) unreproduced.push(`HostConfig.${field} = ${JSON.stringify(value)}`);
  }
  for (const [field, defaults] of Object.entries(CONFIG_NOT_COVERED)) {
    const value = config?.[field];
    if (!defaults.some((d) => same(d, value)) && !(value === undefined && defaults.includes(undefined)))
      unreproduced.push(`Config.${field} = ${JSON.stringify(value)}`);
  }

  // Entrypoint and command last: the image, then what runs.
  const entrypoint = strings(config, 'Entrypoint');
  const imageEntrypoint = strings(image, 'Entrypoint');
  if (!same(entrypoint, imageEntrypoint)) {
    if (entrypoint.length > 1)
      unreproduced.push(
        `Config.Entrypoint = ${JSON.stringify(entrypoint)} (--entrypoint takes one word; the rest would move into the command)`,
      );
    argv.push('--entrypoint', entrypoint[0] ?? '');
  }
  argv.push(str(config, 'Image') ?? str(inspect, 'Image') ?? '');
  const cmd = strings(config, 'Cmd');
  if (!same(cmd, strings(image, 'Cmd')) || !same(entrypoint, imageEntrypoint)) argv.push(...cmd);
  return { argv, after, unreproduced };
}

/** A command line for a POSIX shell: every argument quoted that needs it. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
