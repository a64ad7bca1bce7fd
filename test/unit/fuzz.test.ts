import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { JsonArraySplitter } from '../../src/docker/jsonArraySplitter';
import { parseThinPoolStatus } from '../../src/parse/dmsetupStatus';
import { goJsonError } from '../../src/parse/goJson';
import { parseKnownHosts } from '../../src/parse/knownHosts';
import { parseMountInfo } from '../../src/parse/mountInfo';
import { parseWebConfig, WebConfigError } from '../../src/web/webConfig';

/**
 * Property-based fuzzing of the parsers that read what a daemon, the kernel or a file gives (the
 * others, /info and DriverStatus, /containers/json entries, daemon.json, are in properties.test.ts):
 * whatever the input, no throw but the parser's own error, no hang (each run is bounded by the
 * test's time), and output bounded by the input.
 */
const RUNS = { numRuns: 500 };

/** Texts near the format: lines of the format's own pieces, with noise between them. */
const linesOf = (pieces: string[]) =>
  fc
    .array(
      fc
        .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), {
          maxLength: 12,
        })
        .map((parts) => parts.join(' ')),
      { maxLength: 20 },
    )
    .map((lines) => lines.join('\n'));

/** A crash of the parser itself: what "no throw but its own error" forbids. */
const isCrash = (err: unknown) =>
  err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || !(err instanceof Error);

describe('fuzzing the parsers of what daemons, the kernel and files give', () => {
  it("Go's JSON scanner: any text, no throw; it accepts exactly what JSON.parse accepts, and its position lies in the text", () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 60 }),
      // Valid JSON with one character cut out or put in: where the scanner has to find the error.
      fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', '"', '/', '\\', '\u0000', ' ', 'x')).map(([j, at, c]) => {
        const i = at % (j.length + 1);
        return j.slice(0, i) + c + j.slice(i + (c === '' ? 1 : 0));
      }),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        const error = goJsonError(text);
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect({ text, accepted: error === undefined }).toEqual({ text, accepted: parses });
        if (error) {
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(text.length);
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.message.length).toBeLessThan(200);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the list splitter: any JSON list in any pieces gives its elements; any other text an Error, never a crash', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (list, cuts) => {
        const text = JSON.stringify(list, null, cuts.length % 2 === 0 ? undefined : 1);
        const splitter = new JsonArraySplitter(1 << 20);
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((start, i) => text.slice(start, [...at, text.length][i]));
        const elements = pieces.flatMap((p) => splitter.push(p));
        expect(elements.map((e) => JSON.parse(e) as unknown)).toEqual(JSON.parse(text));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const splitter = new JsonArraySplitter(64);
        try {
          const out = splitter.push(text);
          expect(out.join('').length).toBeLessThanOrEqual(text.length);
        } catch (err) {
          expect(isCrash(err)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('known_hosts: any text, no throw, at most one entry per line', () => {
    const text = linesOf([
      '@revoked',
      '@cert-authority',
      '#',
      'ssh-ed25519',
      'ssh-rsa',
      '[host]:2222',
      '|1|abc=|def=',
      'AAAAC3NzaC1lZDI1NTE5',
      'host,other',
    ]);
    fc.assert(
      fc.property(text, (t) => {
        const entries = parseKnownHosts(t);
        expect(entries.length).toBeLessThanOrEqual(t.split('\n').length);
      }),
      RUNS,
    );
  });

  it('mountinfo: any text, no throw, at most one entry per line, every entry with a mount point', () => {
    const text = linesOf([
      '26',
      '1',
      '254:0',
      '/',
      '/var/lib/docker',
      'rw,relatime',
      '-',
      'ext4',
      'overlay',
      '/dev/vda',
      'shared:1',
      '\\040',
      '\\134',
      'lowerdir=/a:/b',
    ]);
    fc.assert(
      fc.property(text, (t) => {
        const entries = parseMountInfo(t);
        expect(entries.length).toBeLessThanOrEqual(t.split('\n').length);
        for (const e of entries) expect(typeof e.mountPoint).toBe('string');
      }),
      RUNS,
    );
  });

  it('dmsetup status and table: any two lines, a pool or a message, never a throw', () => {
    const line = linesOf([
      '0',
      '209715200',
      'thin-pool',
      'Fail',
      '4244/524288',
      '1043/1638400',
      '-',
      'rw',
      'ro',
      'out_of_data_space',
      'needs_check',
      '7:1',
      '128',
      '-1',
      '1e309',
      '99999999999999999999/1',
    ]);
    fc.assert(
      fc.property(line, line, (status, table) => {
        const pool = parseThinPoolStatus(status, table);
        if (typeof pool === 'string') expect(pool.length).toBeLessThan(300);
        else
          for (const v of [pool.dataUsedBytes, pool.dataTotalBytes, pool.metadataUsedBytes, pool.metadataTotalBytes])
            expect(v === undefined || (Number.isFinite(v) && v >= 0)).toBe(true);
      }),
      RUNS,
    );
  });

  it('the web config: any YAML, a config or a WebConfigError naming the problem, never another throw', () => {
    const base = mkdtempSync(path.join(tmpdir(), 'dde-fuzz-web-'));
    try {
      const keys = [
        'tls_server_config',
        'http_server_config',
        'basic_auth_users',
        'rate_limit',
        'cert_file',
        'key_file',
        'client_auth_type',
        'client_allowed_sans',
        'cipher_suites',
        'min_version',
        'headers',
        'http2',
        'interval',
        'burst',
        'admin',
      ];
      const yamlish = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc
          .dictionary(
            fc.constantFrom(...keys),
            fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: 4 })),
            { maxKeys: 4 },
          )
          .map((o) => JSON.stringify(o)),
      );
      fc.assert(
        fc.property(yamlish, (text) => {
          try {
            parseWebConfig(text, base);
          } catch (err) {
            expect([text, err instanceof WebConfigError ? 'WebConfigError' : String(err)]).toEqual([text, 'WebConfigError']);
            expect((err as Error).message.length).toBeLessThan(2000);
          }
        }),
        RUNS,
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
