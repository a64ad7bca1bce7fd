/** The commands: `serve` is what runs without a command word. */
export const COMMANDS = ['serve', 'check', 'plan', 'textfile', 'reclaim'] as const;
export type Command = (typeof COMMANDS)[number];

export const COMMAND_SUMMARY: Record<Command, string> = {
  serve: 'Serve /metrics for Prometheus (the default: no command word).',
  check:
    'Report once whether this host survives the move to Docker 25, and what to do. Exit status: 0 nothing blocks, 1 warnings, 2 the upgrade is blocked, 3 the daemon cannot be reached.',
  plan: 'What a storage-driver switch costs, container by container: volumes and binds (they survive), bytes in each writable layer, images only on this host, and a command that makes each container again; --format script writes the migration as a script to read and run. Only reads.',
  textfile:
    "Collect once (with a data-root scan unless --no-scan) and write the metrics atomically for node_exporter's textfile collector. Exit status: 0 written, 1 the file cannot be written, 3 the daemon did not answer (docker_up 0 written).",
  reclaim:
    "Remove what a storage driver switch left in the data root (other drivers' directories, containers of another driver), once every guard holds; a dry run unless --yes. The only command that writes. Exit status: 0 done (or nothing to do), 1 stopped by an error, 2 refused.",
};

export interface FlagSpec {
  name: string;
  help: string;
  type: 'string' | 'boolean';
  default: (env: NodeJS.ProcessEnv) => string;
  /** The commands that take it. */
  commands: readonly Command[];
  /** A boolean whose default may be on also takes --no-<name>. */
  negatable?: boolean;
  /**
   * Taken from the command line only, never from DOCKER_EXPORTER_<FLAG>: the confirmation of
   * the one command that deletes, which a shell profile or an EnvironmentFile must not give.
   */
  commandLineOnly?: boolean;
}

const ALL: readonly Command[] = COMMANDS;
const SERVE: readonly Command[] = ['serve'];

/**
 * Every flag may also come from DOCKER_EXPORTER_<FLAG> (dots and dashes as underscores); the flag wins.
 * Not --yes (commandLineOnly). A boolean from the environment is true/1 or false/0, nothing else.
 */
