/**
 * Cuts the text of one JSON array, arriving in pieces, into the texts of its
 * elements, so that a list of 10,000 containers is parsed one container at a
 * time: neither the whole answer nor the whole parse tree is held at once.
 * It only finds where elements end (strings, escapes and nesting); each
 * element is then checked by JSON.parse.
 */
export class JsonArraySplitter {
  private state: 'before' | 'between' | 'element' | 'after' = 'before';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pending = '';

  constructor(private readonly maxElementChars: number) {}

  /** The elements completed by this piece. Throws on text that is not an array. */
  push(chunk: string): string[] {
    const out: string[] = [];
    let start = this.state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.state === 'element') {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c /* \ */) this.escaped = true;
          else if (c === 0x22 /* " */) this.inString = false;
          continue;
        }
        if (c === 0x22) this.inString = true;
        else if (c === 0x7b /* { */ || c === 0x5b /* [ */) this.depth++;
        else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
          if (this.depth === 0) {
            // The array's own "]" right after a bare element such as a number.
            if (c !== 0x5d) throw new Error('unbalanced braces in the JSON list');
            out.push(this.take(chunk, start, i));
            this.state = 'after';
            continue;
          }
          this.depth--;
        } else if (c === 0x2c /* , */ && this.depth === 0) {
          out.push(this.take(chunk, start, i));
          this.state = 'between';
          continue;
        }
        if (this.depth === 0 && (c === 0x7d || c === 0x5d)) {
          out.push(this.take(chunk, start, i + 1));
          this.state = 'between';
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.state === 'before') {
        if (c !== 0x5b) throw new Error('the answer is not a JSON list');
        this.state = 'between';
      } else if (this.state === 'between') {
        if (c === 0x2c) continue;
        if (c === 0x5d) {
          this.state = 'after';
          continue;
        }
        this.state = 'element';
        this.depth = 0;
        start = i;
        i--;
        // Re-read this character as the element's first.
        this.pending = '';
        continue;
      } else {
        throw new Error('text after the end of the JSON list');
      }
    }
    if (this.state === 'element') {
      this.pending += chunk.slice(Math.max(start, 0));
      if (this.pending.length > this.maxElementChars) throw new Error(`a list element is longer than ${this.maxElementChars} characters`);
    }
    return out;
  }

  /** Throws unless the array was complete. */
  end(): void {
    if (this.state !== 'after') throw new Error('the JSON list is incomplete');
  }

  private take(chunk: string, start: number, end: number): string {
    const text = this.pending + chunk.slice(Math.max(start, 0), end);
    this.pending = '';
    return text.trim();
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
