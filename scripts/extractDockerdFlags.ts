import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Reads dockerd's flags from moby's source at each release tag and writes
 * src/docker/dockerdFlags.json: what a daemon.json key must match to be
 * accepted (daemon/config/config.go findConfigurationConflicts: a flag of
 * that name, or a flag whose value is a NamedOption of that name) and which
 * flags conflict with which key. Run by hand with a clone of moby/moby:
 *
 *   node dist/scripts/extractDockerdFlags.js /path/to/moby
 */

const TAGS = ['v20.10.24', 'v23.0.0', 'v24.0.0', 'v25.0.0', 'v26.1.0', 'v27.0.1', 'v28.0.0', 'docker-v29.0.0'];
/** Flags of the daemon on Linux: these files define them (Windows and FreeBSD files left out); cmd/dockerd/ up to 28, daemon/command/ from 29. */
const FLAG_FILES =
  /^(cmd\/dockerd|daemon\/command)\/(config|config_unix|config_common_unix|options|daemon|daemon_linux|daemon_unix|docker|docker_unix)\.go$/;
/** Values whose type implements opts.NamedOption, by the expression passed to flags.Var. */
const NAMED_VALUES: Record<string, string> = {
  'conf.NetworkConfig.DefaultAddressPools': 'default-address-pools',
  'conf.DefaultAddressPools': 'default-address-pools',
};

export interface DockerdFlag {
  name: string;
  short?: string;
  boolean: boolean;
  /** The daemon.json key that sets the same thing: the NamedOption's name, else the flag's name. */
  configKey: string;
}

export interface DockerdConfigRules {
  tag: string;
  flags: DockerdFlag[];
  /** Keys whose object value is taken whole, not flattened (configValuesSet). */
  flatOptions: string[];
  /** Keys accepted without a flag. */
  skipValidateOptions: string[];
  /** Keys that may be given both as a flag and in the file. */
  skipDuplicates: string[];
}

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The arguments of the call whose "(" is at `open`, split at top-level commas. */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      current += c;
      if (c === '\\' && quote === '"') current += text[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === '`') quote = c;
    if (c === '(' || c === '{' || c === '[') depth++;
    if (c === ')' || c === '}' || c === ']') {
      if (depth === 0) {
        args.push(current.trim());
        return args;
      }
      depth--;
    }
    if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += c;
  }
  return args;
}

function stringValue(expr: string | undefined, constants: Map<string, string>): string | undefined {
  if (expr === undefined) return undefined;
  const literal = /^"([^"]*)"$/.exec(expr);
  if (literal) return literal[1];
  return constants.get(expr);
}

function namedOptionName(valueExpr: string, variables: Map<string, string>): string | undefined {
  const direct = /NewNamed\w*\(\s*"([^"]+)"/.exec(valueExpr);
  if (direct) return direct[1];
  const bare = valueExpr.replace(/^&/, '');
  return variables.get(bare) ?? NAMED_VALUES[bare];
}

function mapKeys(source: string, name: string): string[] {
  const block = new RegExp(`var ${name} = map\\[string\\]bool\\{([^}]*)\\}`).exec(source)?.[1] ?? '';
  return [...block.matchAll(/"([^"]+)"\s*:\s*true/g)].map((m) => m[1] as string);
}

export function extract(repo: string, tag: string): DockerdConfigRules {
  const files = git(repo, 'ls-tree', '-r', '--name-only', tag, 'cmd/dockerd/', 'daemon/command/')
    .split('\n')
    .filter((f) => FLAG_FILES.test(f));
  const sources = files.map((f) => git(repo, 'show', `${tag}:${f}`));
  const all = sources.join('\n');
  const constants = new Map([...all.matchAll(/\b(Flag\w+)\s*=\s*"([^"]+)"/g)].map((m) => [m[1] as string, m[2] as string]));
  const variables = new Map(
    [...all.matchAll(/(\w+)\s*:?=\s*\w+\.NewNamed\w*\(\s*"([^"]+)"/g)].map((m) => [m[1] as string, m[2] as string]),
  );
  const flags: DockerdFlag[] = [];
  for (const source of sources) {
    for (const call of source.matchAll(/\bflags\.(\w+)\(/g)) {
      const fn = call[1] as string;
      // Every flag definition (BoolVar, StringVarP, IPSliceVar, Var, …), none of the other methods of a FlagSet.
      if (/^(Mark|Lookup|Changed|Visit|Set|Parse|Arg|NArg|Add|Get|Has|Sort|Print|Usage|Init|Shorthand)/.test(fn)) continue;
      const args = callArguments(source, call.index + call[0].length - 1);
      const isVar = fn.endsWith('Var') || fn.endsWith('VarP');
      const nameAt = isVar ? 1 : 0;
      const name = stringValue(args[nameAt], constants);
      if (!name) continue;
      const short = fn.endsWith('P') ? stringValue(args[nameAt + 1], constants) : undefined;
      const named = fn === 'Var' || fn === 'VarP' ? namedOptionName(args[0] ?? '', variables) : undefined;
      flags.push({ name, ...(short ? { short } : {}), boolean: fn.startsWith('Bool'), configKey: named ?? name });
    }
  }
  const config = git(repo, 'show', `${tag}:daemon/config/config.go`);
  const unique = new Map(flags.map((f) => [f.name, f]));
  return {
    tag,
    flags: [...unique.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    flatOptions: mapKeys(config, 'flatOptions'),
    skipValidateOptions: mapKeys(config, 'skipValidateOptions'),
    skipDuplicates: mapKeys(config, 'skipDuplicates'),
  };
}

function main(): void {
  const repo = process.argv[2];
  if (!repo) throw new Error('usage: extractDockerdFlags <moby git dir>');
  const out: Record<string, DockerdConfigRules> = {};
  for (const tag of TAGS) out[tag] = extract(repo, tag);
  const file = path.join(__dirname, '..', '..', 'src', 'docker', 'dockerdFlags.json');
  writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
  process.stdout.write(`wrote ${file}: ${TAGS.map((t) => `${t} ${out[t]?.flags.length} flags`).join(', ')}\n`);
}

if (require.main === module) main();
