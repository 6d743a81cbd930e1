/**
 * Field paths and the values they name inside a nested value's bytes. A CSV cell holds a nested value as
 * JSON text (`[{"obValue":1e-7}]`, its quotes doubled by the CSV quoting), or, in CSV files written by the
 * reference Python tool, as a Python literal (`[{'obValue': 1e-07}]`); a JSON artifact holds it as JSON.
 * All are walked in place, in the reader's buffer, without building objects or strings: keys are
 * compared as bytes, values off the wanted paths are skipped, and only the scalars at the wanted paths
 * become strings.
 */
import { TextCache } from './text-cache.js';

/** A field path: a top-level key, then array indices and object keys, e.g. `seoList[0].obValue`, `senPos[2]`. */
export interface FieldPath {
  top: string;
  /** Steps below the top-level value: numbers index arrays, strings key objects. */
  steps: Array<string | number>;
}

export function parseFieldPath(path: string): FieldPath {
  const m = /^([^.[\]]+)((?:\[\d+\]|\.[^.[\]]+)*)$/.exec(path);
  if (!m) throw new RangeError(`not a field path: ${JSON.stringify(path)} (e.g. obTime, seoList[0].obValue, senPos[2])`);
  const steps: Array<string | number> = [];
  for (const s of m[2]!.matchAll(/\[(\d+)\]|\.([^.[\]]+)/g)) steps.push(s[1] !== undefined ? Number(s[1]) : s[2]!);
  return { top: m[1]!, steps };
}

const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
/** Paths below one top-level key a walk can follow at once (a bit each in a mask). */
const MAX_PATHS = 30;

/** An object key a path steps through. */
interface Key {
  text: string;
  bytes: Buffer;
  /** No quote or backslash in it: its bytes as written are its UTF-8 bytes. */
  plain: boolean;
}

/**
 * The wanted paths below one top-level key, and where their values go. One per column and reader; it
 * walks one value at a time (`extract`), so it is not shared between reads.
 */
export class NestedPaths {
  /** steps[k][d]: path k's step at depth d: an index, or a key as its UTF-8 bytes. */
  private readonly steps: Array<Array<Key | number>>;
  private readonly all: number;
  // The walk's state, for the value being extracted.
  private buf: Buffer = Buffer.alloc(0);
  private i = 0;
  private end = 0;
  /** 2 when a `"` of the text is written `""` (a CSV cell's bytes), else 1. */
  private dq = 1;
  private columns: string[][] = [];
  private row = 0;
  /** Nested strings repeat (obDescription, obQuality, obType): one string per distinct value. */
  private readonly cache = new TextCache();

