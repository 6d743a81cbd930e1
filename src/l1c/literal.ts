/**
 * The Python-literal subset of the CSV's seoList/senPos cells (PROCESSING.md 3.2): lists, tuples, dicts,
 * strings in single or double quotes with backslash escapes, numbers, None, True, False. JSON text is a
 * subset (bar `null`/`true`/`false`, also accepted). Numbers keep their source text, so a value reaches
 * the builder exactly as written in the cell.
 */

/** A number token's text, e.g. `-1e+31`. */
export class PyNumber {
  constructor(readonly text: string) {}
}

export type PyValue = null | boolean | string | PyNumber | PyValue[] | { [key: string]: PyValue };

/** The cell is not a literal of that subset. */
export class PyLiteralError extends Error {
  override readonly name = 'PyLiteralError';
  readonly code = 'ERR_PY_LITERAL';
}

const NUMBER = /[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_]\w*/y;
const WORDS: Readonly<Record<string, PyValue>> = { None: null, True: true, False: false, null: null, true: true, false: false };
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' };

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new PyLiteralError(`${what} at offset ${this.pos} of ${JSON.stringify(this.s.slice(0, 60))}`);
  }

  private skip(): void {
    while (this.pos < this.s.length && /\s/.test(this.s[this.pos]!)) this.pos++;
  }

  private peek(): string {
    this.skip();
    return this.s[this.pos] ?? '';
  }

  end(): void {
    if (this.peek() !== '') this.fail('unexpected text');
  }

  value(): PyValue {
    const c = this.peek();
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.string(c);
    NUMBER.lastIndex = this.pos;
    const num = NUMBER.exec(this.s);
    if (num !== null) {
      this.pos += num[0].length;
      return new PyNumber(num[0]);
    }
    WORD.lastIndex = this.pos;
    const word = WORD.exec(this.s);
    if (word !== null && Object.hasOwn(WORDS, word[0])) {
      this.pos += word[0].length;
      return WORDS[word[0]]!;
    }
    return this.fail('expected a value');
  }

  private items(close: string, item: () => void): void {
    this.pos++;
    while (this.peek() !== close) {
      item();
      const sep = this.peek();
      if (sep === ',') this.pos++;
      else if (sep !== close) this.fail(`expected , or ${close}`);
    }
    this.pos++;
  }

  private sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.items(close, () => out.push(this.value()));
    return out;
  }

  private dict(): { [key: string]: PyValue } {
    const out: { [key: string]: PyValue } = {};
    this.items('}', () => {
      const q = this.peek();
      if (q !== "'" && q !== '"') this.fail('expected a string key');
      const key = this.string(q);
      if (this.peek() !== ':') this.fail('expected :');
      this.pos++;
      out[key] = this.value();
    });
    return out;
  }

  private string(quote: string): string {
    let out = '';
    for (let i = this.pos + 1; i < this.s.length; i++) {
      const c = this.s[i]!;
      if (c === quote) {
        this.pos = i + 1;
        return out;
      }
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[++i] ?? '';
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hex > 0) {
        const code = this.s.slice(i + 1, i + 1 + hex);
        if (!/^[0-9a-fA-F]+$/.test(code) || code.length !== hex) this.fail('bad escape');
        out += String.fromCodePoint(parseInt(code, 16));
        i += hex;
      } else if (Object.hasOwn(ESCAPES, e)) out += ESCAPES[e]!;
      else out += `\\${e}`; // Python keeps unknown escapes as written
    }
    return this.fail('unterminated string');
  }
}

/** Parses one literal (the whole text). */
export function parsePyLiteral(text: string): PyValue {
  const p = new Parser(text);
  const v = p.value();
  p.end();
  return v;
}
