import {
  exitOfStatusText,
  failedExitsFirst,
  ContainerSummary,
  healthOfInspect,
  healthOfStatusText,
  parseContainerEntry,
  parseContainerInspect,
  parseVolumeCount,
} from '../../../src/parse/containers';
import type { ParseProblems } from '../../../src/parse/problems';

/** A list as the exporter reads it, element by element. */
function parseContainerList(raw: unknown[], problems: ParseProblems): ContainerSummary[] {
  return raw.map((entry) => parseContainerEntry(entry, problems)).filter((c): c is ContainerSummary => c !== undefined);
}
import { ProblemList } from '../../../src/parse/problems';

describe('parseContainerList', () => {
  it('reads name without its slash, image, state and network mode', () => {
    const problems = new ProblemList();
    const list = parseContainerList(
      [
        {
          Id: 'a'.repeat(64),
          Names: ['/web'],
          Image: 'nginx:1',
          State: 'running',
          Status: 'Up 3 minutes (healthy)',
          HostConfig: { NetworkMode: 'host' },
        },
        { Id: 'b'.repeat(64), Names: ['/db'], Image: 'pg', State: 'exited', HostConfig: { NetworkMode: 'default' } },
      ],
      problems,
    );
    expect(problems.items).toEqual([]);
    expect(list).toEqual([
      { id: 'a'.repeat(64), name: 'web', image: 'nginx:1', state: 'running', networkMode: 'host', health: 'healthy' },
      { id: 'b'.repeat(64), name: 'db', image: 'pg', state: 'exited', networkMode: 'bridge', health: 'none' },
    ]);
  });

  it('keeps a malformed entry as unknown and counts what was wrong', () => {
    const problems = new ProblemList();
    const list = parseContainerList([{ Id: 'c'.repeat(64), Names: 7, State: 5, HostConfig: { NetworkMode: 3 } }, 'junk'], problems);
    expect(list).toEqual([
      { id: 'c'.repeat(64), name: 'cccccccccccc', image: '', state: 'unknown', networkMode: 'unknown', health: 'none' },
    ]);
    expect(problems.items.map((p) => p.field).sort()).toEqual([
      'containers',
      'containers.HostConfig.NetworkMode',
      'containers.HostConfig.NetworkMode',
      'containers.Names',
      'containers.State',
      'containers.State',
    ]);
  });

  it('takes a list without HostConfig (Podman) quietly, network mode unknown until inspected', () => {
    const problems = new ProblemList();
    const list = parseContainerList([{ Id: 'd'.repeat(64), Names: ['/pod'], Image: 'busybox', State: 'running' }], problems);
    expect(list).toEqual([{ id: 'd'.repeat(64), name: 'pod', image: 'busybox', state: 'running', networkMode: 'unknown', health: 'none' }]);
    expect(problems.items).toEqual([]);
  });
});

describe('container health', () => {
  it("reads the list's status text as moby writes it for a running container, and nothing for any other", () => {
    expect(healthOfStatusText('running', 'Up 2 minutes (healthy)')).toBe('healthy');
    expect(healthOfStatusText('running', 'Up 14 seconds (unhealthy)')).toBe('unhealthy');
    expect(healthOfStatusText('running', 'Up 1 second (health: starting)')).toBe('starting');
    expect(healthOfStatusText('running', 'Up 5 minutes')).toBe('none');
    expect(healthOfStatusText('paused', 'Up 5 minutes (Paused)')).toBe('none');
    expect(healthOfStatusText('exited', 'Exited (1) 3 seconds ago')).toBe('none');
    expect(healthOfStatusText('running', undefined)).toBe('none');
    // A container named "(healthy)" does not appear in the status text; a status that merely mentions it mid-way does not count.
    expect(healthOfStatusText('running', 'Up (healthy) 5 minutes')).toBe('none');
  });

  it("reads an inspect's State.Health.Status for a running container only: a stopped one keeps its last status, no longer true", () => {
    expect(healthOfInspect('running', { Status: 'unhealthy', FailingStreak: 3 })).toBe('unhealthy');
    expect(healthOfInspect('running', { Status: 'starting' })).toBe('starting');
    expect(healthOfInspect('exited', { Status: 'unhealthy' })).toBe('none');
    expect(healthOfInspect('running', undefined)).toBe('none');
    expect(healthOfInspect('running', { Status: 'bogus' })).toBe('none');
  });

  it('takes RestartCount and health from an inspect', () => {
    const problems = new ProblemList();
    const container = parseContainerInspect(
      {
        Id: 'e'.repeat(64),
        Name: '/loop',
        RestartCount: 4,
        State: { Status: 'running', Health: { Status: 'healthy' } },
        Config: { Image: 'busybox' },
        HostConfig: { NetworkMode: 'default' },
      },
      problems,
    );
    expect(container).toEqual({
      id: 'e'.repeat(64),
      name: 'loop',
      image: 'busybox',
      state: 'running',
      networkMode: 'bridge',
      health: 'healthy',
      restartCount: 4,
    });
    expect(problems.items).toEqual([]);
  });
});

