import { ContainerActivity } from '../../../src/docker/containerActivity';
import type { ContainerSummary } from '../../../src/parse/containers';

const inspected = (id: string, name: string, restartCount: number): ContainerSummary => ({
  id,
  name,
  image: 'busybox',
  state: 'running',
  networkMode: 'bridge',
  health: 'none',
  restartCount,
});

describe('ContainerActivity', () => {
  it("counts the restart policy's restarts as RestartCount grows between inspects, from the first inspect on", () => {
    const activity = new ContainerActivity();
    activity.noteInspect(inspected('a', 'loop', 2));
    activity.noteInspect(inspected('a', 'loop', 3));
    // Two restarts between two looks (events coalesced into one inspect): both counted.
    activity.noteInspect(inspected('a', 'loop', 5));
    expect(activity.view()).toMatchObject({ restartsTotal: 3, restarts: [{ name: 'loop', count: 3 }] });
  });

  it('counts docker restart by its event, and starts again from 0 when a manual start resets RestartCount', () => {
    const activity = new ContainerActivity();
    activity.noteInspect(inspected('b', 'web', 7));
    activity.noteEvent('restart', 'b', { name: 'web', image: 'nginx' }, 100);
    activity.noteInspect(inspected('b', 'web', 0));
    activity.noteInspect(inspected('b', 'web', 1));
    expect(activity.view()).toMatchObject({ restartsTotal: 2, restarts: [{ name: 'web', count: 2 }] });
  });

  it('orders the most recently restarted first: a container looping now heads the list, whatever others did before', () => {
    let now = 1000;
    const activity = new ContainerActivity(() => now);
    // Two containers that restarted 12 times each, long ago.
    for (const [id, name] of [
      ['1', 'old-a'],
      ['2', 'old-b'],
    ] as const) {
      for (let i = 0; i < 12; i++) activity.noteEvent('restart', id, { name }, 100 + i);
    }
    // Then one in a restart loop (the restart policy's: RestartCount grows between inspects).
    activity.noteInspect(inspected('3', 'looping', 0));
    for (let i = 1; i <= 3; i++) {
      now += 10;
      activity.noteInspect(inspected('3', 'looping', i));
    }
    // With --collector.restarts.max-series=2, the looping one has its series (under "most restarts first" it had none).
    expect(activity.view().restarts.slice(0, 2)).toEqual([
      { name: 'looping', count: 3 },
      { name: 'old-a', count: 12 },
    ]);
  });

  it("keeps a container's count while it is off the list: back on it, it resumes (no restart invented, none lost)", () => {
    let now = 1000;
    const activity = new ContainerActivity(() => now);
    for (let i = 0; i < 4; i++) activity.noteEvent('restart', 'a', { name: 'a' }, 10 + i);
    activity.noteEvent('restart', 'b', { name: 'b' }, 20);
    expect(activity.view().restarts[0]).toEqual({ name: 'b', count: 1 });
    now = 2000;
    activity.noteEvent('restart', 'a', { name: 'a' }, 30);
    expect(activity.view().restarts[0]).toEqual({ name: 'a', count: 5 });
  });

  it('forgets containers an inspect found gone, and those a fresh list no longer has; their restarts stay in the total', () => {
    const activity = new ContainerActivity();
    activity.noteEvent('restart', 'a', { name: 'a' }, 1);
    activity.noteEvent('restart', 'b', { name: 'b' }, 2);
    activity.noteEvent('oom', 'c', { name: 'c', image: 'x' }, 3);
    activity.forget('b');
    expect(activity.view().restarts.map((r) => r.name)).toEqual(['a']);
    activity.keepOnly(new Set(['z']));
    expect(activity.view()).toMatchObject({ restarts: [], oomKilled: [], restartsTotal: 2, oomKillsTotal: 1 });
  });

  it('orders equally recent restarts by count, then by name; a destroyed container leaves its list but not the total', () => {
    const activity = new ContainerActivity();
    for (const [id, name, times] of [
      ['1', 'b', 2],
      ['2', 'a', 2],
      ['3', 'c', 5],
    ] as const) {
      // The last restart of each at the same second.
      for (let i = 0; i < times; i++) activity.noteEvent('restart', id, { name }, 10 - times + i + 1);
    }
    expect(activity.view().restarts).toEqual([
      { name: 'c', count: 5 },
      { name: 'a', count: 2 },
      { name: 'b', count: 2 },
    ]);
    activity.noteEvent('destroy', '3', { name: 'c' }, 10);
    expect(activity.view().restarts.map((r) => r.name)).toEqual(['a', 'b']);
    expect(activity.view().restartsTotal).toBe(9);
  });

  it('counts oom events and lists the containers killed, the last killed first', () => {
    const activity = new ContainerActivity();
    activity.noteEvent('oom', 'x', { name: 'hog', image: 'busybox' }, 50);
    activity.noteEvent('oom', 'y', { name: 'eater', image: 'alpine' }, 70);
    activity.noteEvent('oom', 'x', { name: 'hog', image: 'busybox' }, 60);
    activity.noteEvent('die', 'x', { name: 'hog' }, 61);
    expect(activity.view()).toMatchObject({
      oomKillsTotal: 3,
      restartsTotal: 0,
      oomKilled: [
        { name: 'eater', image: 'alpine', atSeconds: 70 },
        { name: 'hog', image: 'busybox', atSeconds: 60 },
      ],
    });
  });
});
