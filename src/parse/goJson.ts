/**
 * Where Go's encoding/json gives up on a text, and the words it uses: the
 * daemon prints exactly these when it refuses daemon.json ("invalid character
 * '/' looking for beginning of object key string"). A small copy of Go's
 * scanner states (encoding/json/scanner.go); values themselves are then read
 * with JSON.parse, which accepts the same texts.
 */
export interface GoJsonError {
  /** Go's own message. */
  message: string;
  /** Byte offset of the offending character (0-based). */
  offset: number;
  line: number;
  column: number;
}

function quoteChar(c: string): string {
  // Go: quoteChar: "'\\''" for a quote, strconv.Quote otherwise.
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20) return `'${JSON.stringify(c).slice(1, -1)}'`;
  return `'${c}'`;
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string) => c >= '0' && c <= '9';

/**
 * The first error Go's json.Unmarshal (or, with `firstValueOnly`, a
 * json.Decoder that reads one value) reports for `text`; undefined when Go
 * reads it. `text` is the file decoded as Go sees it: a UTF-8 byte order mark
 * is kept, as the characters "ï»¿" Go complains about.
 */
export function goJsonError(text: string, firstValueOnly = false): GoJsonError | undefined {
  let i = 0;
  // One of Go's scanner contexts ('looking for beginning of value', 'after object key', …), or a message of its own.
  const fail = (context: string, at = i): GoJsonError => {
    const c = text[at];
    if (c === undefined) return { message: 'unexpected end of JSON input', offset: at, ...position(text, at) };
    return { message: `invalid character ${quoteChar(c)} ${context}`, offset: at, ...position(text, at) };
  };
  const skip = () => {
    while (i < text.length && isSpace(text[i] as string)) i++;
  };

  const value = (): GoJsonError | undefined => {
    skip();
    const c = text[i];
    if (c === undefined) return fail('looking for beginning of value');
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || isDigit(c)) return number();
    for (const word of ['true', 'false', 'null']) {
      if (c === word[0]) {
        for (let k = 1; k < word.length; k++) {
          if (text[i + k] !== word[k]) return fail(`in literal ${word} (expecting ${quoteChar(word[k] as string)})`, i + k);
        }
        i += word.length;
        return undefined;
      }
    }
    return fail('looking for beginning of value');
  };

  const string = (): GoJsonError | undefined => {
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined) return fail('in string escape code', i + 1);
        if (e === 'u') {
          for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return fail('in \\u hexadecimal character escape', i + k);
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) return fail('in string escape code', i + 1);
        i += 2;
        continue;
      }
      if (c < ' ') return fail('in string literal');
      i++;
    }
    return fail('in string literal');
  };

  const number = (): GoJsonError | undefined => {
    if (text[i] === '-') {
      i++;
      if (!isDigit(text[i] ?? '')) return fail('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (isDigit(text[i] ?? '')) i++;
    if (text[i] === '.') {
      i++;
      if (!isDigit(text[i] ?? '')) return fail('after decimal point in numeric literal');
      while (isDigit(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!isDigit(text[i] ?? '')) return fail('in exponent of numeric literal');
      while (isDigit(text[i] ?? '')) i++;
    }
    return undefined;
  };

  const object = (): GoJsonError | undefined => {
    i++;
    skip();
    if (text[i] === '}') {
      i++;
      return undefined;
    }
    for (;;) {
      skip();
      if (text[i] !== '"') return fail('looking for beginning of object key string');
      const keyError = string();
      if (keyError) return keyError;
      skip();
      if (text[i] !== ':') return fail('after object key');
      i++;
      const valueError = value();
      if (valueError) return valueError;
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return undefined;
      }
      return fail('after object key:value pair');
    }
  };

  const array = (): GoJsonError | undefined => {
    i++;
    skip();
    if (text[i] === ']') {
      i++;
      return undefined;
    }
    for (;;) {
      const valueError = value();
      if (valueError) return valueError;
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return undefined;
      }
      return fail('after array element');
    }
  };

  // json.Decoder on nothing but space says io.EOF; json.Unmarshal "unexpected end of JSON input".
  if (firstValueOnly && text.trim() === '') return { message: 'EOF', offset: text.length, ...position(text, text.length) };
  const error = value();
  if (error || firstValueOnly) return error;
  skip();
  return i < text.length ? fail('after top-level value') : undefined;
}