describe('parseVolumeCount', () => {
  it('counts volumes, and reads null as none', () => {
    expect(parseVolumeCount({ Volumes: [{ Name: 'a' }, { Name: 'b' }], Warnings: null }, new ProblemList())).toBe(2);
    expect(parseVolumeCount({ Volumes: null }, new ProblemList())).toBe(0);
    expect(parseVolumeCount({ Volumes: 'x' }, new ProblemList())).toBeUndefined();
  });
});

describe("an exited container's code and when, from the list's Status text", () => {
  it('reads the code and the age in the words moby writes (go-units HumanDuration)', () => {
    expect(exitOfStatusText('exited', 'Exited (137) 5 minutes ago')).toEqual({ exitCode: 137, agoSeconds: 300 });
    expect(exitOfStatusText('exited', 'Exited (0) Less than a second ago')).toEqual({ exitCode: 0, agoSeconds: 0 });
    expect(exitOfStatusText('exited', 'Exited (1) About an hour ago')).toEqual({ exitCode: 1, agoSeconds: 3600 });
    expect(exitOfStatusText('exited', 'Exited (3) About a minute ago')).toEqual({ exitCode: 3, agoSeconds: 60 });
    expect(exitOfStatusText('exited', 'Exited (-1) 2 weeks ago')).toEqual({ exitCode: -1, agoSeconds: 1209600 });
    expect(exitOfStatusText('exited', 'Exited (2) sometime ago')).toEqual({ exitCode: 2 });
  });
  it('is nothing for other states and texts', () => {
    expect(exitOfStatusText('running', 'Up 5 minutes')).toBeUndefined();
    expect(exitOfStatusText('created', 'Created')).toBeUndefined();
    expect(exitOfStatusText('exited', undefined)).toBeUndefined();
    expect(exitOfStatusText('exited', 'Exited')).toBeUndefined();
  });
  it("orders the failed ones: exact exit times, the latest first, then the list's ages, the youngest first; code 0 and running ones left out", () => {
    const c = (name: string, state: string, exitCode: number | undefined, exited?: ContainerSummary['exited']): ContainerSummary => ({
      id: name,
      name,
      image: 'i',
      state,
      networkMode: 'bridge',
      health: 'none',
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(exited ? { exited } : {}),
    });
    const all = [
      c('old-listed', 'exited', 1, { agoSeconds: 7200 }),
      c('new-listed', 'exited', 2, { agoSeconds: 60 }),
      c('inspected-early', 'exited', 3, { at: 1000 }),
      c('inspected-late', 'exited', 4, { at: 2000 }),
      c('clean', 'exited', 0, { at: 3000 }),
      c('running', 'running', undefined),
      c('no-age', 'exited', 5),
    ];
    expect(failedExitsFirst(all, 10).map((x) => x.name)).toEqual([
      'inspected-late',
      'inspected-early',
      'new-listed',
      'old-listed',
      'no-age',
    ]);
    expect(failedExitsFirst(all, 2).map((x) => x.name)).toEqual(['inspected-late', 'inspected-early']);
  });
});
