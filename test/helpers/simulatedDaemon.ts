import type { ServerResponse } from 'node:http';
import { classifyNetworkMode } from '../../src/parse/networkMode';
import { json, Route } from './replayServer';

export type SimState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

interface SimContainer {
  Id: string;
  Name: string;
  Image: string;
  State: SimState;
  NetworkMode: string;
}

export interface SimulatedDaemonOptions {
  /** Events are held and written together this often: a daemon under load delivers them in bursts. */
  burstEveryMs: number;
  /**
   * How long after a change GET /containers/json shows it. dockerd announces
   * a change before it updates the view its list reads (moby v20.10.24
   * daemon/monitor.go: the "die" event, then CheckpointTo(containersReplica));
   * here the lag is long, so a list sent on an event is always stale.
   */
  listLagMs: number;
  info?: Record<string, unknown>;
}

/**
 * A Docker daemon's containers as a model, served over the Engine API by a
 * ReplayServer: GET /containers/json (lagging), GET /containers/{id}/json (current),
 * and an event stream delivered in bursts. The model is the truth a test
 * compares the exporter with.
 */
export class SimulatedDaemon {
  private readonly live = new Map<string, SimContainer>();
  private readonly listed = new Map<string, SimContainer>();
  private pending: string[] = [];
  private readonly subscribers = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private flusher: NodeJS.Timeout | undefined;
  private serial = 0;

  constructor(private readonly options: SimulatedDaemonOptions) {}

  start(): void {
    this.flusher = setInterval(() => this.flush(), this.options.burstEveryMs);
  }

  stop(): void {
    clearInterval(this.flusher);
    for (const timer of this.timers) clearTimeout(timer);
    for (const res of this.subscribers) res.destroy();
  }

  /** Creates a container; returns its id. */
  create(name: string, networkMode: string, image = 'busybox:sim'): string {
    const id = (++this.serial).toString(16).padStart(8, '0').repeat(8);
    this.change({ Id: id, Name: name, Image: image, State: 'created', NetworkMode: networkMode }, 'create');
    return id;
  }

  ids(): string[] {
    return [...this.live.keys()];
  }

  state(id: string): SimState | undefined {
    return this.live.get(id)?.State;
  }

  /** A state change and the event the daemon sends for it (`die` for an exit, `pause`, …). */
  transition(id: string, action: string, state: SimState): void {
    const container = this.live.get(id);
    if (!container) throw new Error(`no container ${id}`);
    this.change({ ...container, State: state }, action);
  }

  rename(id: string, name: string): void {
    const container = this.live.get(id);
    if (!container) throw new Error(`no container ${id}`);
    this.change({ ...container, Name: name }, 'rename');
  }

  destroy(id: string): void {
    const container = this.live.get(id);
    if (!container) throw new Error(`no container ${id}`);
    this.live.delete(id);
    this.announce(container, 'destroy');
    this.later(() => this.listed.delete(id));
  }

  /** The truth: "state/network_mode" → count, as docker_containers should say. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.live.values()) {
      const key = `${c.State}/${classifyNetworkMode(c.NetworkMode)}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return out;
  }

  routes(): Record<string, Route> {
    return {
      '/info': json(
        this.options.info ?? { ServerVersion: '24.0.7', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Images: 1 },
      ),
      '/volumes': json({ Volumes: [], Warnings: null }),
      '/containers/json': (req, res) => {
        const filters = new URL(req.url ?? '/', 'http://d').searchParams.get('filters');
        const wanted = filters ? ((JSON.parse(filters) as { id?: string[] }).id ?? []) : undefined;
        const entries = [...this.listed.values()].filter((c) => !wanted || wanted.some((w) => c.Id.startsWith(w)));
        json(
          entries.map((c) => ({
            Id: c.Id,
            Names: [`/${c.Name}`],
            Image: c.Image,
            State: c.State,
            HostConfig: { NetworkMode: c.NetworkMode },
          })),
        )(req, res);
      },
      '/containers/*/json': (req, res) => {
        const id = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('/')[2] ?? '';
        const c = [...this.live.values()].find((x) => x.Id.startsWith(id) || x.Name === id);
        if (!c) {
          res.statusCode = 404;
          json({ message: `No such container: ${id}` })(req, res);
          return;
        }
        json({
          Id: c.Id,
          Name: `/${c.Name}`,
          State: { Status: c.State },
          Config: { Image: c.Image },
          HostConfig: { NetworkMode: c.NetworkMode },
        })(req, res);
      },
      '/events': (_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.flushHeaders();
        this.subscribers.add(res);
        res.on('close', () => this.subscribers.delete(res));
      },
    };
  }

  private change(next: SimContainer, action: string): void {
    this.live.set(next.Id, next);
    this.announce(next, action);
    const copy = { ...next };
    this.later(() => this.listed.set(copy.Id, copy));
  }

  private announce(c: SimContainer, action: string): void {
    const now = Date.now();
    this.pending.push(
      JSON.stringify({
        Type: 'container',
        Action: action,
        Actor: { ID: c.Id, Attributes: { name: c.Name, image: c.Image } },
        scope: 'local',
        time: Math.floor(now / 1000),
        timeNano: now * 1e6,
      }),
    );
  }

  private later(task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, this.options.listLagMs);
    this.timers.add(timer);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const burst = `${this.pending.join('\n')}\n`;
    this.pending = [];
    for (const res of this.subscribers) res.write(burst);
  }
}