export const FLAGS: readonly FlagSpec[] = [
  {
    name: 'web.listen-address',
    type: 'string',
    commands: SERVE,
    help: 'Address to listen on for the web interface and telemetry ([host]:port).',
    default: () => ':9326',
  },
  {
    name: 'web.systemd-socket',
    type: 'boolean',
    commands: SERVE,
    help: 'Listen on the socket systemd passes (socket activation, LISTEN_FDS) instead of --web.listen-address.',
    default: () => '',
  },
  {
    name: 'web.max-requests',
    type: 'string',
    commands: SERVE,
    help: 'At most this many scrapes served at once; more get 503 (a whole number; 0: no limit).',
    default: () => '40',
  },
  { name: 'web.telemetry-path', type: 'string', commands: SERVE, help: 'Path under which to expose metrics.', default: () => '/metrics' },
  {
    name: 'web.config.file',
    type: 'string',
    commands: SERVE,
    help: 'exporter-toolkit web config (TLS, basic auth, headers), as for node_exporter.',
    default: () => '',
  },
  {
    name: 'web.disable-exporter-metrics',
    type: 'boolean',
    commands: SERVE,
    help: "Leave out the exporter process's own process_* and nodejs_* metrics (as node_exporter's flag of that name); the docker_exporter_* metrics stay.",
    default: () => '',
  },
  {
    name: 'docker.host',
    type: 'string',
    commands: ALL,
    help: 'Docker daemon to read: unix:///path, tcp://host[:port] or ssh://[user@]host[:port]; $DOCKER_HOST when it is set.',
    default: (env) => env['DOCKER_HOST'] || 'unix:///var/run/docker.sock',
  },
  {
    name: 'docker.tls-verify',
    type: 'boolean',
    negatable: true,
    commands: ALL,
    help: 'Speak TLS to a tcp:// daemon and check its certificate, with the client certificate of --docker.cert-path; on when $DOCKER_TLS_VERIFY is set to anything, as for the docker CLI (--no-docker.tls-verify: off). The port defaults to 2376.',
    default: (env) => (env['DOCKER_TLS_VERIFY'] ? 'true' : ''),
  },
  {
    name: 'docker.cert-path',
    type: 'string',
    commands: ALL,
    help: 'Directory of ca.pem, cert.pem and key.pem for --docker.tls-verify (each used when present, as the docker CLI does); $DOCKER_CERT_PATH when it is set.',
    default: (env) => env['DOCKER_CERT_PATH'] || '~/.docker',
  },
  {
    name: 'docker.ssh-identity',
    type: 'string',
    commands: ALL,
    help: 'Private key for an ssh:// daemon (default: the ssh agent of $SSH_AUTH_SOCK, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa); the far side runs `docker system dial-stdio`.',
    default: () => '',
  },
  {
    name: 'docker.ssh-known-hosts',
    type: 'string',
    commands: ALL,
    help: "known_hosts file that must list an ssh:// daemon's host key, as ssh requires.",
    default: () => '~/.ssh/known_hosts',
  },
  {
    name: 'docker.wake-socket-activated',
    type: 'boolean',
    commands: ALL,
    help: "Connect even when dockerd is stopped and only a socket activator (systemd's docker.socket, as NixOS always has) holds its socket: that connection starts it. Off: such a daemon is reported down (docker_up 0, reason not_woken), not started.",
    default: () => '',
  },
  {
    name: 'docker.timeout',
    type: 'string',
    commands: ALL,
    help: 'Deadline for each request to the daemon, connection to last byte (a duration: 500ms, 5s, 1m).',
    default: () => '5s',
  },
  {
    name: 'docker.info-max-age',
    type: 'string',
    commands: SERVE,
    help: 'Serve GET /info from cache for this long (a duration); image, volume and daemon events refresh it sooner.',
    default: () => '30s',
  },
  {
    name: 'containerd.config',
    type: 'string',
    commands: ['serve', 'check', 'textfile'],
    help: "containerd's config.toml, for the root of the containerd a daemon uses instead of its own (--containerd): measured beside the data root.",
    default: () => '/etc/containerd/config.toml',
  },
  {
    name: 'docker.images-resync',
    type: 'string',
    commands: SERVE,
    help: 'Ask GET /images/json (the local-only image count) at most this often (a duration); image events refresh it sooner. It is costly on the containerd image store.',
    default: () => '10m',
  },
  {
    name: 'docker.min-interval',
    type: 'string',
    commands: SERVE,
    help: 'Scrapes within this long of a collection share its daemon answers (a duration; 0s: ask at every scrape); containers stay current from events.',
    default: () => '1s',
  },
  {
    name: 'docker.data-root',
    type: 'string',
    commands: ALL,
    help: "The daemon's data root as this process sees it (an absolute path; default: DockerRootDir from /info).",
    default: () => '',
  },
  {
    name: 'scan.interval',
    type: 'string',
    commands: SERVE,
    help: 'How often to measure the data root in the background (a duration).',
    default: () => '15m',
  },
  { name: 'no-scan', type: 'boolean', commands: ['serve', 'check', 'textfile'], help: 'Do not measure the data root.', default: () => '' },
  {
    name: 'docker.pid-file',
    type: 'string',
    commands: ALL,
    help: 'dockerd pid file; its /proc entry tells whether the storage driver is explicitly configured.',
    default: () => '/var/run/docker.pid',
  },
  {
    name: 'docker.daemon-config',
    type: 'string',
    commands: ALL,
    help: "The daemon.json a rootful dockerd reads without --config-file, as the daemon names it: read in the daemon's mount namespace (/proc/<pid>/root).",
    default: () => '/etc/docker/daemon.json',
  },
  {
    name: 'collector.disable-defaults',
    type: 'boolean',
    commands: ['serve', 'textfile'],
    help: 'Turn every optional collector off; turn each one wanted back on with --collector.<name>. ping and info always run; the data-root scan has --no-scan.',
    default: () => '',
  },
  ...(
    [
      ['containers', 'GET /containers/json and the event stream: docker_containers, docker_container_host_network_info.'],
      ['volumes', 'GET /volumes: docker_volumes.'],
      ['images', 'GET /images/json (costly on the containerd image store): the images only this host has.'],
      ['storage-config', "The daemon's pid file, command line and daemon.json: whether the storage driver is explicitly configured."],
    ] as const
  ).map(([name, what]): FlagSpec => ({
    name: `collector.${name}`,
    type: 'boolean',
    negatable: true,
    commands: ['serve', 'textfile'],
    help: `The ${name} collector (on unless --collector.disable-defaults): ${what}`,
    default: () => 'true',
  })),
  {
    name: 'collector.host-network.max-series',
    type: 'string',
    commands: ['serve', 'textfile'],
    help: 'At most this many docker_container_host_network_info series, running containers first, then by name (a whole number; 0: none); docker_containers stays exact.',
    default: () => '50',
  },
  {
    name: 'collector.unhealthy.max-series',
    type: 'string',
    commands: ['serve', 'textfile'],
    help: 'At most this many docker_container_unhealthy_info series, by name (a whole number; 0: none); docker_containers_health stays exact.',
    default: () => '50',
  },
  {
    name: 'collector.container-labels',
    type: 'string',
    commands: ['serve', 'textfile'],
    help: 'Container labels to copy onto every per-container series (host network, unhealthy, restarts, OOM kills, exit codes), comma-separated (owner,team), each as label_<key> with characters a label name cannot hold as _; empty where a container has none, so alerts can route to the owners.',
    default: () => '',
  },
  {
    name: 'collector.exit-codes.max-series',
    type: 'string',
    commands: ['serve', 'textfile'],
    help: 'At most this many docker_container_last_exit_code series, the most recent exit first (a whole number; 0: none); docker_containers_exited_nonzero stays exact.',
    default: () => '50',
  },
  {
    name: 'collector.volumes.max-series',
    type: 'string',
    commands: ['serve', 'textfile'],
    help: 'At most this many docker_volume_bytes series, the largest volumes first (a whole number; 0: none); docker_data_root_reclaimable_bytes stays exact.',
    default: () => '20',
  },
  {
    name: 'collector.restarts.max-series',
    type: 'string',
    commands: ['serve'],
    help: 'At most this many docker_container_restarts_total series, the most recently restarted first (a whole number; 0: none); docker_containers_restarts_total stays exact.',
    default: () => '50',
  },
  {
    name: 'collector.oom-kills.max-series',
    type: 'string',
    commands: ['serve'],
    help: 'At most this many docker_container_oom_killed_info series, the last killed first (a whole number; 0: none); docker_containers_oom_kills_total stays exact.',
    default: () => '50',
  },
  {
    name: 'upgrade.target-version',
    type: 'string',
    commands: ALL,
    help: 'Docker major versions to tell the outcome of, comma-separated (the running version, a plain restart, is always told).',
    default: () => '25,29',
  },
  {
    name: 'format',
    type: 'string',
    commands: ['check', 'plan'],
    help: 'text (for a person) or json (for scripts); plan also writes a shell script (script).',
    default: () => 'text',
  },
  {
    name: 'limit',
    type: 'string',
    commands: ['check'],
    help: 'Name at most this many of each list: containers, images, host-network containers (a whole number).',
    default: () => '20',
  },
  {
    name: 'remedies',
    type: 'string',
    commands: ['check', 'plan'],
    help: 'How to change the storage driver on this host: daemon-json, nixos, flyingcircus, or auto (from /etc/NIXOS and fc-manage; inside a container the host is not visible, so say it).',
    default: () => 'auto',
  },
  {
    name: 'yes',
    type: 'boolean',
    commands: ['reclaim'],
    help: 'Remove; without it reclaim only says what it would remove. From the command line only: DOCKER_EXPORTER_YES is refused.',
    default: () => '',
    commandLineOnly: true,
  },
  {
    name: 'ignore-pid',
    type: 'string',
    commands: ['reclaim'],
    help: 'Process ids whose working directory and open files may not be checked (some sandboxes hide pid 1 even from root), comma-separated; check them yourself first.',
    default: () => '',
  },
  {
    name: 'output',
    type: 'string',
    commands: ['textfile'],
    help: "File to write, for node_exporter's textfile collector (required).",
    default: () => '',
  },
  {
    name: 'log.level',
    type: 'string',
    commands: ALL,
    help: 'Only log messages at or above: debug, info, warn, error.',
    default: () => 'info',
  },
  { name: 'log.format', type: 'string', commands: ALL, help: 'Log format: logfmt or json (to stderr).', default: () => 'logfmt' },
];

