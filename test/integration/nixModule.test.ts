import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '../..');
const evaluator = path.join(root, 'test/fixtures/nix/evaluate-module.nix');

/** Every .nix file of the project (outside node_modules and dist). */
function nixFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return nixFiles(full);
    return entry.name.endsWith('.nix') ? [full] : [];
  });
}

type ServiceConfig = Record<string, string | number | boolean | (string | number)[]>;
interface Evaluated {
  defaults: Record<string, unknown>;
  config: {
    networking: { firewall: { allowedTCPPorts: number[] } };
    systemd: {
      services: Record<string, { environment?: Record<string, string>; after: string[]; path?: string[]; serviceConfig: ServiceConfig }>;
      timers?: Record<string, { timerConfig: Record<string, string> }>;
      tmpfiles?: { rules: string[] };
    };
  };
}

/** nix/module.nix evaluated by Debian's nix (nixpkgs cannot be had here: a stand-in lib, test/fixtures/nix). */
async function evaluate(settings: string): Promise<Evaluated> {
  const { stdout } = await run('nix-instantiate', ['--eval', '--strict', '--json', '--arg', 'settings', settings, evaluator]);
  return JSON.parse(stdout) as Evaluated;
}

/** A unit file's [Service] directives as systemd reads them: a repeated key adds to the list. */
function serviceDirectives(file: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  let section = '';
  for (const line of readFileSync(path.join(root, file), 'utf8').split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1] ?? '';
    const directive = /^(\w+)=(.*)$/.exec(line);
    if (section === 'Service' && directive)
      directives.set(directive[1] ?? '', [...(directives.get(directive[1] ?? '') ?? []), directive[2] ?? '']);
  }
  return directives;
}

/** A NixOS serviceConfig value as the unit line NixOS writes for it (booleans as systemd reads them). */
const asUnitValues = (value: ServiceConfig[string]): string[] => {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'boolean') return [value ? 'yes' : 'no'];
  return [String(value)];
};

/** Directives only one side has by nature: the command, how the Debian unit gets its flags, the module's JIT allowance (not set: systemd's default). */
const NOT_COMPARED = new Set(['ExecStart', 'EnvironmentFile', 'Environment', 'MemoryDenyWriteExecute']);

