import { containerLabelsProblem, pickLabels, seriesLabelOf, seriesLabels } from '../../../src/parse/containerLabels';

describe('container labels on per-container series (--collector.container-labels)', () => {
  it('names them as kube-state-metrics does: label_ and the key, every character a label name cannot hold as _', () => {
    expect(seriesLabelOf('owner')).toBe('label_owner');
    expect(seriesLabelOf('com.example.team')).toBe('label_com_example_team');
    expect(seriesLabelOf('on-call/rota')).toBe('label_on_call_rota');
  });

  it('keeps only the wanted keys a container has, and gives every wanted one a value, empty where it has none', () => {
    const raw = { owner: 'payments', 'com.example.team': 'blue', other: 'x', broken: 3 };
    expect(pickLabels(raw, ['owner', 'missing', 'broken'])).toEqual({ owner: 'payments' });
    expect(pickLabels(raw, [])).toBeUndefined();
    expect(pickLabels(null, ['owner'])).toBeUndefined();
    expect(pickLabels(['owner'], ['owner'])).toBeUndefined();
    expect(seriesLabels({ owner: 'payments' }, ['owner', 'com.example.team'])).toEqual({
      label_owner: 'payments',
      label_com_example_team: '',
    });
    expect(seriesLabels(undefined, ['owner'])).toEqual({ label_owner: '' });
  });

  it('refuses keys that would make the same series label, or an empty key', () => {
    expect(containerLabelsProblem(['owner', 'team'])).toBeUndefined();
    expect(containerLabelsProblem(['a.b', 'a-b'])).toBe('"a.b" and "a-b" would both be label_a_b');
    expect(containerLabelsProblem(['owner', ''])).toBe('an empty label key');
  });
});
