/**
 * Field paths and the values they name inside a nested cell's text. A CSV cell holds a nested value as
 * JSON text (`[{"obValue":1e-7}]`), or, in CSV files written by the reference Python tool, as a Python
 * literal (`[{'obValue': 1e-07}]`); both are read here without building objects: the text is walked once
 * and only the scalars at the wanted paths become strings.
 */

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

/**
 * Writes into `columns[slots[k]][row]` the text of the scalar at `steps[k]` inside `text` (a JSON or Python literal
 * value): strings decoded, numbers and words as written, null/None as "". Paths not found are left alone.
 */
export function extractNested(text: string, steps: ReadonlyArray<ReadonlyArray<string | number>>, columns: string[][], slots: readonly number[], row: number): void {
  const w = new Walker(text, steps, columns, slots, row);
  w.value(0);
}

class Walker {
  i = 0;
  /** The current path, as far as it still matches some wanted one. */
  private readonly at: Array<string | number> = [];

  constructor(
    private readonly s: string,
    private readonly steps: ReadonlyArray<ReadonlyArray<string | number>>,
    private readonly columns: string[][],
    private readonly slots: readonly number[],
    private readonly row: number,
  ) {}

  /** Reads one value at depth `d`; `live` is false once no wanted path lies below. */
  value(d: number): void {
    const s = this.s;
    this.ws();
    const c = s.charCodeAt(this.i);
    if (c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      const close = c === 0x5b ? 0x5d : 0x29;
      this.i++;
      for (let n = 0; ; n++) {
        this.ws();
        if (s.charCodeAt(this.i) === close) {
          this.i++;
          return;
        }
        this.at[d] = n;
        this.value(d + 1);
        this.ws();
        if (s.charCodeAt(this.i) === 0x2c) this.i++;
        else if (s.charCodeAt(this.i) !== close) throw new SyntaxError(`bad nested value near ${this.i}`);
      }
    }
    if (c === 0x7b /* { */) {
      this.i++;
      for (;;) {
        this.ws();
        if (s.charCodeAt(this.i) === 0x7d) {
          this.i++;
          return;
        }
        this.at[d] = this.scalar();
        this.ws();
        if (s.charCodeAt(this.i) !== 0x3a) throw new SyntaxError(`expected ':' near ${this.i}`);
        this.i++;
        this.value(d + 1);
        this.ws();
        if (s.charCodeAt(this.i) === 0x2c) this.i++;
        else if (s.charCodeAt(this.i) !== 0x7d) throw new SyntaxError(`bad nested object near ${this.i}`);
      }
    }
    const v = this.scalar();
    this.at.length = d;
    for (let k = 0; k < this.steps.length; k++) {
      const want = this.steps[k]!;
      if (want.length !== d) continue;
      let same = true;
      for (let j = 0; j < d && same; j++) same = want[j] === this.at[j];
      if (same) this.columns[this.slots[k]!]![this.row] = v;
    }
  }

  private ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  /** A string ('...' or "...", decoded), or a bare word or number as written; null and None read "". */
  private scalar(): string {
    const s = this.s;
    const q = s.charCodeAt(this.i);
    if (q === 0x22 || q === 0x27) {
      const start = ++this.i;
      let escaped = false;
      for (;;) {
        const c = s.charCodeAt(this.i);
        if (Number.isNaN(c)) throw new SyntaxError('unterminated string in a nested value');
        if (c === 0x5c) {
          escaped = true;
          this.i += 2;
          continue;
        }
        if (c === q) break;
        this.i++;
      }
      const raw = s.slice(start, this.i++);
      if (!escaped) return raw;
      return q === 0x22 ? (JSON.parse(`"${raw}"`) as string) : (JSON.parse(`"${raw.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
    }
    const start = this.i;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (Number.isNaN(c) || c === 0x2c || c === 0x5d || c === 0x7d || c === 0x29 || c === 0x3a || c === 0x20) break;
      this.i++;
    }
    const word = s.slice(start, this.i);
    if (word.length === 0) throw new SyntaxError(`empty value in a nested value near ${start}`);
    return word === 'null' || word === 'None' ? '' : word;
  }
}
