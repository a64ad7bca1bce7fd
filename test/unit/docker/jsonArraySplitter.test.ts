import fc from 'fast-check';
import { JsonArraySplitter } from '../../../src/docker/jsonArraySplitter';

/** Feeds `text` in pieces cut at `cuts` and parses each element. */
function split(text: string, cuts: number[], maxElementChars = 1 << 20): unknown[] {
  const splitter = new JsonArraySplitter(maxElementChars);
  const out: unknown[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...splitter.push(text.slice(at, cut)).map((e) => JSON.parse(e) as unknown));
    at = cut;
  }
  out.push(...splitter.push(text.slice(at)).map((e) => JSON.parse(e) as unknown));
  splitter.end();
  return out;
}

describe('JsonArraySplitter', () => {
  it('gives back every element of any JSON array, however the text is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 20 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (items, pretty, rawCuts) => {
          const text = JSON.stringify(items, null, pretty ? 2 : undefined);
          const cuts = rawCuts.map((c) => c % (text.length + 1));
          expect(split(text, cuts)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles braces, brackets, commas and escaped quotes inside strings', () => {
    const items = [{ a: 'x,}]{["\\"' }, 'pl"ain,', [1, [2, { b: ']' }]], 3.5, null, true];
    const text = JSON.stringify(items);
    for (let cut = 0; cut <= text.length; cut++) expect(split(text, [cut])).toEqual(items);
  });

  it.each([
    ['{"not":"a list"}', 'not a JSON list'],
    ['[{"a":1}', 'incomplete'],
    ['[1,2] x', 'after the end'],
    ['[1}', 'unbalanced'],
  ])('refuses %s', (text, message) => {
    expect(() => split(text, [])).toThrow(message);
  });

  it('refuses an element longer than the limit, without holding more than that', () => {
    const splitter = new JsonArraySplitter(100);
    expect(() => {
      splitter.push('[{"a":"');
      for (let i = 0; i < 10; i++) splitter.push('x'.repeat(20));
    }).toThrow('longer than 100');
  });

  it('reads the empty list', () => {
    expect(split(' [ ] ', [])).toEqual([]);
  });
});
