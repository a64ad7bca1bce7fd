import type { Logger } from 'winston';
import type { EngineApi, EngineStream } from './docker/engineApi';
import { ContainerSummary, parseContainerList } from './parse/containers';
import { isObject, ParseProblems } from './parse/problems';

/** Container events that can change a container's state, name or network mode. */
const STATE_ACTIONS = new Set(['create', 'start', 'restart', 'stop', 'die', 'kill', 'oom', 'pause', 'unpause', 'destroy', 'rename', 'update']);

const EVENTS_PATH = `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container', 'image', 'volume', 'daemon'] }))}` as const;

export interface InventoryOptions {
  api: EngineApi;
  logger: Logger;
  problems: ParseProblems;
  /** Called when an event makes a cached /info or /volumes answer stale. */
  invalidate(what: 'info' | 'volumes'): void;
  resyncEveryMs?: number;
  maxBackoffMs?: number;
}

/**
 * The daemon's containers, kept current from its event stream: one full list
 * when the stream opens (and now and then), then one small filtered list per
 * burst of events. Listing 1,000 containers costs dockerd ~100 ms; a scrape
 * should not. While the stream is down the inventory says it does not know,
 * and the collector lists at scrape time instead.
 */
export class ContainerInventory {
  private readonly containers = new Map<string, ContainerSummary>();
  private synced = false;
  private readonly dirty = new Set<string>();
  private work: Promise<void> = Promise.resolve();
  private stream: EngineStream | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private backoffMs = 1000;
  private stopped = false;
  private epoch = 0;

  constructor(private readonly options: InventoryOptions) {}

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

  /** The containers, once every event received so far is applied; undefined while the stream is down. */
  async current(): Promise<ContainerSummary[] | undefined> {
    if (!this.synced) return undefined;
    await this.work;
    return this.synced ? [...this.containers.values()] : undefined;
  }

  private connect(): void {
    if (this.stopped) return;
    const epoch = ++this.epoch;
    this.stream = this.options.api.stream(EVENTS_PATH, {
      onOpen: () => {
        this.backoffMs = 1000;
        this.options.logger.debug('subscribed to daemon events');
        this.options.invalidate('info');
        this.options.invalidate('volumes');
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
        this.containers.clear();
        this.dirty.clear();
        clearInterval(this.resyncTimer);
        this.options.invalidate('info');
        this.options.invalidate('volumes');
        if (this.stopped) return;
        this.options.logger.debug('daemon event stream closed; listing at scrape time until it is back', { reason, retry_ms: this.backoffMs });
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
    if (type === 'volume') this.options.invalidate('volumes');
    if (type !== 'container' || !STATE_ACTIONS.has(action)) return;
    const actor = event['Actor'];
    const id = isObject(actor) && typeof actor['ID'] === 'string' ? actor['ID'] : undefined;
    if (!id || !/^[0-9a-f]{12,64}$/.test(id)) return this.options.problems.report('events.Actor.ID', 'not a container id');
    if (action === 'destroy') {
      this.containers.delete(id);
      this.dirty.delete(id);
      return;
    }
    this.dirty.add(id);
    this.enqueue(() => this.refreshDirty(epoch));
  }

  /** Work runs one piece at a time, in order: a resync and the events after it never interleave. */
  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((err: unknown) => {
      this.options.logger.debug('container inventory update failed; resyncing', { err: err instanceof Error ? err.message : String(err) });
      this.synced = false;
      this.stream?.close();
    });
  }

  private async resync(epoch: number): Promise<void> {
    if (epoch !== this.epoch || !this.stream) return;
    const { body } = await this.options.api.get('/containers/json?all=1');
    if (epoch !== this.epoch) return;
    const list = parseContainerList(body, this.options.problems);
    this.containers.clear();
    for (const container of list) this.containers.set(container.id, container);
    this.synced = true;
  }

  private async refreshDirty(epoch: number): Promise<void> {
    if (this.dirty.size === 0 || epoch !== this.epoch) return;
    const ids = [...this.dirty].slice(0, 100);
    for (const id of ids) this.dirty.delete(id);
    const filters = encodeURIComponent(JSON.stringify({ id: ids }));
    const { body } = await this.options.api.get(`/containers/json?all=1&filters=${filters}`);
    if (epoch !== this.epoch) return;
    const found = new Map(parseContainerList(body, this.options.problems).map((c) => [c.id, c]));
    for (const id of ids) {
      const match = [...found.values()].find((c) => c.id.startsWith(id));
      if (match) this.containers.set(match.id, match);
      else this.containers.delete(id);
    }
    if (this.dirty.size > 0) await this.refreshDirty(epoch);
  }
}