/** docs/flags.md's table of every flag of every command, made from this list (a test keeps the file equal to it). */
export function flagTable(): string {
  const commands = (flag: FlagSpec) => flag.commands.map((c) => (c === 'serve' ? 'exporter' : c)).join(', ');
  const shown = (flag: FlagSpec) =>
    flag.type === 'boolean' ? (flag.default({}) === '' ? '' : 'on') : flag.default({}) === '' ? '' : `\`${flag.default({})}\``;
  return [
    '| flag | commands | default | meaning |',
    '|---|---|---|---|',
    ...FLAGS.map(
      (flag) =>
        `| \`--${flag.negatable ? '[no-]' : ''}${flag.name}\` | ${commands(flag)} | ${shown(flag)} | ${flag.help.replace(/\|/g, '\\|')} |`,
    ),
  ].join('\n');
}

export function envName(flag: string): string {
  return `DOCKER_EXPORTER_${flag.replace(/[.-]/g, '_').toUpperCase()}`;
}

export function flagsOf(command: Command): FlagSpec[] {
  return FLAGS.filter((flag) => flag.commands.includes(command));
}

function flagLines(command: Command, env: NodeJS.ProcessEnv): string[] {
  const lines: string[] = [];
  for (const flag of flagsOf(command)) {
    lines.push(
      flag.type === 'boolean'
        ? `  --${flag.negatable ? '[no-]' : ''}${flag.name}`
        : `  --${flag.name}=${JSON.stringify(flag.default(env))}`,
    );
    lines.push(`      ${flag.help}${flag.commandLineOnly ? '' : ` (env ${envName(flag.name)})`}`);
  }
  lines.push('  -h, --help', '      Show this help and exit.', '  --version', '      Show the version and exit.');
  return lines;
}

export function helpText(program: string, env: NodeJS.ProcessEnv = {}): string {
  const lines = [`usage: ${program} [command] [flags]`, '', 'Prometheus exporter for a Docker daemon.', '', 'Commands:'];
  for (const command of COMMANDS) lines.push(`  ${(command === 'serve' ? '(none)' : command).padEnd(9)} ${COMMAND_SUMMARY[command]}`);
  lines.push('', `Flags of the exporter (${program} COMMAND --help for a command's):`, ...flagLines('serve', env));
  return lines.join('\n');
}

export function commandHelpText(program: string, command: Exclude<Command, 'serve'>, env: NodeJS.ProcessEnv = {}): string {
  return [`usage: ${program} ${command} [flags]`, '', COMMAND_SUMMARY[command], '', 'Flags:', ...flagLines(command, env)].join('\n');
}
