/**
 * The byte-level walk of a nested value (nested.ts): a position in a buffer, and how to step over
 * blanks, strings, words and whole values in JSON text, in a CSV cell's JSON text (each `"` doubled), or
 * in a Python literal, reading keys and scalars without building objects.
 */
import type { TextCache } from './text-cache.js';

export const QUOTE = 0x22;
export const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;

/** An object key a path steps through. */
export interface Key {
  text: string;
  bytes: Buffer;
  /** No quote or backslash in it: its bytes as written are its UTF-8 bytes. */
  plain: boolean;
}

export abstract class NestedCursor {
  protected buf: Buffer = Buffer.alloc(0);
  protected i = 0;
  protected end = 0;
  /** 2 when a `"` of the text is written `""` (a CSV cell's bytes), else 1. */
  protected dq = 1;
  /** For keys written with escapes. */
  protected abstract readonly cache: TextCache;

  protected at(): number {
    return this.i < this.end ? this.buf[this.i]! : -1;
  }

  protected fail(what: string): never {
    throw new SyntaxError(`${what} in a nested value, at byte ${this.i}`);
  }

  /** Whether the key whose bytes between its quotes are buf[a, b) is `key`. */
  protected keyIs(key: Key, a: number, b: number, plain: boolean): boolean {
    // Raw bytes with escapes or quotes in them are decoded first; a key with quotes or backslashes is written escaped.
    if (!plain || !key.plain) return this.decoded(a, b, plain, this.cache) === key.text;
    const bytes = key.bytes;
    if (b - a !== bytes.length) return false;
    const buf = this.buf;
    for (let j = 0; j < bytes.length; j++) if (buf[a + j] !== bytes[j]) return false;
    return true;
  }

  // The byte loops below keep the position in a local and store it once: walking in `this.i` byte by
  // byte made these walks ~3x slower.

  protected ws(): void {
    const buf = this.buf;
    const end = this.end;
    let i = this.i;
    while (i < end) {
      const c = buf[i]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    this.i = i;
  }

  /**
   * Past the string at i (its closing quote included). True when it is plain: no backslash or `"` between
   * its quotes, so those bytes are its UTF-8 text as they stand.
   */
  protected skipString(): boolean {
    const buf = this.buf;
    const end = this.end;
    let i = this.i;
    const open = i < end ? buf[i]! : -1;
    if (open !== QUOTE && open !== APOSTROPHE) this.fail('a key that is not a string');
    const w = open === QUOTE ? this.dq : 1;
    let plain = true;
    i += w;
    for (;;) {
      let c = -1;
      while (i < end) {
        c = buf[i]!;
        if (c === QUOTE || c === APOSTROPHE || c === BACKSLASH) break;
        i++;
      }
      if (i >= end) {
        this.i = i;
        this.fail('an unterminated string');
      }
      if (c === open) break;
      // An escape (the escaped quote is dq bytes wide), or the other quote character as text; a `"`
      // inside '...' may be written doubled, so only an apostrophe leaves the bytes as the text.
      if (c !== APOSTROPHE) plain = false;
      i += c === BACKSLASH ? (buf[i + 1] === QUOTE ? 1 + this.dq : 2) : 1;
    }
    this.i = i + w;
    return plain;
  }

  /** Past the value at i, whatever it holds. */
  protected skip(): void {
    this.ws();
    const c = this.at();
    if (c === QUOTE || c === APOSTROPHE) this.skipString();
    else if (c === 0x5b || c === 0x7b || c === 0x28) {
      let depth = 0;
      for (;;) {
        const b = this.at();
        if (b < 0) this.fail('an unclosed bracket');
        if (b === QUOTE || b === APOSTROPHE) {
          this.skipString();
          continue;
        }
        this.i++;
        if (b === 0x5b || b === 0x7b || b === 0x28) depth++;
        else if ((b === 0x5d || b === 0x7d || b === 0x29) && --depth === 0) return;
      }
    } else this.word();
  }

  /** The end of the bare word (number, true, None...) at i. */
  protected word(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.i;
    let i = start;
    while (i < end && !endsWord(buf[i]!)) i++;
    this.i = i;
    if (i === start) this.fail('an empty value');
    return i;
  }

  /** A string ('...' or "...", decoded), or a bare word or number as written; null and None read "". */
  protected scalar(cache: TextCache): string {
    const c = this.at();
    if (c === QUOTE || c === APOSTROPHE) {
      const w = c === QUOTE ? this.dq : 1;
      const a = this.i + w;
      const plain = this.skipString();
      return this.decoded(a, this.i - w, plain, cache);
    }
    const start = this.i;
    return this.wordText(start, this.word());
  }

  /** The bare word at buf[start, end) as written; null and None read "". */
  protected wordText(start: number, end: number): string {
    const word = this.buf.toString('utf8', start, end);
    return word === 'null' || word === 'None' ? '' : word;
  }

  /** The string whose bytes between its quotes are buf[a, b) (`plain`: see skipString). */
  protected decoded(a: number, b: number, plain: boolean, cache: TextCache): string {
    let raw = cache.get(this.buf, a, b);
    if (plain) return raw;
    const quote = this.buf[a - 1]!;
    // In a CSV cell every " is doubled, inside '...' too.
    if (this.dq === 2 && raw.includes('""')) raw = raw.replaceAll('""', '"');
    if (!raw.includes('\\')) return raw;
    // JSON escapes, or a Python literal's (\' inside '...'; a bare " is literal there).
    return quote === QUOTE ? (JSON.parse(`"${raw}"`) as string) : (JSON.parse(`"${raw.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
  }
}

/** Whether byte c ends a bare word: a separator, a closing bracket or a blank. */
export function endsWord(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || c === 0x29 || c === 0x3a || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
