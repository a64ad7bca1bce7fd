import { DEFAULT_CONFIG } from '../../mixin/config';
import { format, keysOf, placeholderTable } from '../../mixin/placeholders';

describe("the mixin's placeholders", () => {
  const table = placeholderTable(DEFAULT_CONFIG);

  it('fill %(name)s from the table made from _config, and %% as a percent sign', () => {
    expect(format('sum by (%(hostLabels)s) (up{%(selector)s}) > %(orphanedBytes)s', table)).toBe(
      'sum by (instance, job) (up{job="docker"}) > 1000000000',
    );
    expect(format('x{%(selectorAnd)s%(hostMatchers)s}', table)).toBe('x{job="docker",job=~"$job",instance=~"$instance"}');
    expect(format('100%% of %(thinPoolAvailableRatio)s', table)).toBe('100% of 0.2');
  });

  it('give a share its used counterpart, and nothing before matchers when the selector is empty', () => {
    expect([table['thinPoolAvailableRatioUsed'], table['thinPoolFillingUpRatioUsed'], table['orphanedBytesUsed']]).toEqual([
      '0.8',
      '0.6',
      undefined,
    ]);
    expect(format('x{%(selectorAnd)sa="b"}', placeholderTable({ ...DEFAULT_CONFIG, selector: '' }))).toBe('x{a="b"}');
    expect(placeholderTable({ ...DEFAULT_CONFIG, hostLabels: 'cluster, node', aggregationLabels: 'cluster' })['hostLegend']).toBe(
      '{{node}}',
    );
  });

  it('refuse a name the table lacks and a % that is no placeholder, as jsonnet does', () => {
    expect(() => format('up{%(selecter)s}', table)).toThrow(/no placeholder %\(selecter\)s/);
    expect(() => format('95% full', table)).toThrow(/write %% for a percent sign/);
    expect(() => format('%(selector)d', table)).toThrow(/no placeholder/);
  });

  it('stand for one column per label as an object key', () => {
    expect(keysOf('%(hostLabels)s', DEFAULT_CONFIG)).toEqual(['instance', 'job']);
    expect(keysOf('%(aggregationLabels)s', DEFAULT_CONFIG)).toEqual(['job']);
    expect(keysOf('Time', DEFAULT_CONFIG)).toEqual(['Time']);
  });
});
