import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Outcome } from '../../src/upgrade/outcome';
import type { Report } from '../../src/upgrade/report';
import { runCli } from '../helpers/cli';
import { DaemonOptions, DockerdVersion, TestDaemon } from '../helpers/dockerd';
import { tempDir } from '../helpers/tempDir';

/**
 * The outcome model against real daemons of the versions users upgrade to.
 * A Debian dockerd 20.10 runs a host as an operator left it; `check` predicts
 * what its next start does as itself (the restart) and as Docker 26 and 28;
 * then the real dockerd 26.1.5 and 28.5.2 (scripts/fetch-test-engines) start
 * on a copy of its data root with the same command line and daemon.json, and
 * what they do (started or not, the driver, the containers they show, the
 * line they log) must be what was predicted. The restart is checked the same
 * way on a second copy by the 20.10 itself. Nothing here comes from our
 * reading of moby: the daemons answer.
 */

const dir = tempDir('engines');
const TARGETS: readonly DockerdVersion[] = [26, 28];

interface Observed {
  started: boolean;
  log: string;
  driver?: string;
  containerdStore?: boolean;
  containers?: string[];
  images?: number;
}

interface Prediction {
  outcome: Outcome;
  reason: string;
  store?: string;
}

/** Starts `daemon` and says what it did: the driver, image store and containers it shows, or that it exited. */
async function startAndObserve(daemon: TestDaemon, options: DaemonOptions): Promise<Observed> {
  try {
    await daemon.start(options);
  } catch (err) {
    if (!/dockerd exited/.test(String(err))) throw err;
    return { started: false, log: readFileSync(daemon.logFile, 'utf8') };
  }
  const info = JSON.parse(await daemon.docker('info', '--format', '{{json .}}')) as {
    Driver: string;
    DriverStatus: [string, string][] | null;
    Images: number;
  };
  const names = (await daemon.docker('ps', '-a', '--format', '{{.Names}}')).split('\n').filter(Boolean).sort();
  return {
    started: true,
    log: readFileSync(daemon.logFile, 'utf8'),
    driver: info.Driver,
    containerdStore: (info.DriverStatus ?? []).some(([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1'),
    containers: names,
    images: info.Images,
  };
}

/** The outcome class of what a daemon did, against the containers it had before. */
function outcomeOf(observed: Observed, before: readonly string[]): Outcome {
  if (!observed.started) {
    return /contains several valid graphdrivers|prior storage driver \S+ is deprecated/.test(observed.log)
      ? 'refuses_to_start'
      : 'fails_to_start';
  }
  return before.every((name) => observed.containers?.includes(name)) ? 'starts' : 'starts_without_containers';
}

/** What the exporter predicts for the restart and for 26 and 28, by target version; and the blockers it names. */
async function predict(daemon: TestDaemon): Promise<Map<number, Prediction> & { blockers?: string[] }> {
  const { stdout, stderr } = await runCli([
    'check',
    '--format',
    'json',
    '--docker.host',
    daemon.host,
    '--docker.pid-file',
    daemon.pidFile,
    '--upgrade.target-version',
    TARGETS.join(','),
  ]);
  let report: Report;
  try {
    report = JSON.parse(stdout) as Report;
  } catch {
    throw new Error(`check printed no JSON: ${stdout}\n${stderr}`);
  }
  expect(report.data_root_scan).toBe('complete');
  const predictions: Map<number, Prediction> & { blockers?: string[] } = new Map(
    report.upgrade.map((u) => [
      u.target_version,
      { outcome: u.outcome, reason: u.reason, ...(u.image_store ? { store: u.image_store } : {}) },
    ]),
  );
  predictions.blockers = report.verdict.blockers.map((b) => b.reason).sort();
  return predictions;
}

/** `source` stopped, its data root copied for a daemon of `version`, which starts on it with `next`: does it do what was predicted? */
async function expectPredicted(
  source: TestDaemon,
  version: DockerdVersion,
  next: DaemonOptions,
  predicted: Prediction | undefined,
  before: string[],
): Promise<Observed> {
  expect(predicted).toBeDefined();
  const target = new TestDaemon(path.join(source.dir, `v${version}`), version);
  execFileSync('cp', ['-a', source.dataRoot, target.dataRoot]);
  try {
    const observed = await startAndObserve(target, next);
    const said = `dockerd ${version} ${
      observed.started
        ? `started on ${observed.containerdStore ? 'the containerd store, ' : ''}${observed.driver} showing [${observed.containers?.join(', ')}]`
        : `exited: ${observed.log
            .split('\n')
            .filter((l) => /level=(fatal|error)|failed to start/.test(l))
            .slice(-2)
            .join(' | ')}`
    }`;
    expect({ version, outcome: outcomeOf(observed, before), said }).toEqual({ version, outcome: predicted?.outcome, said });
    const reason = (predicted?.reason ?? '').split(source.dataRoot).join(target.dataRoot).split(source.configFile).join(target.configFile);
    // The image store it was predicted to start on is the one it shows.
    expect({ version, store: observed.started ? (observed.containerdStore ? 'containerd' : 'graphdriver') : undefined }).toEqual({
      version,
      store: predicted?.store,
    });
    if (!observed.started) {
      // The line it logged is the one check quoted.
      const logged = observed.log.split('\n').filter((l) => l.includes('failed to start daemon') || l.includes('unable to configure'));
      expect(logged.map(driversInOrder)).toContainEqual(expect.stringContaining(driversInOrder(reason)));
    } else if (predicted?.outcome === 'starts_without_containers') {
      expect(reason).toContain(
        `starts on ${observed.containerdStore ? `the containerd image store (${observed.driver})` : observed.driver}, `,
      );
    }
    return observed;
  } finally {
    await target.destroy();
  }
}

/**
 * dockerd lists "several valid graphdrivers" in Go map order, which changes from one start to the next
 * (daemon/graphdriver/driver.go New ranges over driversMap): the same drivers in any order are the same line.
 */
function driversInOrder(line: string): string {
  return line.replace(
    /several valid graphdrivers: ([^;]+);/,
    (_all, list: string) => `several valid graphdrivers: ${list.split(', ').sort().join(', ')};`,
  );
}

interface HostCase {
  name: string;
  /** The version the host runs (20 unless said); its restart and the targets above it are tried. */
  source?: DockerdVersion;
  /** Makes the host on its running daemon and returns how that daemon will next start. */
  setup: (daemon: TestDaemon) => Promise<DaemonOptions>;
  /** What is expected, so that a model that says something else for every version still fails here. */
  expected: Partial<Record<DockerdVersion, Outcome>>;
  /** The blockers check names, when the case is about one. */
  blockers?: string[];
}

async function withApp(daemon: TestDaemon): Promise<void> {
  await daemon.importBusybox();
  await daemon.docker('volume', 'create', 'data');
  await daemon.docker('create', '--name', 'app', '--network', 'none', '-v', 'data:/data', 'busybox:test', 'true');
}

export const CASES: HostCase[] = [
  {
    name: 'legacy overlay picked by the daemon itself (not explicit)',
    setup: async (d) => {
      await d.start({ args: ['--storage-driver', 'overlay'] });
      await withApp(d);
      await d.stop();
      await d.start();
      return {};
    },
    expected: { 20: 'starts', 26: 'starts_without_containers', 28: 'starts_without_containers' },
  },
  {
    name: 'legacy overlay pinned by flag',
    setup: async (d) => {
      await d.start({ args: ['--storage-driver', 'overlay'] });
      await withApp(d);
      return { args: ['--storage-driver', 'overlay'] };
    },
    expected: { 20: 'starts', 26: 'fails_to_start', 28: 'fails_to_start' },
  },
  {
    name: 'legacy overlay pinned in daemon.json',
    setup: async (d) => {
      await d.start({ daemonJson: '{"storage-driver": "overlay"}' });
      await withApp(d);
      return { daemonJson: '{"storage-driver": "overlay"}' };
    },
    expected: { 20: 'starts', 26: 'fails_to_start', 28: 'fails_to_start' },
  },
  {
    name: 'overlay2 beside a non-empty fuse-overlayfs directory, nothing pinned',
    setup: async (d) => {
      await d.start();
      await withApp(d);
      mkdirSync(path.join(d.dataRoot, 'fuse-overlayfs', 'leftover'), { recursive: true });
      writeFileSync(path.join(d.dataRoot, 'fuse-overlayfs', 'leftover', 'file'), 'left by an earlier setup');
      return {};
    },
    expected: { 20: 'refuses_to_start', 26: 'refuses_to_start', 28: 'refuses_to_start' },
  },
  {
    name: 'overlay2 beside legacy overlay data, the overlay2 pin just removed from daemon.json',
    setup: async (d) => {
      await d.start({ args: ['--storage-driver', 'overlay'] });
      await d.importBusybox();
      await d.stop();
      await d.start({ daemonJson: '{"storage-driver": "overlay2"}' });
      await withApp(d);
      writeFileSync(d.configFile, '{}');
      return {};
    },
    // 20.10 knows both and refuses to choose; from 24 legacy overlay is not compiled in, so overlay2 is the only prior driver.
    expected: { 20: 'refuses_to_start', 26: 'starts', 28: 'starts' },
    blockers: ['refuses_to_start', 'several_prior_drivers_not_explicit'],
  },
  {
    name: 'Docker 26 on overlay2 with legacy overlay data left beside it, nothing pinned',
    source: 26,
    setup: async (d) => {
      const old = new TestDaemon(path.join(d.dir, 'old'), 20);
      await old.start({ args: ['--storage-driver', 'overlay', '--data-root', d.dataRoot] });
      await old.importBusybox();
      await old.stop();
      await d.start();
      await withApp(d);
      return {};
    },
    // 24 and later do not know legacy overlay: its directory is no prior driver, so nothing to choose between.
    // (Blocked as several_prior_drivers_not_explicit before the verdict followed the outcome model.)
    expected: { 26: 'starts', 28: 'starts' },
    blockers: [],
  },
  {
    name: 'a daemon.json key that Docker 23 and later no longer know (oom-score-adjust)',
    setup: async (d) => {
      await d.start({ daemonJson: '{"oom-score-adjust": -500}' });
      await withApp(d);
      return { daemonJson: '{"oom-score-adjust": -500}' };
    },
    expected: { 20: 'starts', 26: 'fails_to_start', 28: 'fails_to_start' },
  },
  {
    name: 'a daemon.json key that Docker 28 migrates to a new name (host-gateway-ip)',
    setup: async (d) => {
      await d.start({ daemonJson: '{"host-gateway-ip": "192.0.2.1"}' });
      await withApp(d);
      return { daemonJson: '{"host-gateway-ip": "192.0.2.1"}' };
    },
    expected: { 20: 'starts', 26: 'starts', 28: 'starts' },
  },
  {
    name: 'vfs pinned by flag',
    setup: async (d) => {
      await d.start({ args: ['--storage-driver', 'vfs'] });
      await withApp(d);
      return { args: ['--storage-driver', 'vfs'] };
    },
    expected: { 20: 'starts', 26: 'starts', 28: 'starts' },
  },
  {
    name: 'vfs only, its pin just removed from daemon.json',
    setup: async (d) => {
      await d.start({ daemonJson: '{"storage-driver": "vfs"}' });
      await withApp(d);
      writeFileSync(d.configFile, '{}');
      return {};
    },
    // vfs is never a prior driver: every version picks overlay2 and shows none of the vfs containers.
    expected: { 20: 'starts_without_containers', 26: 'starts_without_containers', 28: 'starts_without_containers' },
  },
];

/** docs/upgrade.md's table of hosts proven on real daemons, as the cases above make it. */
export function realOutcomeTable(cases: readonly HostCase[]): string {
  const cell = (host: HostCase, version: DockerdVersion) => {
    const outcome = host.expected[version];
    if (outcome) return outcome.replace(/_/g, ' ');
    return '—';
  };
  return [
    '| host runs | situation | Docker 20.10 | Docker 26.1 | Docker 28.5 | proven by |',
    '|---|---|---|---|---|---|',
    ...cases.map(
      (c) =>
        `| ${c.source === 26 ? 'Docker 26.1' : 'Docker 20.10'} | ${c.name} | ${cell(c, 20)} | ${cell(c, 26)} | ${cell(c, 28)} | real dockerd |`,
    ),
  ].join('\n');
}

describe("docs/upgrade.md's table of hosts proven on real daemons", () => {
  it('is the cases of this test', () => {
    expect(readFileSync(path.join(__dirname, '../../docs/upgrade.md'), 'utf8')).toContain(realOutcomeTable(CASES));
  });
});

describe('the outcome model against real dockerd 20.10, 26.1 and 28.5', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, host, i) => {
    // Short paths: containerd's socket under the exec root must fit a unix socket address (108 bytes).
    const sourceVersion = host.source ?? 20;
    const versions = [sourceVersion, ...TARGETS.filter((v) => v > sourceVersion)];
    const source = new TestDaemon(path.join(dir, `c${i}`), sourceVersion);
    try {
      const next = await host.setup(source);
      const predicted = await predict(source);
      expect(Object.fromEntries(versions.map((v) => [v, predicted.get(v)?.outcome]))).toEqual(host.expected);
      if (host.blockers) expect(predicted.blockers).toEqual(host.blockers);
      const before = (await source.docker('ps', '-a', '--format', '{{.Names}}')).split('\n').filter(Boolean);
      await source.stop();
      for (const version of versions) await expectPredicted(source, version, next, predicted.get(version), before);
    } finally {
      await source.destroy();
    }
  });
});

