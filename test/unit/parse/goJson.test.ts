import { goJsonError } from '../../../src/parse/goJson';

/** Go's encoding/json messages for the mistakes people make in daemon.json, as dockerd prints them. */
describe('goJsonError', () => {
  it.each([
    ['{ // pinned\n  "storage-driver": "devicemapper" }', "invalid character '/' looking for beginning of object key string", 1, 3],
    ['{\n  "storage-driver": "devicemapper",\n}', "invalid character '}' looking for beginning of object key string", 3, 1],
    ['{"storage-driver" "overlay2"}', "invalid character '\"' after object key", 1, 19],
    ['{"debug": tru}', "invalid character '}' in literal true (expecting 'e')", 1, 14],
    ['{"a": [1 2]}', "invalid character '2' after array element", 1, 10],
    ['{"a": "x\ty"}', "invalid character '\\t' in string literal", 1, 9],
    ['{"a": 1} {"b": 2}', "invalid character '{' after top-level value", 1, 10],
    ['\u00ef\u00bb\u00bf{}', "invalid character 'ï' looking for beginning of value", 1, 1],
    ['{"a": 1', 'unexpected end of JSON input', 1, 8],
  ])('%j: %s at line %d, column %d', (text, message, line, column) => {
    expect(goJsonError(text)).toMatchObject({ message, line, column });
  });

  it('reads valid JSON, and with one value only, ignores what follows it as json.Decoder does', () => {
    expect(goJsonError('{"storage-driver": "overlay2", "log-opts": {"max-size": "10m"}}')).toBeUndefined();
    expect(goJsonError('{"a": 1} trailing', true)).toBeUndefined();
    expect(goJsonError('  ', true)).toMatchObject({ message: 'EOF' });
  });

  it('agrees with JSON.parse on what is JSON', () => {
    for (const text of [
      '{}',
      '[]',
      '"x"',
      '-0.5e+3',
      'null',
      '{"a":[{"b":"\\u00e9\\n"}]}',
      '{"a":01}',
      '{"a":.5}',
      '{"a":+1}',
      "{'a':1}",
      '{"a":1,}',
    ]) {
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect({ text, go: goJsonError(text) === undefined }).toEqual({ text, go: parses });
    }
  });
});