describe('the NixOS package and module (nix/)', () => {
  it('every .nix file parses (nix-instantiate --parse)', async () => {
    const files = nixFiles();
    expect(files.map((f) => path.relative(root, f)).sort()).toEqual(
      expect.arrayContaining(['nix/flyingcircus.nix', 'nix/module.nix', 'nix/package.nix']),
    );
    for (const file of files) await expect(run('nix-instantiate', ['--parse', file])).resolves.toBeDefined();
  });

  it("has nixpkgs exporters' options with this exporter's defaults: port 9326 on every address, closed firewall", async () => {
    const { defaults, config } = await evaluate('{ enable = true; }');
    expect(defaults).toMatchObject({ enable: false, port: 9326, listenAddress: '0.0.0.0', extraFlags: [], openFirewall: false });
    expect(config.networking.firewall.allowedTCPPorts).toEqual([]);
    const service = config.systemd.services['prometheus-docker-daemon-exporter'];
    expect(service?.serviceConfig['ExecStart']).toMatch(/\/bin\/docker-daemon-exporter --web\.listen-address=0\.0\.0\.0:9326 $/);
    expect(service?.after).toEqual(['network.target', 'docker.service']);
    // NixOS services get no util-linux on PATH by default: the walkers' idle I/O class needs its ionice.
    expect(service?.path).toEqual([expect.stringMatching(/-util-linux$/)]);
    expect(config.systemd.timers).toBeUndefined();
  });

  it('quotes the extra flags for the shell, brackets an IPv6 address, opens the firewall when asked', async () => {
    const { config } = await evaluate(
      `{ enable = true; listenAddress = "::1"; port = 9400; openFirewall = true; extraFlags = [ "--no-scan" "--docker.host=unix:///run/user/1000/docker.sock" "it's" ]; }`,
    );
    expect(config.systemd.services['prometheus-docker-daemon-exporter']?.serviceConfig['ExecStart']).toMatch(
      /docker-daemon-exporter --web\.listen-address=\[::1\]:9400 '--no-scan' '--docker\.host=unix:\/\/\/run\/user\/1000\/docker\.sock' 'it'\\''s'$/,
    );
    expect(config.networking.firewall.allowedTCPPorts).toEqual([9400]);
  });

  it('runs with the hardening, capabilities and memory settings of the Debian unit in packaging/systemd (one set, compared directive by directive)', async () => {
    const { config } = await evaluate('{ enable = true; }');
    const service = config.systemd.services['prometheus-docker-daemon-exporter'];
    const debian = serviceDirectives('packaging/systemd/docker-daemon-exporter.service');
    const fromModule = new Map(Object.entries(service?.serviceConfig ?? {}).map(([key, value]) => [key, asUnitValues(value)]));
    for (const [key, values] of debian)
      if (!NOT_COMPARED.has(key)) expect({ [key]: fromModule.get(key)?.join(' ') }).toEqual({ [key]: values.join(' ') });
    for (const key of fromModule.keys()) if (!NOT_COMPARED.has(key)) expect({ [key]: debian.has(key) }).toEqual({ [key]: true });
    const environment = (debian.get('Environment') ?? []).map((line) => line.split('=', 1)[0] ?? '');
    expect(Object.keys(service?.environment ?? {}).sort()).toEqual(environment.sort());
    expect(service?.serviceConfig['MemoryDenyWriteExecute']).toBe(false);
  });

  it("writes node_exporter's textfile on a timer as the Debian textfile unit does, at idle I/O priority, into a directory it may write", async () => {
    const { config } = await evaluate('{ textfile = { enable = true; directory = "/var/lib/node-textfiles"; interval = "5min"; }; }');
    expect(config.systemd.services['prometheus-docker-daemon-exporter']).toBeUndefined();
    const textfile = config.systemd.services['docker-daemon-exporter-textfile'];
    expect(textfile?.serviceConfig['ExecStart']).toMatch(
      /\/bin\/docker-daemon-exporter textfile --output \/var\/lib\/node-textfiles\/docker\.prom $/,
    );
    expect(textfile?.serviceConfig['ReadWritePaths']).toEqual(['/var/lib/node-textfiles']);
    expect(config.systemd.tmpfiles?.rules).toEqual(['d /var/lib/node-textfiles 0775 root docker -']);
    expect(config.systemd.timers?.['docker-daemon-exporter-textfile']?.timerConfig).toMatchObject({ OnUnitActiveSec: '5min' });
    const debian = serviceDirectives('packaging/systemd/docker-daemon-exporter-textfile.service');
    const fromModule = new Map(Object.entries(textfile?.serviceConfig ?? {}).map(([key, value]) => [key, asUnitValues(value)]));
    const paths = new Set([...NOT_COMPARED, 'ReadWritePaths']);
    for (const [key, values] of debian)
      if (!paths.has(key)) expect({ [key]: fromModule.get(key)?.join(' ') }).toEqual({ [key]: values.join(' ') });
    for (const key of fromModule.keys()) if (!paths.has(key)) expect({ [key]: debian.has(key) }).toEqual({ [key]: true });
  });

  it('builds the package from the lock file alone: every locked package has the URL and checksum Nix fetches it by', () => {
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { link?: boolean; resolved?: string; integrity?: string }>;
    };
    const fetched = Object.entries(lock.packages).filter(([key, p]) => key !== '' && !p.link);
    expect(fetched.length).toBeGreaterThan(100);
    const missing = fetched.filter(
      ([, p]) => !p.resolved?.startsWith('https://registry.npmjs.org/') || !p.integrity?.startsWith('sha512-'),
    );
    expect(missing.map(([key]) => key)).toEqual([]);
    expect(readFileSync(path.join(root, '.npmrc'), 'utf8')).toMatch(/^omit-lockfile-registry-resolved=false$/m);
  });
});
