import { goJsonError } from './goJson';
import { errorMessage } from '../util/errors';

/** What one Docker version's dockerd knows of its flags (src/docker/dockerdFlags.json). */
export interface DockerdConfigRules {
  tag: string;
  flags: { name: string; short?: string; boolean: boolean; configKey: string }[];
  flatOptions: string[];
  skipValidateOptions: string[];
  skipDuplicates: string[];
}

export type DaemonJsonProblem =
  | { rule: 'syntax'; message: string; line: number; column: number }
  | { rule: 'not_an_object'; message: string }
  | { rule: 'unknown_directives'; message: string; keys: string[] }
  | { rule: 'flag_and_file'; message: string; keys: string[] };

export interface DaemonJsonCheck {
  /** The settings as the daemon reads them, nested objects flattened as dockerd flattens them (configValuesSet). */
  settings?: Record<string, unknown>;
  /** The first reason this version of dockerd refuses the file; undefined when it reads it. */
  problem?: DaemonJsonProblem;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The text as dockerd decodes it: with `acceptsByteOrderMark` a UTF-8 or UTF-16 BOM says the encoding; otherwise the BOM's bytes are characters. */
function decode(bytes: Buffer, acceptsByteOrderMark: boolean): string {
  if (bytes.subarray(0, 3).equals(UTF8_BOM))
    return acceptsByteOrderMark ? bytes.subarray(3).toString('utf8') : `\u00ef\u00bb\u00bf${bytes.subarray(3).toString('utf8')}`;
  if (acceptsByteOrderMark && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (acceptsByteOrderMark && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/** configValuesSet (daemon/config/config.go): a nested object's keys count as top-level keys, except for the flat options. */
function flatten(config: Record<string, unknown>, flatOptions: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !flatOptions.includes(key)) {
      for (const [inner, innerValue] of Object.entries(value)) out[inner] = innerValue;
    } else out[key] = value;
  }
  return out;
}

/** A version's flags by name and by daemon.json key, and sorted as dockerd reports conflicts; built once per version. */
const indexes = new WeakMap<
  DockerdConfigRules,
  { flagNames: Set<string>; configKeys: Set<string>; sortedFlags: DockerdConfigRules['flags'] }
>();
function indexOf(rules: DockerdConfigRules) {
  let index = indexes.get(rules);
  if (!index) {
    index = {
      flagNames: new Set(rules.flags.map((f) => f.name)),
      configKeys: new Set(rules.flags.map((f) => f.configKey)),
      sortedFlags: [...rules.flags].sort((a, b) => (a.name < b.name ? -1 : 1)),
    };
    indexes.set(rules, index);
  }
  return index;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Reads daemon.json as one version of dockerd does at start
 * (getConflictFreeConfiguration, findConfigurationConflicts): Go's JSON, the
 * byte order mark as that version treats it, keys that no flag of that
 * version matches, keys also given as a flag on the daemon's command line.
 *
 * `commandLine`: the flags the daemon was started with, by long name.
 * `firstValueOnly`: versions that decode with json.Decoder read one value
 * and ignore what follows it (v20.10.24).
 */
export function checkDaemonJson(
  bytes: Buffer,
  commandLine: ReadonlyMap<string, string>,
  rules: DockerdConfigRules,
  options: { acceptsByteOrderMark: boolean; firstValueOnly: boolean },
): DaemonJsonCheck {
  const text = decode(bytes, options.acceptsByteOrderMark);
  const syntax = goJsonError(text, options.firstValueOnly);
  if (syntax) return { problem: { rule: 'syntax', ...syntax } };
  let parsed: unknown;
  try {
    parsed = options.firstValueOnly ? JSON.parse(firstValue(text)) : JSON.parse(text);
  } catch (err) {
    // goJsonError accepts what JSON.parse accepts; a difference is a bug here, not in the file.
    return { problem: { rule: 'syntax', message: errorMessage(err), line: 1, column: 1 } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed === 'string' ? 'string' : typeof parsed;
    // null decodes into a Go map without complaint.
    if (parsed === null) return { settings: {} };
    return { problem: { rule: 'not_an_object', message: `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` } };
  }
  const settings = flatten(parsed as Record<string, unknown>, rules.flatOptions);
  const { flagNames, configKeys, sortedFlags } = indexOf(rules);
  const unknown = Object.keys(settings).filter(
    (key) => !flagNames.has(key) && !configKeys.has(key) && !rules.skipValidateOptions.includes(key),
  );
  if (unknown.length > 0) {
    return {
      settings,
      problem: {
        rule: 'unknown_directives',
        keys: unknown,
        message: `the following directives don't match any configuration option: ${unknown.join(', ')}`,
      },
    };
  }
  const conflicts: { key: string; text: string }[] = [];
  for (const flag of sortedFlags) {
    const fromFlag = commandLine.get(flag.name);
    if (fromFlag === undefined) continue;
    const key = flag.configKey !== flag.name ? flag.configKey : [flag.name, flag.short].find((k) => k !== undefined && k in settings);
    if (key === undefined || !(key in settings) || rules.skipDuplicates.includes(key)) continue;
    conflicts.push({ key, text: `${key}: (from flag: ${fromFlag}, from file: ${show(settings[key])})` });
  }
  if (conflicts.length > 0) {
    return {
      settings,
      problem: {
        rule: 'flag_and_file',
        keys: conflicts.map((c) => c.key),
        message: `the following directives are specified both as a flag and in the configuration file: ${conflicts.map((c) => c.text).join(', ')}`,
      },
    };
  }
  return { settings };
}

/** The text of the first JSON value in `text` (which goJsonError has checked). */
function firstValue(text: string): string {
  let depth = 0;
  let inString = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      if (!inString && depth === 0 && started) return text.slice(0, i + 1);
      continue;
    }
    if (c === '"') {
      inString = true;
      started = true;
    } else if (c === '{' || c === '[') {
      depth++;
      started = true;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(0, i + 1);
    } else if (!/\s/.test(c)) started = true;
    else if (started && depth === 0) return text.slice(0, i);
  }
  return text;
}

/**
 * The flags on dockerd's command line, by long name (shorthands resolved, as
 * spf13/pflag reads them: `-s X`, `-sX`, `-s=X`, `--name X`, `--name=X`,
 * booleans grouped as `-Ds X`). A flag given several times keeps the last value.
 */
export function commandLineFlags(argv: readonly string[], rules: DockerdConfigRules): Map<string, string> {
  const byShort = new Map(rules.flags.filter((f) => f.short).map((f) => [f.short as string, f]));
  const byName = new Map(rules.flags.map((f) => [f.name, f]));
  const out = new Map<string, string>();
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    const next = argv[i + 1];
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const flag = byName.get(name);
      if (eq !== -1) out.set(name, arg.slice(eq + 1));
      else if (flag?.boolean) out.set(name, 'true');
      else if (next !== undefined) {
        out.set(name, next);
        i++;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let c = 1; c < arg.length; c++) {
        const flag = byShort.get(arg[c] ?? '');
        if (!flag) break;
        if (flag.boolean) {
          out.set(flag.name, 'true');
          continue;
        }
        let value = arg.slice(c + 1).replace(/^=/, '');
        if (value === '' && next !== undefined) {
          value = next;
          i++;
        }
        out.set(flag.name, value);
        break;
      }
    }
  }
  return out;
}

/** daemon.json's "features" map (containerd-snapshotter, containerd-migration, …); empty when absent or not a map. */
export function featuresOf(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const features = settings?.['features'];
  return typeof features === 'object' && features !== null && !Array.isArray(features) ? (features as Record<string, unknown>) : {};
}
