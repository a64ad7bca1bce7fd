import type { ContainerSummary } from '../parse/containers';
import { byName } from '../util/order';

/** What the exporter has seen containers do since it started: restarts and OOM kills, per host and per container. */
export interface ContainerActivityView {
  /** Restarts seen, every container counted, those since removed too. */
  restartsTotal: number;
  /** OOM kills seen (`oom` events), every container counted. */
  oomKillsTotal: number;
  /**
   * Containers that restarted, the most recently restarted first (then most restarts, then by name):
   * a container looping now is at the top whatever others did over the months. Each count is the
   * container's own since the exporter started, kept while it is off a bounded list, so a series
   * that leaves and comes back resumes where it was and increase() sees only real restarts.
   */
  restarts: { name: string; count: number }[];
  /** Containers the kernel OOM-killed, the last killed first. */
  oomKilled: { name: string; image: string; atSeconds: number }[];
}

interface Known {
  name: string;
  image: string;
  /** RestartCount at the last inspect; undefined before the first. */
  restartCount?: number;
  restarts: number;
  /** Unix seconds when a restart was last seen (its event's time, or the inspect's that showed it). */
  lastRestart?: number;
  /** Unix seconds of the last OOM kill. */
  lastOomKill?: number;
}

/**
 * Restarts and OOM kills from the daemon's events and inspects, in the
 * exporter's lifetime. A restart is either the restart policy's (moby
 * daemon/monitor.go: RestartCount++ before the `die` event; the inspect the
 * event brings shows it) or `docker restart` (a `restart` event; a manual
 * start resets RestartCount to 0, daemon/start.go ResetRestartManager). So:
 * increases of RestartCount between two inspects, plus `restart` events.
 * A container's first inspect only sets where its RestartCount starts:
 * the list, all a container existing at start has until its first event,
 * carries no RestartCount.
 */
export class ContainerActivity {
  private readonly containers = new Map<string, Known>();
  private restartsTotal = 0;
  private oomKillsTotal = 0;
  /** The last view, the same object until something changes: every collection asks, events are rare. */
  private viewed: ContainerActivityView | undefined;

  constructor(private readonly nowSeconds: () => number = () => Date.now() / 1000) {}

  /** A container as an inspect shows it (after any event that names it). */
  noteInspect(container: ContainerSummary): void {
    this.viewed = undefined;
    const known = this.known(container.id, container.name, container.image);
    known.name = container.name;
    known.image = container.image;
    const count = container.restartCount;
    if (count === undefined) return;
    if (known.restartCount !== undefined && count > known.restartCount) {
      known.restarts += count - known.restartCount;
      this.restartsTotal += count - known.restartCount;
      known.lastRestart = this.nowSeconds();
    }
    known.restartCount = count;
  }

  /** A container event: `restart` and `oom` count here; `destroy` forgets the container (its restarts stay in the total). */
  noteEvent(action: string, id: string, attributes: { name?: string; image?: string }, atSeconds: number): void {
    if (action !== 'destroy' && action !== 'restart' && action !== 'oom') return;
    this.viewed = undefined;
    if (action === 'destroy') {
      this.containers.delete(id);
      return;
    }
    const known = this.known(id, attributes.name ?? id.slice(0, 12), attributes.image ?? '');
    if (action === 'restart') {
      known.restarts++;
      this.restartsTotal++;
      known.lastRestart = Math.max(known.lastRestart ?? 0, atSeconds);
    } else {
      known.lastOomKill = atSeconds;
      this.oomKillsTotal++;
    }
  }

  /** A container the daemon no longer has (an inspect's 404): its record goes, its restarts stay in the total. */
  forget(id: string): void {
    if (this.containers.delete(id)) this.viewed = undefined;
  }

  /**
   * After a fresh list: records of containers not on it go. Destroy events missed while the event
   * stream was down would otherwise leave series for containers that no longer exist, and the records
   * would grow without bound.
   */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.containers.keys()) if (!ids.has(id)) this.forget(id);
  }

  view(): ContainerActivityView {
    return (this.viewed ??= this.counted());
  }

  private counted(): ContainerActivityView {
    const all = [...this.containers.values()];
    return {
      restartsTotal: this.restartsTotal,
      oomKillsTotal: this.oomKillsTotal,
      restarts: all
        .filter((c) => c.restarts > 0)
        .sort((a, b) => (b.lastRestart ?? 0) - (a.lastRestart ?? 0) || b.restarts - a.restarts || byName(a, b))
        .map((c) => ({ name: c.name, count: c.restarts })),
      oomKilled: all
        .filter((c): c is Known & { lastOomKill: number } => c.lastOomKill !== undefined)
        .sort((a, b) => b.lastOomKill - a.lastOomKill || byName(a, b))
        .map((c) => ({ name: c.name, image: c.image, atSeconds: c.lastOomKill })),
    };
  }

  private known(id: string, name: string, image: string): Known {
    let known = this.containers.get(id);
    if (!known) this.containers.set(id, (known = { name, image, restarts: 0 }));
    return known;
  }
}