  constructor(
    steps: ReadonlyArray<ReadonlyArray<string | number>>,
    private readonly slots: readonly number[],
  ) {
    if (steps.length > MAX_PATHS) throw new RangeError(`at most ${MAX_PATHS} nested fields under one key`);
    this.steps = steps.map((s) => s.map((x) => (typeof x === 'number' ? x : { text: x, bytes: Buffer.from(x, 'utf8'), plain: !/[\\"']/.test(x) })));
    this.all = 2 ** steps.length - 1;
  }

  /**
   * Writes into `columns[slot][row]` the text of the scalar at each wanted path inside the value at
   * buf[from, to): strings decoded, numbers and words as written, null/None as "". Paths not found are
   * left alone. `doubled`: the bytes are a CSV cell's, each `"` written twice.
   */
  extract(buf: Buffer, from: number, to: number, doubled: boolean, columns: string[][], row: number): void {
    this.buf = buf;
    this.i = from;
    this.end = to;
    this.dq = doubled ? 2 : 1;
    this.columns = columns;
    this.row = row;
    this.value(0, this.all);
  }

  private at(): number {
    return this.i < this.end ? this.buf[this.i]! : -1;
  }

  private fail(what: string): never {
    throw new SyntaxError(`${what} in a nested value, at byte ${this.i}`);
  }

  /** One value at depth `d`; `live`: the paths whose first d steps led here. */
  private value(d: number, live: number): void {
    this.ws();
    const c = this.at();
    if (c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      const close = c === 0x5b ? 0x5d : 0x29;
      this.i++;
      for (let n = 0; ; n++) {
        this.ws();
        if (this.at() === close) {
          this.i++;
          return;
        }
        const next = this.follow(live, d, n, -1, -1);
        if (next === 0) this.skip();
        else this.value(d + 1, next);
        this.ws();
        const s = this.at();
        if (s === 0x2c) this.i++;
        else if (s !== close) this.fail('a bad array');
      }
    }
    if (c === 0x7b /* { */) {
      this.i++;
      for (;;) {
        this.ws();
        if (this.at() === 0x7d) {
          this.i++;
          return;
        }
        const k = this.i;
        this.skipString();
        // The key's bytes between its quotes (a quote of width dq, or an apostrophe).
        const w = this.buf[k] === APOSTROPHE ? 1 : this.dq;
        const next = this.follow(live, d, -1, k + w, this.i - w);
        this.ws();
        if (this.at() !== 0x3a) this.fail("a missing ':'");
        this.i++;
        if (next === 0) this.skip();
        else this.value(d + 1, next);
        this.ws();
        const s = this.at();
        if (s === 0x2c) this.i++;
        else if (s !== 0x7d) this.fail('a bad object');
      }
    }
    // A scalar: the paths that end here take it.
    let ends = 0;
    for (let k = 0; k < this.steps.length; k++) if ((live >> k) & 1 && this.steps[k]!.length === d) ends |= 1 << k;
    if (ends === 0) {
      this.skip();
      return;
    }
    const v = this.scalar();
    for (let k = 0; k < this.steps.length; k++) if ((ends >> k) & 1) this.columns[this.slots[k]!]![this.row] = v;
  }

  /** The live paths whose step at depth d is array index n (n >= 0) or the key in buf[a, b). */
  private follow(live: number, d: number, n: number, a: number, b: number): number {
    let next = 0;
    for (let k = 0; k < this.steps.length; k++) {
      if (((live >> k) & 1) === 0) continue;
      const step = this.steps[k]![d];
      if (step === undefined) continue;
      if (typeof step === 'number' ? step === n : n < 0 && this.keyIs(step, a, b)) next |= 1 << k;
    }
    return next;
  }

  /** Whether the key whose bytes between its quotes are buf[a, b) is `key`. */
  private keyIs(key: Key, a: number, b: number): boolean {
    // Raw bytes longer than the key may be escapes of it; a key with quotes or backslashes is written escaped.
    if (!key.plain || b - a > key.bytes.length) return this.decoded(a, b) === key.text;
    if (b - a !== key.bytes.length) return false;
    for (let j = 0; j < key.bytes.length; j++) if (this.buf[a + j] !== key.bytes[j]) return false;
    return true;
  }

  private ws(): void {
    for (;;) {
      const c = this.at();
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  /** Past the string at i (its closing quote included). */
  private skipString(): void {
    const open = this.at();
    if (open !== QUOTE && open !== APOSTROPHE) this.fail('a key that is not a string');
    const w = open === QUOTE ? this.dq : 1;
    this.i += w;
    for (;;) {
      const c = this.at();
      if (c < 0) this.fail('an unterminated string');
      if (c === BACKSLASH) {
        // The escaped character: a quote is dq bytes wide.
        this.i += this.buf[this.i + 1] === QUOTE ? 1 + this.dq : 2;
        continue;
      }
      if (c === open) {
        this.i += w;
        return;
      }
      this.i++;
    }
  }

  /** Past the value at i, whatever it holds. */
  private skip(): void {
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
  private word(): number {
    const start = this.i;
    for (;;) {
      const c = this.at();
      if (c < 0 || c === 0x2c || c === 0x5d || c === 0x7d || c === 0x29 || c === 0x3a || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
      this.i++;
    }
    if (this.i === start) this.fail('an empty value');
    return this.i;
  }

  /** A string ('...' or "...", decoded), or a bare word or number as written; null and None read "". */
  private scalar(): string {
    const c = this.at();
    if (c === QUOTE || c === APOSTROPHE) {
      const w = c === QUOTE ? this.dq : 1;
      const a = this.i + w;
      this.skipString();
      return this.decoded(a, this.i - w);
    }
    const start = this.i;
    const end = this.word();
    const word = this.buf.toString('utf8', start, end);
    return word === 'null' || word === 'None' ? '' : word;
  }

  /** The string whose bytes between its quotes are buf[a, b). */
  private decoded(a: number, b: number): string {
    const quote = this.buf[a - 1]!;
    let raw = this.cache.get(this.buf, a, b);
    if (quote === QUOTE && this.dq === 2 && raw.includes('""')) raw = raw.replaceAll('""', '"');
    if (!raw.includes('\\')) return raw;
    // JSON escapes, or a Python literal's (\' inside '...'; a bare " is literal there).
    return quote === QUOTE ? (JSON.parse(`"${raw}"`) as string) : (JSON.parse(`"${raw.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
  }
}
