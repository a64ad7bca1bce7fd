import type { Logger } from 'winston';
import { EngineApi, EngineError, EngineStream } from './engineApi';
import { ContainerSummary, parseContainerEntry, parseContainerInspect } from '../parse/containers';
import type { ContainerActivity } from './containerActivity';
import { isObject, ParseProblems } from '../parse/problems';
import { errorMessage } from '../util/errors';

/** Container events that can change a container's state, name, image or network mode. */
const CONTAINER_ACTIONS = new Set([
  'create',
  'start',
  'restart',
  'stop',
  'die',
  'kill',
  'oom',
  'pause',
  'unpause',
  'destroy',
  'rename',
  'update',
]);
/**
 * A health check's result changed: Docker's action is "health_status: healthy" (with the status),
 * Podman's "health_status" (the status in Actor.Attributes).
 */
const HEALTH_STATUS_ACTION = /^health_status(:|$)/;
/** Network events name the container in Actor.Attributes.container. */
const NETWORK_ACTIONS = new Set(['connect', 'disconnect']);

const EVENTS_PATH =
  `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container', 'network', 'image', 'volume', 'daemon'] }))}` as const;

/**
 * Container inspects sent to the daemon at once (after a burst of events, or by plan): enough to hide
 * the round trips, bounded so that a burst never floods the daemon.
 */
export const INSPECTS_IN_FLIGHT = 8;

const CONTAINER_ID = /^[0-9a-f]{12,64}$/;

export interface InventoryOptions {
  api: EngineApi;
  logger: Logger;
  problems: ParseProblems;
  /** The container labels kept with each container (--collector.container-labels). */
  containerLabels?: readonly string[];
  /** Told of every container event and inspect: restarts and OOM kills are counted there. */
  activity?: ContainerActivity;
  /** Called when an event makes a cached /info or /volumes answer stale. */
  invalidate(what: 'info' | 'volumes' | 'images'): void;
  /** How long a reader waits for the events received so far to be applied (the daemon request deadline). */
  maxWaitMs: number;
  resyncEveryMs?: number;
  maxBackoffMs?: number;
}

/**
 * The daemon's containers, kept current from its event stream: one full list
 * when the stream opens (and every few minutes), then one inspect per
 * container an event names. Listing thousands of containers costs dockerd
 * real work; a scrape should not.
 *
 * Why inspect and not a filtered list: dockerd announces a state change before
 * it copies the container into the in-memory view that GET /containers/json
 * reads (moby v20.10.24 daemon/monitor.go handleContainerExit logs "die", then
 * calls CheckpointTo(containersReplica); daemon/pause.go the same for "pause"),
 * so a list sent on the event still shows the old state. Inspect
 * (daemon/inspect.go ContainerInspectCurrent) reads the container itself under
 * its lock, which the state change holds: it shows the new state.
 *
 * While the stream is down the inventory says it does not know, and the
 * collector lists at scrape time instead.
 */
export class ContainerInventory {
  private readonly containers = new Map<string, ContainerSummary>();
  /**
   * The list readers get, the same array until a container changes: the metrics count 10,000 containers
   * only when one of them changed, not at every scrape (what they made of the same array still holds).
   */
  private listed: ContainerSummary[] | undefined;
  private synced = false;
  private readonly dirty = new Set<string>();
  private work: Promise<void> = Promise.resolve();
  private stream: EngineStream | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private stopped = false;
  private epoch = 0;

  constructor(private readonly options: InventoryOptions) {
    this.backoffMs = this.firstBackoffMs;
  }

  private get firstBackoffMs(): number {
    return Math.min(1000, this.options.maxBackoffMs ?? 30000);
  }

