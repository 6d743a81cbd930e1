/**
 * Record templates: per record shape, a sticky RegExp that matches exactly the text JSON.stringify writes
 * for a record of that shape (strings without escapes), and the recipe that turns its values into a CSV
 * row (fixed glue between the values, each value's kind). Compiled templates are cached per writer
 * session (TemplateCache), never in module state.
 */
import { cellOf, quoteCell } from './reference.js';
import type { Row } from './json-scan.js';

// Record templates

/** How a captured value becomes CSV text. */
/** Escape-free string without commas (top level), or any escape-free string inside a nested cell. */
export const RAW = 0;
/** Escape-free top-level string that may hold commas. */
export const COMMA = 1;
/** Top-level number. */
export const NUM = 2;
/** Number inside a nested value, as JSON.stringify would print it. */
export const INNER_NUM = 3;
/** Top-level array of numbers, of any length, captured whole: one piece, its numbers checked in place. */
export const NUM_ARRAY = 4;
export type Kind = typeof RAW | typeof COMMA | typeof NUM | typeof INNER_NUM | typeof NUM_ARRAY;

/** How the record copier (record-copier.wat) reads a capture: the pattern of the capture, as a number. */
/** A string that may not hold a comma (STR_SRC). */
export const SCAN_STR = 1;
/** A top-level string that may (STR_COMMA_SRC). */
export const SCAN_STR_COMMA = 2;
/** A string inside a nested value (INNER_STR_SRC). */
export const SCAN_STR_INNER = 3;
/** A number (NUM_SRC). */
export const SCAN_NUM = 4;
/** An array of two or more numbers (NUMS_SRC). */
export const SCAN_NUMS = 5;
/** An array of at most one number (NUMS_0_1_SRC). */
export const SCAN_NUMS_0_1 = 6;

const STR_SRC = '"([^"\\\\\\x00-\\x1f,]*)"';
const STR_COMMA_SRC = '"([^"\\\\\\x00-\\x1f]*)"';
// JSON.stringify escapes lone surrogates, so inside nested values only paired ones can be copied.
const INNER_STR_SRC = '"((?:[^"\\\\\\x00-\\x1f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*)"';
const PLAIN_STR_SRC = '"[^"\\\\\\x00-\\x1f]*"';
const NUM_SRC = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?';
// Whether the cell is quoted depends on the comma, so arrays of two or more numbers have a pattern of their own.
const NUMS_SRC = `\\[${NUM_SRC}(?:,${NUM_SRC})+\\]`;
const NUMS_0_1_SRC = `\\[(?:${NUM_SRC})?\\]`;
// Bounds: records too large for a sensible pattern stay on the slow path; compiled patterns hold native
// code, and pages specialise templates on values (genTime, ...), so the cache is dropped when it fills;
// a page tries at most a few shapes per record before the slow path.
const MAX_TEMPLATE_SOURCE = 1 << 16;
const MAX_TEMPLATE_GROUPS = 1000;
const MAX_CACHED_TEMPLATES = 64;
const MAX_ACTIVE_TEMPLATES = 4;

/** Compiled templates by pattern source, shared by the pages of one writer session; dropped when it fills. */
export class TemplateCache {
  readonly bySource = new Map<string, Template>();
}

/** How one field's cell is made: fixed text, or glue[0] + capture 0 + glue[1] + ... + glue[n]. */
export interface FieldCell {
  fixed: string | null;
  groups: number[];
  kinds: Kind[];
  glue: string[];
}

