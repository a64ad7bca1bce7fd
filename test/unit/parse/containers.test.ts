import { ContainerSummary, parseContainerEntry, parseVolumeCount } from '../../../src/parse/containers';
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
        { Id: 'a'.repeat(64), Names: ['/web'], Image: 'nginx:1', State: 'running', HostConfig: { NetworkMode: 'host' } },
        { Id: 'b'.repeat(64), Names: ['/db'], Image: 'pg', State: 'exited', HostConfig: { NetworkMode: 'default' } },
      ],
      problems,
    );
    expect(problems.items).toEqual([]);
    expect(list).toEqual([
      { id: 'a'.repeat(64), name: 'web', image: 'nginx:1', state: 'running', networkMode: 'host' },
      { id: 'b'.repeat(64), name: 'db', image: 'pg', state: 'exited', networkMode: 'bridge' },
    ]);
  });

  it('keeps a malformed entry as unknown and counts what was wrong', () => {
    const problems = new ProblemList();
    const list = parseContainerList([{ Id: 'c'.repeat(64), Names: 7, State: 5, HostConfig: { NetworkMode: 3 } }, 'junk'], problems);
    expect(list).toEqual([{ id: 'c'.repeat(64), name: 'cccccccccccc', image: '', state: 'unknown', networkMode: 'unknown' }]);
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
    expect(list).toEqual([{ id: 'd'.repeat(64), name: 'pod', image: 'busybox', state: 'running', networkMode: 'unknown' }]);
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
