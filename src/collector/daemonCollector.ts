import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'winston';
import { ContainerActivity } from '../docker/containerActivity';
import { ContainerInventory } from '../docker/containerInventory';
import { EngineApi, EngineError } from '../docker/engineApi';
import type { OptionalCollectors } from '../config/config';
import type { LoopFilesystem, LoopFilesystemReader } from '../docker/loopFilesystem';
import type { KernelPoolReader, KernelPoolReading } from '../docker/thinPoolKernel';
import { DaemonProcessMemo, readStorageConfig, StorageConfig, StorageConfigOptions } from '../docker/storageConfig';
import { FailureLog } from '../util/failureLog';
import { ContainerSummary, parseContainerEntry, parseContainerInspect, parseVolumeCount } from '../parse/containers';
import { EngineInfo, parseInfo, REMAPPED_ROOT } from '../parse/info';
import { ProblemTally } from '../parse/problems';
import { localOnlyImageCount } from '../parse/images';
import { engineOf } from '../parse/version';
import type { Engine } from '../parse/version';
import { errorMessage } from '../util/errors';
import type { CollectorName, CollectorStatus, DaemonSnapshot } from './snapshot';

const ALL_COLLECTORS: OptionalCollectors = { containers: true, volumes: true, images: true, storageConfig: true };

export interface DaemonCollectorDeps {
  api: EngineApi;
  storageConfig: StorageConfigOptions;
  logger: Logger;
  /** How old a cached GET /info answer may be; it is also refetched on image, volume and daemon events. */
  infoMaxAgeMs: number;
  /**
   * How old the local-only image count (GET /images/json) may be; image events refresh it sooner. On the
   * containerd image store each call costs the daemon hundreds of ms of CPU (moby issue 53077), so it is
   * not asked with every /info. Default: as infoMaxAgeMs.
   */
  imagesResyncMs?: number;
  /** Scrapes within this long of a collection share its daemon answers (containers still come fresh from the inventory). */
  minIntervalMs?: number;
  /** The daemon request deadline: also how long a collection waits for events to be applied. */
  timeoutMs: number;
  /** The container labels kept with each container (--collector.container-labels). */
  containerLabels?: readonly string[];
  /** Follow the event stream to keep containers current (off: list at every collection). */
  watchEvents?: boolean;
  /** The optional collectors that run; all unless said. */
  collectors?: OptionalCollectors;
  /** statfs of a loop-lvm pool's data file; absent when the daemon's files cannot be seen from here (a remote daemon). */
  loopFilesystem?: LoopFilesystemReader;
  /** Reads the thin pool from the kernel (dmsetup); absent for a daemon on another host. */
  kernelPool?: KernelPoolReader;
  now?: () => number;
}

/**
 * Collects the daemon's state. Each collection pings the daemon; /info is
 * cached for a short while and refetched on events; containers come from an
 * event-fed inventory (or a list while the event stream is down). Concurrent
 * callers share the collection in flight, so any number of scrapers costs the
 * daemon no more requests than one.
 */
export class DaemonCollector {
  private inFlight: Promise<DaemonSnapshot> | undefined;
  private last: { snapshot: DaemonSnapshot; at: number } | undefined;
  private readonly failures: FailureLog;
  /** Missing access to /proc is a deployment choice, not a fault: say it once. */
  private readonly configLog: FailureLog;
  private readonly now: () => number;
  private readonly problems: ProblemTally;
  private readonly inventory: ContainerInventory | undefined;
  private infoCache:
    { info: EngineInfo; engine: Engine; engineNamed: boolean; apiVersion?: string; fetchedAt: number; generation: number } | undefined;
  /** The engine the daemon last named: a /version that fails once does not turn Podman into Docker. */
  private lastEngine: Engine = 'unknown';
  private infoGeneration = 0;
  private infoInFlight: Promise<NonNullable<DaemonCollector['infoCache']>> | undefined;
  private imagesGeneration = 0;
  /** GET /images/json's answer, asked on image events and every imagesResyncMs. */
  private imagesCache:
    | { body: unknown; fetchedAt: number; generation: number; localOnly?: { containerdStore: boolean; count: number | undefined } }
    | undefined;
  private readonly enabled: OptionalCollectors;
  private volumeCache: { count: number; generation: number } | undefined;
  private volumeGeneration = 0;
  private readonly daemonProcess = new DaemonProcessMemo();
  /** Restarts and OOM kills seen in the events: only while events are followed. */
  private readonly activity: ContainerActivity | undefined;

