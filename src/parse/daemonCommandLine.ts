/**
 * What dockerd's own command line says about its storage driver. dockerd
 * parses flags with spf13/pflag, so all of these set the driver:
 * `-s X`, `-sX`, `-s=X`, `--storage-driver X`, `--storage-driver=X`, and
 * shorthands grouped behind a boolean one (`-Ds X`).
 */
export interface DaemonCommandLine {
  /** argv[0] looks like dockerd: guards against a pid file naming a reused pid. */
  isDockerd: boolean;
  storageDriver?: string;
  configFile?: string;
}

// dockerd's only boolean shorthand is -D (--debug); -v/-h print and exit.
const BOOLEAN_SHORTHANDS = new Set(['D', 'v', 'h']);

export function parseDaemonCommandLine(argv: readonly string[]): DaemonCommandLine {
  const program = argv[0] ?? '';
  const result: DaemonCommandLine = { isDockerd: /(^|\/)dockerd(\.exe)?$/.test(program) };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    // dockerd takes no positional arguments, so a word after a flag is that flag's value.
    const next = argv[i + 1];
    const nextIsValue = next !== undefined && !next.startsWith('-');
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (nextIsValue) {
        value = next;
        i++;
      }
      if (name === 'storage-driver' && value !== undefined) result.storageDriver = value;
      if (name === 'config-file' && value !== undefined) result.configFile = value;
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let c = 1; c < arg.length; c++) {
        const letter = arg[c] ?? '';
        if (BOOLEAN_SHORTHANDS.has(letter)) continue;
        // Any other shorthand takes a value: the rest of this word, or the next word.
        let value = arg.slice(c + 1).replace(/^=/, '');
        if (value === '' && nextIsValue) {
          value = next;
          i++;
        }
        if (letter === 's' && value !== '') result.storageDriver = value;
        break;
      }
    }
  }
  return result;
}

export type ExplicitSource = 'flag' | 'config_file' | 'env' | 'none';

export interface ExplicitInputs {
  commandLine: DaemonCommandLine;
  /** DOCKER_DRIVER from the daemon's environment, if set. */
  envDriver?: string;
  /** `storage-driver` from the daemon's config file, if it sets one. */
  configFileDriver?: string;
}

/**
 * Which setting chose the driver. dockerd reads DOCKER_DRIVER before its
 * configuration (daemon.NewDaemon), so the environment wins; a flag and the
 * config file both naming a driver is a conflict dockerd refuses to start with.
 */
export function explicitSource(inputs: ExplicitInputs): ExplicitSource {
  if (inputs.envDriver) return 'env';
  if (inputs.commandLine.storageDriver) return 'flag';
  if (inputs.configFileDriver) return 'config_file';
  return 'none';
}

/** `storage-driver` from daemon.json text; throws with a reason when the text is not a JSON object. */
export function configFileStorageDriver(text: string): string | undefined {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('not a JSON object');
  }
  const value = (parsed as Record<string, unknown>)['storage-driver'];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error('"storage-driver" is not a string');
  return value;
}

/** NUL-separated /proc files (cmdline, environ) into their entries. */
export function splitNul(text: string): string[] {
  return text.split('\0').filter((part) => part !== '');
}

export function envValue(environ: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  const entry = environ.find((item) => item.startsWith(prefix));
  return entry === undefined ? undefined : entry.slice(prefix.length);
}
