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

  it('orders the most restarted first, then by name; a destroyed container leaves its list but not the total', () => {
    const activity = new ContainerActivity();
    for (const [id, name, times] of [
      ['1', 'b', 2],
      ['2', 'a', 2],
      ['3', 'c', 5],
    ] as const) {
      for (let i = 0; i < times; i++) activity.noteEvent('restart', id, { name }, i);
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