  constructor(private readonly deps: DaemonCollectorDeps) {
    this.now = deps.now ?? Date.now;
    this.failures = new FailureLog(deps.logger, this.now);
    this.configLog = new FailureLog(deps.logger, this.now, Infinity);
    this.problems = new ProblemTally((field, detail) => deps.logger.debug('unusable value in the daemon answer', { field, detail }));
    this.enabled = deps.collectors ?? ALL_COLLECTORS;
    // Without the containers collector there is nothing to keep current: no event stream (info ages out by --docker.info-max-age).
    if (deps.watchEvents !== false && this.enabled.containers) {
      this.activity = new ContainerActivity();
      this.inventory = new ContainerInventory({
        api: deps.api,
        logger: deps.logger,
        problems: this.problems,
        ...(deps.containerLabels ? { containerLabels: deps.containerLabels } : {}),
        activity: this.activity,
        maxWaitMs: deps.timeoutMs,
        invalidate: (what) =>
          what === 'info' ? this.infoGeneration++ : what === 'images' ? this.imagesGeneration++ : this.volumeGeneration++,
      });
      this.inventory.start();
    }
  }

  stop(): void {
    this.inventory?.stop();
  }

  collect(): Promise<DaemonSnapshot> {
    const last = this.last;
    if (last && this.now() - last.at < (this.deps.minIntervalMs ?? 0)) return this.withCurrentContainers(last.snapshot);
    if (!this.inFlight) {
      const started = this.now();
      this.inFlight = this.collectOnce()
        .then((snapshot) => {
          this.last = { snapshot, at: started };
          return snapshot;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  /** A recent snapshot with the containers as the event-fed inventory has them now: no daemon call. */
  private async withCurrentContainers(snapshot: DaemonSnapshot): Promise<DaemonSnapshot> {
    if (!snapshot.up) return snapshot;
    const containers = await this.inventory?.current();
    return {
      ...snapshot,
      ...(containers ? { containers } : {}),
      ...(this.activity ? { containerActivity: this.activity.view() } : {}),
      parseErrors: this.problems.counts(),
    };
  }

  private async timed<T>(collectors: CollectorStatus[], collector: CollectorName, work: () => Promise<T>): Promise<T | undefined> {
    const started = process.hrtime.bigint();
    let result: T | undefined;
    let success = true;
    try {
      result = await work();
    } catch (err) {
      success = false;
      this.failures.failed(collector, `collector ${collector} failed: ${errorMessage(err)}`);
    }
    if (success) this.failures.succeeded(collector, `collector ${collector} works again`);
    collectors.push({ collector, success, durationSeconds: Number(process.hrtime.bigint() - started) / 1e9 });
    return result;
  }

  private async collectOnce(): Promise<DaemonSnapshot> {
    const collectors: CollectorStatus[] = [];
    let unreachable: DaemonSnapshot['unreachable'];
    const ping = this.timed(collectors, 'ping', () =>
      this.deps.api.get('/_ping').catch((err: unknown) => {
        unreachable = { kind: err instanceof EngineError ? err.kind : 'unreachable', message: errorMessage(err) };
        throw err;
      }),
    );
    // The ping first: the pid file, /proc and daemon.json are read while the daemon answers, after a
    // turn of the event loop has put the request on the socket (read before it, they delayed every ping).
    const storage = nextTurn().then(() =>
      this.enabled.storageConfig
        ? this.timed(collectors, 'storage_config', () => this.storageConfig())
        : ({ known: false, reason: 'the storage_config collector is off (--no-collector.storage-config)' } satisfies StorageConfig),
    );
    const [pong, storageConfig] = await Promise.all([ping, storage]);
    let snapshot: DaemonSnapshot = {
      up: pong !== undefined,
      ...(pong === undefined && unreachable ? { unreachable } : {}),
      engine: 'unknown',
      storageConfig,
      eventStreamConnected: this.inventory?.connected ?? false,
      collectors,
      parseErrors: new Map(),
    };
    if (pong !== undefined) {
      const [info, containers, volumes, localOnlyImages] = await Promise.all([
        this.timed(collectors, 'info', () => this.info()),
        this.enabled.containers ? this.timed(collectors, 'containers', () => this.containers()) : undefined,
        this.enabled.volumes ? this.timed(collectors, 'volumes', () => this.volumes()) : undefined,
        this.enabled.images ? this.timed(collectors, 'images', () => this.localOnlyImages()) : undefined,
      ]);
      snapshot = {
        ...snapshot,
        info: info?.info,
        engine: info?.engine ?? 'unknown',
        ...(localOnlyImages !== undefined ? { localOnlyImages } : {}),
        apiVersion: info?.apiVersion,
        infoTimestamp: info && info.fetchedAt / 1000,
        containers,
        volumes,
        // Podman has no dockerd pid file, command line or daemon.json to read: nothing to say about them.
        storageConfig: info?.engine === 'podman' ? undefined : this.sameDaemon(storageConfig, info?.info),
        ...this.loopFilesystem(info?.info),
        ...(await this.kernelPool(info?.info)),
      };
      if (info?.engine !== 'podman') this.logStorageConfig(snapshot.storageConfig);
    } else {
      const asked: CollectorName[] = [
        'info',
        ...(this.enabled.containers ? ['containers' as const] : []),
        ...(this.enabled.volumes ? ['volumes' as const] : []),
        ...(this.enabled.images ? ['images' as const] : []),
      ];
      for (const collector of asked) collectors.push({ collector, success: false, durationSeconds: 0 });
    }
    snapshot.parseErrors = this.problems.counts();
    // Counted since the exporter started, whether or not the daemon answers now: counters that carry on.
    if (this.activity) snapshot.containerActivity = this.activity.view();
    collectors.sort((a, b) => a.collector.localeCompare(b.collector));
    return snapshot;
  }

  private async info(): Promise<NonNullable<DaemonCollector['infoCache']>> {
    const cached = this.infoCache;
    if (cached && cached.generation === this.infoGeneration && this.now() - cached.fetchedAt < this.deps.infoMaxAgeMs) {
      if (!cached.engineNamed) await this.nameEngine(cached);
      return cached;
    }
    // The images collector needs the image store from /info too: both share one request.
    this.infoInFlight ??= this.fetchInfo().finally(() => {
      this.infoInFlight = undefined;
    });
    return this.infoInFlight;
  }

  private async fetchInfo(): Promise<NonNullable<DaemonCollector['infoCache']>> {
    const generation = this.infoGeneration;
    // /version names the engine; a daemon too old or too odd to answer it is still worth its /info.
    const [response, version] = await Promise.all([this.deps.api.get('/info'), this.deps.api.get('/version').catch(() => undefined)]);
    const named = version ? engineOf(version.body, this.problems) : 'unknown';
    if (named !== 'unknown') this.lastEngine = named;
    const parsed = parseInfo(response.body, this.problems);
    const fresh = {
      info: parsed,
      engine: this.lastEngine,
      engineNamed: named !== 'unknown',
      apiVersion: response.apiVersion,
      fetchedAt: this.now(),
      generation,
    };
    this.infoCache = fresh;
    return fresh;
  }

  /**
   * The images only this host has, from GET /images/json: from cache unless an image event or
   * imagesResyncMs says otherwise. Which images count depends on the image store, from /info.
   */
  private async localOnlyImages(): Promise<number | undefined> {
    const maxAge = this.deps.imagesResyncMs ?? this.deps.infoMaxAgeMs;
    let cached = this.imagesCache;
    if (!cached || cached.generation !== this.imagesGeneration || this.now() - cached.fetchedAt >= maxAge) {
      const generation = this.imagesGeneration;
      const answer = await this.deps.api.get('/images/json');
      cached = this.imagesCache = { body: answer.body, fetchedAt: this.now(), generation };
    }
    // The image store as /info has it: the cached answer, the request in flight, or a new one.
    const current = this.infoCache;
    const fresh =
      current && current.generation === this.infoGeneration && this.now() - current.fetchedAt < this.deps.infoMaxAgeMs
        ? current
        : undefined;
    const containerdStore = (fresh ?? (await (this.infoInFlight ?? this.info()))).info.containerdSnapshotter;
    if (cached.localOnly?.containerdStore !== containerdStore)
      cached.localOnly = { containerdStore, count: localOnlyImageCount(cached.body, containerdStore) };
    return cached.localOnly.count;
  }

  /** Asks /version again for an engine that did not name itself (it failed, or said nothing known). */
  private async nameEngine(cached: NonNullable<DaemonCollector['infoCache']>): Promise<void> {
    const version = await this.deps.api.get('/version').catch(() => undefined);
    const named = version ? engineOf(version.body, this.problems) : 'unknown';
    if (named === 'unknown') return;
    this.lastEngine = named;
    cached.engine = named;
    cached.engineNamed = true;
  }

  private async containers(): Promise<readonly ContainerSummary[]> {
    const known = await this.inventory?.current();
    if (known) return known;
    const list: ContainerSummary[] = [];
    await this.deps.api.getEach('/containers/json?all=1', (entry) => {
      const container = parseContainerEntry(entry, this.problems, this.deps.containerLabels);
      if (container) list.push(container);
    });
    // Podman lists no HostConfig. A one-shot command inspects those containers for their network mode; a
    // scrape while the event stream is down does not (the inventory keeps them once the stream is back).
    if (!this.inventory) await this.inspectNetworkModes(list);
    return list;
  }

  private async inspectNetworkModes(list: ContainerSummary[]): Promise<void> {
    const unknown = list.filter((c) => c.networkMode === 'unknown');
    for (let i = 0; i < unknown.length; i += 8) {
      await Promise.all(
        unknown.slice(i, i + 8).map(async (container) => {
          const inspected = parseContainerInspect(
            (await this.deps.api.get(`/containers/${container.id}/json`)).body,
            this.problems,
            this.deps.containerLabels,
          );
          if (inspected) container.networkMode = inspected.networkMode;
        }),
      );
    }
  }

  private async volumes(): Promise<number> {
    const cached = this.volumeCache;
    if (cached && this.inventory?.connected && cached.generation === this.volumeGeneration) return cached.count;
    const generation = this.volumeGeneration;
    const count = parseVolumeCount((await this.deps.api.get('/volumes')).body, this.problems);
    if (count === undefined) throw new Error('GET /volumes: no volume list in the answer');
    this.volumeCache = { count, generation };
    return count;
  }

  /**
   * The pid file may name another daemon than the one behind --docker.host (a
   * tcp:// daemon, two daemons on one host): then its configuration says
   * nothing about this one. Two daemons cannot share a data root.
   */
  private sameDaemon(config: StorageConfig | undefined, info: EngineInfo | undefined): StorageConfig | undefined {
    if (!config?.known || info?.dockerRootDir === undefined || sameDataRoot(config.dataRoot, info)) return config;
    const reason = `the pid file ${this.deps.storageConfig.pidFile} names dockerd ${config.pid}, which keeps its data in ${config.dataRoot}; the daemon behind --docker.host keeps its data in ${info.dockerRootDir}`;
    return { known: false, reason };
  }

  /** The loop file's filesystem, on loop-lvm only; a failed statfs is logged once and reported as unknown. */
  private loopFilesystem(info: EngineInfo | undefined): { loopFilesystem?: LoopFilesystem } {
    const file = info?.thinPool?.dataLoopFile;
    if (!info?.thinPool?.loopLvm || file === undefined || !this.deps.loopFilesystem) return {};
    const loopFilesystem = this.deps.loopFilesystem(file, info.dockerRootDir);
    if ('error' in loopFilesystem) {
      this.configLog.failed(
        'loop_filesystem',
        `cannot statfs ${loopFilesystem.path}, the directory of the thin pool's loop file (its filesystem's free space is unknown): ${loopFilesystem.error}`,
        'warn',
      );
    } else this.configLog.succeeded('loop_filesystem', "the thin pool loop file's filesystem is readable again");
    return { loopFilesystem };
  }

  /** The thin pool as the kernel sees it, on devicemapper only; a failed read is logged once and reported as unknown. */
  private async kernelPool(info: EngineInfo | undefined): Promise<{ kernelPool?: KernelPoolReading }> {
    const name = info?.thinPool?.poolName;
    if (name === undefined || !this.deps.kernelPool) return {};
    const kernelPool = await this.deps.kernelPool(name);
    if ('error' in kernelPool) {
      this.configLog.failed(
        'kernel_pool',
        `cannot read the thin pool ${name} from the kernel (its figures come from the daemon's /info, rounded; its mode is unknown): ${kernelPool.error}`,
        'warn',
      );
    } else this.configLog.succeeded('kernel_pool', 'the thin pool is readable from the kernel again');
    return { kernelPool };
  }

  private storageConfig(): Promise<StorageConfig> {
    const remote = this.deps.storageConfig.remoteDaemon;
    if (remote !== undefined) {
      return Promise.resolve({
        known: false,
        reason: `the daemon is on another host (${remote}): its command line and daemon.json are not readable from here`,
      });
    }
    return readStorageConfig(this.deps.storageConfig, this.daemonProcess);
  }

  private logStorageConfig(result: StorageConfig | undefined): void {
    if (!result) return;
    if (result.known) this.configLog.succeeded('storage_config', 'storage driver configuration is readable again');
    else
      this.configLog.failed('storage_config', `cannot tell whether the storage driver is explicitly configured: ${result.reason}`, 'warn');
  }
}

/**
 * Whether the data root a dockerd process was started with is the one /info
 * reports: with --userns-remap, /info reports `<data root>/<uid>.<gid>`, the
 * directory that daemon made for the remapped root user.
 */
export function sameDataRoot(configured: string, info: Pick<EngineInfo, 'dockerRootDir' | 'usernsRemap'>): boolean {
  const reported = info.dockerRootDir;
  if (reported === configured) return true;
  return (
    info.usernsRemap === true &&
    reported !== undefined &&
    path.dirname(reported) === configured &&
    REMAPPED_ROOT.test(path.basename(reported))
  );
}