  get connected(): boolean {
    return this.stream !== undefined && this.synced;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.resyncTimer);
    this.stream?.close();
  }

  /**
   * The containers once every event received so far is applied (waiting at
   * most maxWaitMs for a slow daemon); undefined while the stream is down.
   */
  async current(): Promise<readonly ContainerSummary[] | undefined> {
    if (!this.synced) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.maxWaitMs);
    });
    await Promise.race([this.work, waited]);
    clearTimeout(timer);
    // The stream may have dropped while waiting: synced is read again, whatever the narrowing above says.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    if (!this.synced) return undefined;
    return (this.listed ??= [...this.containers.values()]);
  }

  private keep(container: ContainerSummary): void {
    this.containers.set(container.id, container);
    this.listed = undefined;
  }

  private forget(id: string): void {
    this.containers.delete(id);
    this.listed = undefined;
  }

  private forgetAll(): void {
    this.containers.clear();
    this.listed = undefined;
  }

  private connect(): void {
    if (this.stopped) return;
    const epoch = ++this.epoch;
    this.stream = this.options.api.stream(EVENTS_PATH, {
      onOpen: () => {
        this.backoffMs = this.firstBackoffMs;
        this.options.logger.debug('subscribed to daemon events');
        this.options.invalidate('info');
        this.options.invalidate('volumes');
        this.options.invalidate('images');
        this.enqueue(() => this.resync(epoch));
        clearInterval(this.resyncTimer);
        this.resyncTimer = setInterval(() => this.enqueue(() => this.resync(epoch)), this.options.resyncEveryMs ?? 5 * 60 * 1000);
        this.resyncTimer.unref();
      },
      onEvent: (event) => this.onEvent(event, epoch),
      onClose: (reason) => {
        if (epoch !== this.epoch) return;
        this.stream = undefined;
        this.synced = false;
        this.forgetAll();
        this.dirty.clear();
        clearInterval(this.resyncTimer);
        this.options.invalidate('info');
        this.options.invalidate('volumes');
        this.options.invalidate('images');
        if (this.stopped) return;
        this.options.logger.debug('daemon event stream closed; listing at scrape time until it is back', {
          reason,
          retry_ms: this.backoffMs,
        });
        this.retryTimer = setTimeout(() => this.connect(), this.backoffMs);
        this.retryTimer.unref();
        this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 30000);
      },
    });
  }

  private onEvent(event: unknown, epoch: number): void {
    if (!isObject(event)) return this.options.problems.report('events', 'event is not an object');
    const type = event['Type'];
    const action = typeof event['Action'] === 'string' ? event['Action'] : '';
    if (type === 'image' || (type === 'daemon' && action === 'reload')) this.options.invalidate('info');
    if (type === 'image') this.options.invalidate('images');
    if (type === 'volume') this.options.invalidate('volumes');
    const actor = isObject(event['Actor']) ? event['Actor'] : {};
    let id: unknown;
    if (type === 'container' && (CONTAINER_ACTIONS.has(action) || HEALTH_STATUS_ACTION.test(action))) id = actor['ID'];
    else if (type === 'network' && NETWORK_ACTIONS.has(action))
      id = isObject(actor['Attributes']) ? actor['Attributes']['container'] : undefined;
    else return;
    if (typeof id !== 'string' || !CONTAINER_ID.test(id)) return this.options.problems.report(`events.${type}`, 'no container id');
    if (type === 'container' && this.options.activity) {
      const attributes = isObject(actor['Attributes']) ? actor['Attributes'] : {};
      const text = (key: string) => (typeof attributes[key] === 'string' ? attributes[key] : undefined);
      const name = text('name');
      const image = text('image');
      const time = typeof event['time'] === 'number' ? event['time'] : Date.now() / 1000;
      this.options.activity.noteEvent(action, id, { ...(name ? { name } : {}), ...(image ? { image } : {}) }, time);
    }
    if (action === 'destroy' && type === 'container') {
      // In the queue, so that an inspect already on its way cannot bring the container back.
      this.dirty.delete(id);
      const gone = id;
      this.enqueue(() => {
        if (epoch === this.epoch) this.forget(gone);
        return Promise.resolve();
      });
      return;
    }
    this.dirty.add(id);
    this.enqueue(() => this.refreshDirty(epoch));
  }

  /** Work runs one piece at a time, in order: a resync and the events after it never interleave. */
  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((err: unknown) => {
      this.options.logger.debug('container inventory update failed; resyncing', { err: errorMessage(err) });
      this.synced = false;
      this.stream?.close();
    });
  }

  private async resync(epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.stream) return;
    const list: ContainerSummary[] = [];
    await this.options.api.getEach('/containers/json?all=1', (entry) => {
      const container = parseContainerEntry(entry, this.options.problems, this.options.containerLabels);
      if (container) list.push(container);
    });
    if (epoch !== this.epoch) return;
    this.options.activity?.keepOnly(new Set(list.map((c) => c.id)));
    const previous = new Map(this.containers);
    this.forgetAll();
    for (const container of list) {
      // Podman's list has no HostConfig: its network mode comes from one inspect per container, kept from then on.
      const known = previous.get(container.id);
      if (container.networkMode === 'unknown' && known && known.networkMode !== 'unknown') container.networkMode = known.networkMode;
      else if (container.networkMode === 'unknown') this.dirty.add(container.id);
      this.keep(container);
    }
    this.synced = true;
    await this.refreshDirty(epoch);
  }

  private async refreshDirty(epoch: number): Promise<void> {
    while (this.dirty.size > 0 && epoch === this.epoch) {
      const ids = [...this.dirty].slice(0, INSPECTS_IN_FLIGHT);
      for (const id of ids) this.dirty.delete(id);
      await Promise.all(ids.map((id) => this.inspect(id, epoch)));
    }
  }

  private async inspect(id: string, epoch: number): Promise<void> {
    let body: unknown;
    try {
      body = (await this.options.api.get(`/containers/${id}/json`)).body;
    } catch (err) {
      if (!(err instanceof EngineError && err.status === 404)) throw err;
      if (epoch === this.epoch) this.forget(id);
      this.options.activity?.forget(id);
      return;
    }
    if (epoch !== this.epoch) return;
    const container = parseContainerInspect(body, this.options.problems, this.options.containerLabels);
    if (!container) return;
    this.keep(container);
    this.options.activity?.noteInspect(container);
  }
}