describe('the containerd-snapshotter feature on a real dockerd 26.1 and 28.5, on and off over graph-driver data', () => {
  it.each(TARGETS.map((v) => [v] as const))('dockerd %i', async (version) => {
    const daemon = new TestDaemon(path.join(dir, `s${version}`), version);
    const restart = async (daemonJson: string): Promise<Observed> => {
      writeFileSync(daemon.configFile, daemonJson);
      const predicted = (await predict(daemon)).get(version);
      const before = (await daemon.docker('ps', '-a', '--format', '{{.Names}}')).split('\n').filter(Boolean);
      await daemon.stop();
      const observed = await startAndObserve(daemon, { daemonJson });
      const store = observed.started ? (observed.containerdStore ? 'containerd' : 'graphdriver') : undefined;
      expect({ outcome: outcomeOf(observed, before), store }).toEqual({ outcome: predicted?.outcome, store: predicted?.store });
      if (predicted?.outcome === 'starts_without_containers') {
        expect(predicted.reason).toContain(
          `starts on ${observed.containerdStore ? `the containerd image store (${observed.driver})` : observed.driver}, `,
        );
      }
      return observed;
    };
    try {
      await daemon.start();
      await daemon.importBusybox();
      await daemon.docker('create', '--name', 'graph-app', '--network', 'none', 'busybox:test', 'true');

      // Feature on: the containerd store, where the graph driver's container is not restored.
      const on = await restart('{"features": {"containerd-snapshotter": true}}');
      expect([on.containerdStore, on.driver, on.containers]).toEqual([true, 'overlayfs', []]);
      await daemon.importBusybox();
      await daemon.docker('create', '--name', 'store-app', '--network', 'none', 'busybox:test', 'true');

      // Restarted with the feature still on: it keeps its containers (predicted starts_without_containers before the fix).
      const again = await restart('{"features": {"containerd-snapshotter": true}}');
      expect(again.containers).toEqual(['store-app']);

      // Feature off again: back on overlay2, the graph driver's container back, the store's hidden.
      const off = await restart('{"features": {"containerd-snapshotter": false}}');
      expect([off.containerdStore, off.driver, off.containers]).toEqual([false, 'overlay2', ['graph-app']]);
    } finally {
      await daemon.destroy();
    }
  });
});
