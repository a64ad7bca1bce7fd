import { exporterOptions } from '../helpers/snapshots';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { DaemonSnapshot } from '../../src/collector/snapshot';
import { parseHumanSize } from '../../src/parse/humanSize';
import { registerMetricAreas } from '../../src/metrics/exporter';
import { Exposition } from '../../src/metrics/exposition';
import { parseContainerEntry } from '../../src/parse/containers';
import dockerdFlags from '../../src/docker/dockerdFlags.json';
import { daemonJsonSettings } from '../../src/docker/storageConfig';
import { commandLineFlags, DockerdConfigRules } from '../../src/parse/daemonJson';
import { driverStatusMap, parseThinPool } from '../../src/parse/driverStatus';
import { parseInfo } from '../../src/parse/info';
import { classifyNetworkMode } from '../../src/parse/networkMode';
import { ProblemList } from '../../src/parse/problems';
import { Metrics } from '../helpers/exporter';
import { tempDir } from '../helpers/tempDir';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize: divide by 1000 while ≥ 1000, then "%.4g%s" (or "%.4g %s" before Docker 17.04). */
function humanSize(bytes: number, space: boolean): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const g = value
    .toPrecision(4)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return `${g}${space ? ' ' : ''}${UNITS[unit]}`;
}

describe('properties of the parsers', () => {
  it('parseHumanSize reads back what go-units writes, to its four significant digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.boolean(), (bytes, space) => {
        const text = humanSize(bytes, space);
        const parsed = parseHumanSize(text);
        expect(parsed).toBeDefined();
        expect(Number.isInteger(parsed)).toBe(true);
        // Four significant digits: at most half a unit in the fourth digit away.
        expect(Math.abs((parsed as number) - bytes)).toBeLessThanOrEqual(Math.max(0.5, bytes * 0.0005 + 1));
      }),
      { numRuns: 2000 },
    );
  });

  it('parseHumanSize never throws, and answers a non-negative integer or nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const parsed = parseHumanSize(text);
        if (parsed !== undefined) {
          expect(Number.isSafeInteger(parsed) || Number.isFinite(parsed)).toBe(true);
          expect(parsed).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a DriverStatus of anything never crashes, and every size is either exported right or counted as a problem', () => {
    const key = fc.constantFrom(
      'Data Space Used',
      'Data Space Total',
      'Metadata Space Available',
      'Pool Blocksize',
      'Udev Sync Supported',
      'Deferred Deleted Device Count',
      'Data loop file',
      'whatever',
    );
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: 0, max: 10 ** 12 }).map((n) => humanSize(n, false)),
      fc.constantFrom('true', 'false', '0', '12', '', '1e999 GB', 'NaN kB'),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.tuple(key, value), fc.anything()), { maxLength: 30 }), (raw) => {
        const problems = new ProblemList();
        const pool = parseThinPool(driverStatusMap(raw, problems), problems);
        const last = new Map<string, string>();
        for (const entry of raw)
          if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string')
            last.set(entry[0].trim(), entry[1].trim());
        const text = last.get('Data Space Used');
        if (text !== undefined) {
          const expected = parseHumanSize(text);
          if (expected === undefined) expect(problems.items.some((p) => p.field === 'DriverStatus.Data Space Used')).toBe(true);
          else expect(pool.dataSpaceUsedBytes).toBe(expected);
        }
        for (const v of Object.values(pool)) if (typeof v === 'number') expect(Number.isFinite(v) && v >= 0).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseInfo and parseContainerEntry survive any JSON the daemon could send', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseInfo(value, new ProblemList());
        for (const entry of Array.isArray(value) ? value : [value]) parseContainerEntry(entry, new ProblemList());
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            Driver: fc.jsonValue(),
            DriverStatus: fc.jsonValue(),
            Warnings: fc.jsonValue(),
            Images: fc.jsonValue(),
            ServerVersion: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        (value) => {
          const info = parseInfo(value, new ProblemList());
          if (info.images !== undefined) expect(Number.isInteger(info.images) && info.images >= 0).toBe(true);
          for (const w of info.warnings) expect(w).not.toMatch(/\n/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('classifyNetworkMode puts every string in exactly one class', () => {
    fc.assert(
      fc.property(fc.string(), (mode) => {
        const cls = classifyNetworkMode(mode);
        expect(['bridge', 'host', 'none', 'container', 'custom', 'unknown']).toContain(cls);
        if (mode.startsWith('container:')) expect(cls).toBe('container');
      }),
    );
  });

  it('finds the storage driver in any of its five spellings, among any other flags', () => {
    const rules = (dockerdFlags as Record<string, DockerdConfigRules>)['v20.10.24'] as DockerdConfigRules;
    const word = fc.stringMatching(/^[a-z0-9/_.:=-]{1,12}$/).filter((w) => !w.startsWith('-'));
    const otherFlag = fc.oneof(
      fc.tuple(fc.constantFrom('--debug', '-D', '--iptables=false', '--live-restore'), fc.constant(undefined)),
      fc.tuple(fc.constantFrom('--data-root', '-H', '--log-level', '--label', '-g', '--exec-root'), word),
    );
    const driver = fc.constantFrom('devicemapper', 'overlay2', 'overlay', 'vfs', 'aufs');
    const spelling = fc.constantFrom(
      (d: string) => ['-s', d],
      (d: string) => [`-s${d}`],
      (d: string) => [`-s=${d}`],
      (d: string) => ['--storage-driver', d],
      (d: string) => [`--storage-driver=${d}`],
    );
    fc.assert(
      fc.property(fc.array(otherFlag, { maxLength: 6 }), fc.nat(6), driver, spelling, (others, at, d, spell) => {
        const flags = others.flatMap(([f, v]) => (v === undefined ? [f] : [f, v]));
        const cut = others.slice(0, Math.min(at, others.length)).reduce((n, [, v]) => n + (v === undefined ? 1 : 2), 0);
        const argv = ['/usr/bin/dockerd', ...flags.slice(0, cut), ...spell(d), ...flags.slice(cut)];
        expect(commandLineFlags(argv, rules).get('storage-driver')).toBe(d);
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.array(fc.string()), (argv) => void commandLineFlags(argv, rules)));
  });

  it('reads daemon.json of any content without crashing: a driver, nothing, or an error to report', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.jsonValue().map((v) => `// comment\n${JSON.stringify({ 'storage-driver': v })}`),
        ),
        (text) => {
          const read = daemonJsonSettings(Buffer.from(text));
          expect(read.settings === undefined).toBe(read.problem !== undefined);
          if (read.problem) expect(read.problem).toMatch(/^(invalid character|unexpected end|json: cannot unmarshal)/);
        },
      ),
      { numRuns: 2000 },
    );
    const huge = JSON.stringify({ 'storage-driver': 'devicemapper', labels: Array.from({ length: 200_000 }, (_, i) => `label-${i}=x`) });
    expect(huge.length).toBeGreaterThan(2_000_000);
    expect(daemonJsonSettings(Buffer.from(huge)).settings?.['storage-driver']).toBe('devicemapper');
  });
});

