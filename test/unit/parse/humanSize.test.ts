import { parseHumanSize } from '../../../src/parse/humanSize';

describe('parseHumanSize', () => {
  it.each([
    ['107.4 GB', 107_400_000_000],
    ['107.4GB', 107_400_000_000],
    ['65.54 kB', 65_540],
    ['524.3kB', 524_300],
    ['0 B', 0],
    ['0B', 0],
    ['8.757 MB', 8_757_000],
    ['2.147 GB', 2_147_000_000],
    ['1.5 TB', 1_500_000_000_000],
    ['2 PB', 2e15],
    ['999 B', 999],
    ['1e+03 YB', 1e27],
    ['1 KiB', 1024],
    ['1.5 MiB', 1_572_864],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseHumanSize(text)).toBe(bytes);
  });

  it('rounds to the nearest byte rather than truncating', () => {
    // 0.1 + 0.2 style binary error: 4.1 * 1e6 is 4099999.9999999995 in floating point.
    expect(parseHumanSize('4.1 MB')).toBe(4_100_000);
    expect(parseHumanSize('1.0005 kB')).toBe(1001);
  });

  it.each(['', 'GB', '12', '12 XB', '-1 GB', '1,5 GB', 'NaN GB', '1  GB', 'Infinity B', '1e999 GB'])('refuses %j', (text) => {
    expect(parseHumanSize(text)).toBeUndefined();
  });
});