export interface Template {
  /** Sticky; matches one record of this shape, `{` to `}`, capturing the scalars the cells need. */
  csv: RegExp;
  /** Sticky; the same shape, capturing only a string obTime (group 1), if the shape has one. */
  split: RegExp;
  keys: string[];
  fields: FieldCell[];
  obTimeGroup: number;
  /** Capture group of a string `id` in `csv` (0: none). */
  idGroup: number;
  /** Capture groups of obTime and id in `split` (0: none). */
  splitObTime: number;
  splitId: number;
  /** The record the shape was taken from, to derive specialised templates from. */
  shape: Row;
  /** Scalar numbers (capture groups of the general template) of the strings that may become literals. */
  strings: number[];
  /**
   * The fixed text before each capture (texts[g] before capture g; see Counter) and after the last one
   * (`tail`, to the closing brace): what a record of this shape holds besides its captured values. Null
   * when the template allows whitespace, so that the text is not fixed.
   */
  texts: string[] | null;
  tail: string;
  /** How each capture g reads (scans[g], a SCAN_ constant). */
  scans: number[];
  groupCount: number;
  /** Whether it allows whitespace between tokens, as pretty-printed pages have. */
  spaced: boolean;
}


/** A copy sharing no memory with the string it came from (V8 slices keep their parent alive). */
export function detach(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function keySource(key: string): string {
  return escapeRegExp(JSON.stringify(key));
}

/**
 * Numbers the scalars (strings and numbers) of a shape in text order and its capture groups, and keeps
 * the fixed text before each capture, so that a record can be read as fixed texts and values in turn.
 */
interface Counter {
  scalar: number;
  group: number;
  /** Fixed text since the end of the last capture. */
  text: string;
  /** texts[g] = the fixed text between capture g - 1 (or the record's start) and capture g. */
  texts: string[];
  scans: number[];
}

function nextGroup(n: Counter, scan: number): number {
  n.texts[++n.group] = n.text;
  n.scans[n.group] = scan;
  n.text = '';
  return n.group;
}

const WS_SRC = '[ \\t\\n\\r]*';

/**
 * The template for records shaped like `record`, or null if it would be unreasonably large. A template
 * matches exactly the text JSON.stringify writes for such a record (with whitespace between tokens if
 * `spaced`), provided its strings need no escapes; a record sent any other way misses it and takes the
 * slow path. `literals` (by scalar number) turns strings that stay the same across a page into fixed
 * text: fewer captures, fewer pieces to join.
 */
export function templateOf(cache: TemplateCache, record: Row, literals: ReadonlyMap<number, string> | null, spaced: boolean): Template | null {
  const ws = spaced ? WS_SRC : '';
  const keys = Object.keys(record);
  const fields: FieldCell[] = [];
  const strings: number[] = [];
  const csvParts: string[] = [];
  const splitParts: string[] = [];
  const n: Counter = { scalar: 0, group: 0, text: '{', texts: [''], scans: [0] };
  let obTimeGroup = 0;
  let idGroup = 0;
  let splitGroups = 0;
  let splitObTime = 0;
  let splitId = 0;
  for (const key of keys) {
    const v = record[key];
    const prefix = `${keySource(key)}${ws}:${ws}`;
    n.text += `${csvParts.length > 0 ? ',' : ''}${JSON.stringify(key)}:`;
    if (typeof v === 'string') {
      const scalar = ++n.scalar;
      const literal = key === 'obTime' || key === 'id' ? undefined : literals?.get(scalar);
      if (literal !== undefined) {
        fields.push({ fixed: quoteCell(literal), groups: [], kinds: [], glue: [] });
        csvParts.push(`${prefix}"${escapeRegExp(literal)}"`);
        n.text += `"${literal}"`;
      } else {
        const kind = v.includes(',') ? COMMA : RAW;
        n.text += '"';
        fields.push({ fixed: null, groups: [nextGroup(n, kind === RAW ? SCAN_STR : SCAN_STR_COMMA)], kinds: [kind], glue: ['', ''] });
        n.text += '"';
        csvParts.push(prefix + (kind === RAW ? STR_SRC : STR_COMMA_SRC));
      }
      if (key === 'obTime' || key === 'id') {
        if (key === 'obTime') {
          obTimeGroup = n.group;
          splitObTime = ++splitGroups;
        } else {
          idGroup = n.group;
          splitId = ++splitGroups;
        }
        splitParts.push(prefix + STR_COMMA_SRC);
      } else {
        strings.push(scalar);
        splitParts.push(prefix + PLAIN_STR_SRC);
      }
    } else if (typeof v === 'number') {
      n.scalar++;
      fields.push({ fixed: null, groups: [nextGroup(n, SCAN_NUM)], kinds: [NUM], glue: ['', ''] });
      csvParts.push(`${prefix}(${NUM_SRC})`);
      splitParts.push(prefix + NUM_SRC);
    } else if (typeof v !== 'object' || v === null) {
      fields.push({ fixed: cellOf(v), groups: [], kinds: [], glue: [] });
      csvParts.push(prefix + String(v));
      n.text += String(v);
      splitParts.push(prefix + String(v));
    } else if (!spaced && Array.isArray(v) && v.every((x) => typeof x === 'number')) {
      n.scalar++;
      const wrap = v.length > 1 ? '"' : '';
      fields.push({ fixed: null, groups: [nextGroup(n, v.length > 1 ? SCAN_NUMS : SCAN_NUMS_0_1)], kinds: [NUM_ARRAY], glue: [wrap, wrap] });
      csvParts.push(`${prefix}(${v.length > 1 ? NUMS_SRC : NUMS_0_1_SRC})`);
      splitParts.push(prefix + (v.length > 1 ? NUMS_SRC : NUMS_0_1_SRC));
    } else {
      const nested = nestedShape(v, n, literals, strings, ws);
      fields.push(nested.cell);
      csvParts.push(prefix + nested.csv);
      splitParts.push(prefix + nested.split);
    }
  }
  const csvSource = `\\{${ws}${csvParts.join(`${ws},${ws}`)}${ws}\\}`;
  if (csvSource.length > MAX_TEMPLATE_SOURCE || n.group > MAX_TEMPLATE_GROUPS) return null;
  const templateCache = cache.bySource;
  let t = templateCache.get(csvSource);
  if (t === undefined) {
    if (templateCache.size >= MAX_CACHED_TEMPLATES) templateCache.clear();
    const split = new RegExp(`\\{${ws}${splitParts.join(`${ws},${ws}`)}${ws}\\}`, 'y');
    const texts = spaced ? null : n.texts;
    const tail = `${n.text}}`;
    t = { csv: new RegExp(csvSource, 'y'), split, keys, fields, obTimeGroup, idGroup, splitObTime, splitId, shape: record, strings, texts, tail, scans: n.scans, groupCount: n.group, spaced };
    templateCache.set(csvSource, t);
  }
  return t;
}

/**
 * A nested value's patterns and cell. Its cell is its JSON text quoted for CSV, and that quoting depends
 * only on the shape (strings or keys inside mean quotes to double, several items mean commas), so the
 * text between the captured scalars is fixed glue, quoted once here.
 */
function nestedShape(
  v: object,
  n: Counter,
  literals: ReadonlyMap<number, string> | null,
  strings: number[],
  ws: string,
): { cell: FieldCell; csv: string; split: string } {
  const text = JSON.stringify(v);
  const doubling = text.includes('"');
  const wrap = doubling || text.includes(',') ? '"' : '';
  const cell: FieldCell = { fixed: null, groups: [], kinds: [], glue: [wrap] };
  const glue = (s: string): void => {
    cell.glue[cell.glue.length - 1] += doubling ? s.replaceAll('"', '""') : s;
    n.text += s;
  };
  const capture = (kind: Kind): void => {
    cell.groups.push(nextGroup(n, kind === RAW ? SCAN_STR_INNER : SCAN_NUM));
    cell.kinds.push(kind);
    cell.glue.push('');
  };
  /** [csv pattern, split pattern] of x's shape. */
  const shape = (x: unknown): [string, string] => {
    if (typeof x === 'string') {
      const scalar = ++n.scalar;
      strings.push(scalar);
      const literal = literals?.get(scalar);
      if (literal !== undefined) {
        glue(`"${literal}"`);
        return [`"${escapeRegExp(literal)}"`, PLAIN_STR_SRC];
      }
      glue('"');
      capture(RAW);
      glue('"');
      return [INNER_STR_SRC, PLAIN_STR_SRC];
    }
    if (typeof x === 'number') {
      n.scalar++;
      capture(INNER_NUM);
      return [`(${NUM_SRC})`, NUM_SRC];
    }
    if (typeof x !== 'object' || x === null) {
      glue(String(x));
      return [String(x), String(x)];
    }
    const parts: [string, string][] = [];
    if (Array.isArray(x)) {
      glue('[');
      x.forEach((item, i) => {
        if (i > 0) glue(',');
        parts.push(shape(item));
      });
      glue(']');
    } else {
      const o = x as Row;
      glue('{');
      Object.keys(o).forEach((k, i) => {
        glue(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`);
        const [csv, split] = shape(o[k]);
        parts.push([`${keySource(k)}${ws}:${ws}${csv}`, `${keySource(k)}${ws}:${ws}${split}`]);
      });
      glue('}');
    }
    const [open, close] = Array.isArray(x) ? [`\\[${ws}`, `${ws}\\]`] : [`\\{${ws}`, `${ws}\\}`];
    const sep = `${ws},${ws}`;
    return [open + parts.map((q) => q[0]).join(sep) + close, open + parts.map((q) => q[1]).join(sep) + close];
  };
  const [csv, split] = shape(v);
  cell.glue[cell.glue.length - 1] += wrap;
  if (cell.groups.length === 0) return { cell: { fixed: cell.glue[0]!, groups: [], kinds: [], glue: [] }, csv, split };
  return { cell, csv, split };
}

/** The record's general template; none for a shape nested too deeply to describe without overflowing the stack. */
function shapeTemplate(cache: TemplateCache, record: Row, spaced: boolean): Template | null {
  try {
    return templateOf(cache, record, null, spaced);
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
}

/** Matches `re` exactly over body[start, end). */
function matchesWhole(re: RegExp, body: string, start: number, end: number): boolean {
  re.lastIndex = start;
  return re.test(body) && re.lastIndex === end;
}


/**
 * The templates in use for one page, most recently matched first. A slow record proposes the template of
 * its own shape, kept only if it matches that very record; a page of escaped text, which no template
 * matches, soon stops proposing (then only every 64th slow record tries).
 */
export class TemplateSet<A extends { template: Template }> {
  readonly list: A[] = [];
  private misses = 0;
  private slow = 0;

  constructor(
    private readonly cache: TemplateCache,
    private readonly activate: (t: Template) => A,
    private readonly pattern: (t: Template) => RegExp,
  ) {}

  learn(body: string, record: Row, start: number, end: number): void {
    this.slow++;
    if (this.misses >= 8 && (this.slow & 63) !== 0) return;
    // Compact text first; whitespace between tokens (pretty-printed pages) costs the pattern a little more.
    let t = shapeTemplate(this.cache, record, false);
    if (t !== null && !matchesWhole(this.pattern(t), body, start, end)) t = shapeTemplate(this.cache, record, true);
    if (t === null || !matchesWhole(this.pattern(t), body, start, end)) {
      this.misses++;
      return;
    }
    this.misses = 0;
    const known = this.list.find((a) => a.template === t);
    this.toFront(known ?? this.activate(t));
  }

  toFront(a: A): void {
    const at = this.list.indexOf(a);
    if (at === 0) return;
    if (at > 0) this.list.splice(at, 1);
    this.list.unshift(a);
    if (this.list.length > MAX_ACTIVE_TEMPLATES) this.list.pop();
  }

  remove(a: A): void {
    const at = this.list.indexOf(a);
    if (at >= 0) this.list.splice(at, 1);
  }
}