describe('container names with every character a label value can hold', () => {
  const snapshotWith = (names: string[]): DaemonSnapshot => ({
    up: true,
    engine: 'docker',
    info: { warnings: names.slice(0, 3), containerdSnapshotter: false, driver: 'overlay2' },
    containers: names.map((name, i) => ({
      id: String(i),
      name,
      image: name,
      state: 'running',
      networkMode: 'host' as const,
      health: 'unhealthy' as const,
    })),
    eventStreamConnected: true,
    collectors: [],
    parseErrors: new Map(),
  });

  it('come back out of the metrics text exactly as they went in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.stringMatching(/^[\\n"a]{1,8}$/)), {
          minLength: 1,
          maxLength: 8,
        }),
        async (names) => {
          const registry = new Exposition();
          for (const area of registerMetricAreas(registry, exporterOptions(), false).daemon) area.update(snapshotWith(names));
          const parsed = new Metrics(await registry.metrics());
          const out = parsed.all('docker_container_host_network_info').map((s) => s.labels['name']);
          expect(out.sort()).toEqual([...names].sort());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('make a text that promtool accepts', async () => {
    const registry = new Exposition();
    const areas = registerMetricAreas(registry, exporterOptions(), false).daemon;
    for (const area of areas)
      area.update(snapshotWith(['quote"d', 'back\\slash', 'new\nline', 'carriage\rreturn', 'ünïcödé ☃', '{braces}=,', ' ', '\u0000nul']));
    const file = path.join(tempDir('labels'), 'metrics.txt');
    writeFileSync(file, await registry.metrics());
    expect(execFileSync('sh', ['-c', `promtool check metrics < '${file}'; echo "exit=$?"`], { encoding: 'utf8' }).trim()).toBe('exit=0');
  });
});
