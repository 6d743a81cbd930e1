/**
 * Response pages to CSV rows (or to raw JSON record texts) without building objects.
 *
 * A day is ~1.1 M records; `JSON.parse` alone would cost more than the transcoding budget, and a per-byte
 * JS loop about as much. So a record of the common shape (the same keys in the same order, strings
 * without escapes) is matched whole by one sticky RegExp, a template built from an earlier record of that
 * shape: irregexp runs it as native code, validating the record while capturing its scalars, and the row
 * is the captures joined with the fixed text between them. Per page, strings that stay the same (dataType,
 * source, ...) become part of the pattern, so there is less to capture and join. Numbers are copied only
 * when they are certainly what String(Number(text)) prints (isCanonicalNumber). A record no template
 * matches (escapes, a new key or order, a value of another type) goes through an exact validator plus
 * `JSON.parse`, alone, and proposes the template of its shape for the records after it.
 * `referenceCsv` is the plain `JSON.parse` + csv-stringify writer; the fast path equals it byte for byte.
 * A page may come in pieces (createCsvPageTranscoder): what was learned carries from piece to piece, and
 * nothing kept, in the transcoder or its results, is a slice of a piece (see `detach`).
 */
import { stringify } from 'csv-stringify/sync';
import { ReachUdlError } from '../errors.js';

/** One response page transcoded to CSV rows. */
export interface CsvPage {
  /** Column order: the record keys in order of first appearance within this page. */
  keys: string[];
  /** CSV rows, no header, each ending in "\n", cells in `keys` order. */
  rows: string;
  /** rowEnds[i] = offset in `rows` just past record i's "\n" (so rows.slice(0, rowEnds[k-1]) is the first k records). */
  rowEnds: Uint32Array | number[];
  /** obTimes[i] = record i's obTime string exactly as sent (e.g. "2026-01-01T00:05:00.500Z"); "" if absent or not a string. */
  obTimes: string[];
  count: number;
}

/** One response page kept as raw JSON record texts, for json output. */
export interface JsonPage {
  /** Each record's exact JSON text as sent. */
  records: string[];
  obTimes: string[];
  count: number;
}

/** The body is not a page of records: invalid or truncated JSON, or an element that is not an object. */
export class PageFormatError extends ReachUdlError {
  readonly code = 'ERR_PAGE_FORMAT';
  readonly exitClass = 'failed';
  /** Offset in the body text (UTF-16 code units) where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

type Row = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Reference writer

/** The reference: JSON.parse the body, then write with csv-stringify. Slow, obviously right. */
export function referenceCsv(body: string): { keys: string[]; rows: string } {
  const records = parseRecords(body);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  // Rows go to csv-stringify as arrays: given objects it would read `columns` as lodash paths ("a.b",
  // "x[0]") and through the prototype ("toString"), so a missing key could yield another key's value.
  const table = records.map((r) => keys.map((k) => (Object.hasOwn(r, k) ? r[k] : undefined)));
  return { keys, rows: stringify(table, STRINGIFY_OPTIONS) };
}

/** CSV header line for keys (with "\n"), quoted by the same rules. */
export function csvHeader(keys: string[]): string {
  return stringify([keys], STRINGIFY_OPTIONS);
}

// csv-stringify's default writes booleans as "1" and ""; the CSV says what JSON said.
const STRINGIFY_OPTIONS = { cast: { boolean: (v: boolean) => (v ? 'true' : 'false') } };

function parseRecords(body: string): Row[] {
  const start = skipWs(body, 0);
  if (start === body.length) return [];
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    // The validator names the offset and quotes at most a few dozen characters; JSON.parse does neither reliably.
    expectEnd(body, scanValue(body, start));
    throw new PageFormatError('invalid JSON', start);
  }
  if (value === null) return [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (!isRecord(v)) throw new PageFormatError(`element ${i} of the page is ${describeType(v)}, not an object`, start);
    });
    return value as Row[];
  }
  if (isRecord(value)) return [value];
  throw new PageFormatError(`the page is ${describeType(value)}, not an array of records`, start);
}

function isRecord(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------------
// Exact JSON validation (the slow path's and the errors' ground truth)

const WS_RE = /[ \t\n\r]*/y;
// One character per iteration: `(?:[^"\\]+|...)*` would backtrack exponentially on an unterminated string.
const STRING_RE = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function skipWs(body: string, i: number): number {
  const c = body.charCodeAt(i);
  if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
  WS_RE.lastIndex = i;
  WS_RE.test(body);
  return WS_RE.lastIndex;
}

function fail(body: string, i: number, expected: string): never {
  if (i >= body.length) throw new PageFormatError(`truncated page: text ends at offset ${i} where ${expected} was expected`, i);
  const from = Math.max(0, i - 20);
  const near = JSON.stringify(body.slice(from, i + 20));
  throw new PageFormatError(`invalid JSON at offset ${i}: expected ${expected}, near ${near}`, i);
}

function matchAt(re: RegExp, body: string, i: number, what: string): number {
  re.lastIndex = i;
  if (!re.test(body)) fail(body, re === STRING_RE ? stringFault(body, i) : i, what);
  return re.lastIndex;
}

/** Where the string starting at i goes wrong: a raw control character, a bad escape, or the end of the text. */
function stringFault(body: string, i: number): number {
  const n = body.length;
  for (let j = i + 1; j < n; j++) {
    const c = body.charCodeAt(j);
    if (c === 34 || c < 0x20) return j;
    if (c !== 92) continue;
    if (j + 1 === n) return n;
    const e = body.charAt(j + 1);
    if (e === 'u') {
      const hex = body.slice(j + 2, j + 6);
      if (!/^[0-9a-fA-F]*$/.test(hex)) return j;
      if (hex.length < 4) return n;
      j += 5;
    } else if ('"\\/bfnrt'.includes(e)) j++;
    else return j;
  }
  return n;
}

/** Validates the JSON value starting exactly at `start`; returns the offset just past it. */
function scanValue(body: string, start: number): number {
  // Iterative: JSON.parse accepts deep nesting, so recursion here could overflow where it does not.
  const open: number[] = [];
  let i = start;
  for (;;) {
    const c = body.charCodeAt(i);
    if (c === 123) {
      i = skipWs(body, i + 1);
      if (body.charCodeAt(i) === 125) i++;
      else {
        open.push(125);
        i = scanKey(body, i);
        continue;
      }
    } else if (c === 91) {
      i = skipWs(body, i + 1);
      if (body.charCodeAt(i) === 93) i++;
      else {
        open.push(93);
        continue;
      }
    } else if (c === 34) i = matchAt(STRING_RE, body, i, 'a valid string');
    else if (c === 45 || (c >= 48 && c <= 57)) i = matchAt(NUMBER_RE, body, i, 'a valid number');
    else if (c === 116 && body.startsWith('true', i)) i += 4;
    else if (c === 102 && body.startsWith('false', i)) i += 5;
    else if (c === 110 && body.startsWith('null', i)) i += 4;
    else fail(body, ['true', 'false', 'null'].some((w) => w.startsWith(body.slice(i)) && i < body.length) ? body.length : i, 'a JSON value');
    for (;;) {
      const close = open[open.length - 1];
      if (close === undefined) return i;
      i = skipWs(body, i);
      const d = body.charCodeAt(i);
      if (d === 44) {
        i = skipWs(body, i + 1);
        if (close === 125) i = scanKey(body, i);
        break;
      }
      if (d !== close) fail(body, i, close === 125 ? "',' or '}'" : "',' or ']'");
      open.pop();
      i++;
    }
  }
}

function scanKey(body: string, i: number): number {
  if (body.charCodeAt(i) !== 34) fail(body, i, 'a key string');
  i = skipWs(body, matchAt(STRING_RE, body, i, 'a valid key string'));
  if (body.charCodeAt(i) !== 58) fail(body, i, "':'");
  return skipWs(body, i + 1);
}

// ---------------------------------------------------------------------------------------------------
// Numbers: raw text is copied only when it is certainly String(Number(text))

/** Largest m for which 10^-m scaling is tried; beyond, numbers are converted. */
const MAX_SCALE = 40;
/** 10^m as a double-double POW10[m] + POW10_REST[m] (exact up to m = 22), and POW10[m] split in halves. */
const POW10 = new Float64Array(MAX_SCALE + 1);
const POW10_REST = new Float64Array(MAX_SCALE + 1);
const POW10_HI = new Float64Array(MAX_SCALE + 1);
const POW10_LO = new Float64Array(MAX_SCALE + 1);
const SPLITTER = 134217729; // 2^27 + 1: Veltkamp split into two 26-bit halves
for (let m = 0; m <= MAX_SCALE; m++) {
  const p = Number(`1e${m}`);
  const t = SPLITTER * p;
  POW10[m] = p;
  POW10_REST[m] = Number(10n ** BigInt(m) - BigInt(p));
  POW10_HI[m] = t - (t - p);
  POW10_LO[m] = p - POW10_HI[m]!;
}
/** ULP_OF_EXPONENT[e] = the spacing of doubles whose biased exponent is e. */
const ULP_OF_EXPONENT = new Float64Array(2047);
for (let e = 1; e < 2047; e++) ULP_OF_EXPONENT[e] = 2 ** (e - 1075);
const F64 = new Float64Array(1);
const F64_WORDS = new Uint32Array(F64.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const MARGIN = 1e-6;

/**
 * True when `t` (valid JSON number text) is certainly what String(Number(t)) prints, so it can be copied.
 * False means "convert": the answer may still be yes, and the caller then pays String(+t).
 *
 * JS prints the shortest digit string that reads back as the same double, the closest one if several:
 * plainly for 1e-6 <= |x| < 1e21 (no trailing fractional zeros, "0" for -0), else as d.ddde-n / d.ddde+n.
 * Up to 15 significant digits a decimal reads back exactly (DBL_DIG), so text in that form is the answer.
 * With 16 or 17 digits (the real lat/lon/alt/senPos/obValue) the digits D, value D / 10^m, are checked
 * in double-double arithmetic against d = D / 10^m rounded: |d*10^m - D| is computed and must show that
 * (1) d really is Number(t), (2) t is the nearest 16/17-digit decimal to d, and (3) no multiple of 10 (a
 * shorter decimal) lies within d's rounding interval. Anything near a tie or a boundary is converted.
 */
export function isCanonicalNumber(t: string): boolean {
  return isCanonicalAt(t, 0, t.length);
}

/** isCanonicalNumber of s.slice(from, to), read in place: char reads from a flat body beat a slice's. */
function isCanonicalAt(s: string, from: number, to: number): boolean {
  // D is read as hi * 10^loDigits + lo, hi taking the first 9 significant digits: with up to 17 digits,
  // hi * 10^loDigits is then exact (hi * 5^loDigits < 2^53).
  const intStart = s.charCodeAt(from) === 45 ? from + 1 : from;
  let i = intStart;
  let c = 0;
  let hi = 0;
  for (; i < to; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    hi = hi * 10 + (c - 48);
  }
  const intDigits = i - intStart;
  let digits = hi === 0 ? 0 : intDigits;
  let lo = 0;
  let loDigits = 0;
  if (intDigits > 9) {
    hi = 0;
    for (let k = intStart; k < i; k++) {
      if (k < intStart + 9) hi = hi * 10 + (s.charCodeAt(k) - 48);
      else lo = lo * 10 + (s.charCodeAt(k) - 48);
    }
    loDigits = intDigits - 9;
  }
  let fracDigits = 0;
  const belowOne = digits === 0;
  if (c === 46) {
    const fracStart = ++i;
    if (belowOne) while (i < to && s.charCodeAt(i) === 48) i++;
    const zeros = i - fracStart;
    const split = Math.min(to, i + 9 - Math.min(9, digits));
    for (; i < split; i++) {
      c = s.charCodeAt(i);
      if (c > 57) break;
      hi = hi * 10 + (c - 48);
    }
    if (i === split) {
      const loStart = i;
      for (; i < to; i++) {
        c = s.charCodeAt(i);
        if (c > 57) break;
        lo = lo * 10 + (c - 48);
      }
      loDigits += i - loStart;
    }
    fracDigits = i - fracStart;
    digits += fracDigits - zeros;
    if (s.charCodeAt(i - 1) === 48) return false;
  }
  let exp = 0;
  if (i < to) {
    // JS writes d[.ddd]e+n or d[.ddd]e-n, lower case, signed, no leading zeros, only outside [1e-6, 1e21);
    // within 1e±307 the double is normal and finite, where the 15-digit rule holds.
    const sign = s.charCodeAt(i + 1);
    if (s.charCodeAt(i) !== 101 || (sign !== 43 && sign !== 45) || s.charCodeAt(i + 2) === 48 || to - i > 5) return false;
    for (i += 2; i < to; i++) exp = exp * 10 + (s.charCodeAt(i) - 48);
    if (sign === 45) exp = -exp;
    if (intDigits !== 1 || digits === 0 || (exp > -7 && exp < 21) || exp < -307 || exp > 307) return false;
  } else {
    if (digits === 0) return to - from === 1;
    if (intDigits > 21 || (belowOne && fracDigits - digits > 5)) return false;
  }
  if (digits <= 15) return true;
  const m = fracDigits - exp;
  if (digits > 17 || m < 0 || m > MAX_SCALE) return false;
  const a = hi * POW10[loDigits]!;
  // Just above a power of ten the shorter neighbours are not multiples of 10; rare, so convert.
  if (a + lo - POW10[digits - 1]! < 21) return false;
  const scale = POW10[m]!;
  const sHi = POW10_HI[m]!;
  const sLo = POW10_LO[m]!;
  const rest = POW10_REST[m]!;
  // The first guess is off by an ulp when D > 2^53 or 10^m is inexact; the neighbour then is the one.
  let d = (a + lo) / scale;
  let diff = 0;
  let half = 0;
  for (let attempt = 0; ; attempt++) {
    F64[0] = d;
    const w = F64_WORDS[HIGH_WORD]!;
    // A power of two has a narrower rounding interval below it; not worth the special case.
    if ((w & 0xfffff) === 0 && F64_WORDS[1 - HIGH_WORD] === 0) return false;
    const ulp = ULP_OF_EXPONENT[(w >>> 20) & 0x7ff]!;
    half = ulp * scale * 0.5;
    const p = d * scale;
    const dt = SPLITTER * d;
    const dHi = dt - (dt - d);
    const dLo = d - dHi;
    const err = dHi * sHi - p + dHi * sLo + dLo * sHi + dLo * sLo + d * rest;
    diff = p - a - lo + err; // d*10^m - D; p - a is exact (Sterbenz), the rest is small
    const dist = diff < 0 ? -diff : diff;
    if (dist < half - MARGIN) break;
    if (attempt > 0 || dist < half + MARGIN) return false;
    d = diff > 0 ? d - ulp : d + ulp;
  }
  if ((diff < 0 ? -diff : diff) >= 0.5 - MARGIN) return false;
  const above = (lo % 10) + diff; // distance from d*10^m down to the multiple of 10 below D
  return above > half + MARGIN && 10 - above > half + MARGIN;
}

/** isCanonicalNumber of every number in the array text s.slice(from, to), `[` to `]`. */
function areCanonicalAt(s: string, from: number, to: number): boolean {
  const last = to - 1;
  for (let i = from + 1; i < last; ) {
    let j = s.indexOf(',', i);
    if (j < 0 || j > last) j = last;
    if (!isCanonicalAt(s, i, j)) return false;
    i = j + 1;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Generic cells (slow path), by csv-stringify's rules

const NEEDS_QUOTES = /[,"\r\n]/;

function quoteCell(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function cellOf(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return quoteCell(v);
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      return v === null ? '' : quoteCell(JSON.stringify(v));
    default:
      return '';
  }
}

// ---------------------------------------------------------------------------------------------------
// Record templates

/** How a captured value becomes CSV text. */
/** Escape-free string without commas (top level), or any escape-free string inside a nested cell. */
const RAW = 0;
/** Escape-free top-level string that may hold commas. */
const COMMA = 1;
/** Top-level number. */
const NUM = 2;
/** Number inside a nested value, as JSON.stringify would print it. */
const INNER_NUM = 3;
/** Top-level array of numbers, of any length, captured whole: one piece, its numbers checked in place. */
const NUM_ARRAY = 4;
type Kind = typeof RAW | typeof COMMA | typeof NUM | typeof INNER_NUM | typeof NUM_ARRAY;

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

/** How one field's cell is made: fixed text, or glue[0] + capture 0 + glue[1] + ... + glue[n]. */
interface FieldCell {
  fixed: string | null;
  groups: number[];
  kinds: Kind[];
  glue: string[];
}

interface Template {
  /** Sticky; matches one record of this shape, `{` to `}`, capturing the scalars the cells need. */
  csv: RegExp;
  /** Sticky; the same shape, capturing only a string obTime (group 1), if the shape has one. */
  split: RegExp;
  keys: string[];
  fields: FieldCell[];
  obTimeGroup: number;
  /** The record the shape was taken from, to derive specialised templates from. */
  shape: Row;
  /** Scalar numbers (capture groups of the general template) of the strings that may become literals. */
  strings: number[];
  /** Fixed text before each capture (see Counter); not fixed when the template allows whitespace. */
  gaps: number[] | null;
  groupCount: number;
  /** Whether it allows whitespace between tokens, as pretty-printed pages have. */
  spaced: boolean;
}

const templateCache = new Map<string, Template>();

/** A copy sharing no memory with the string it came from (V8 slices keep their parent alive). */
function detach(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

function keySource(key: string): string {
  return escapeRegExp(JSON.stringify(key));
}

/**
 * Numbers the scalars (strings and numbers) of a shape in text order and its capture groups, and measures
 * the fixed text before each capture, so that captures can be located in the body from their lengths.
 */
interface Counter {
  scalar: number;
  group: number;
  /** Fixed text since the end of the last capture. */
  gap: number;
  /** gaps[g] = the fixed text between capture g - 1 (or the record's start) and capture g. */
  gaps: number[];
}

function nextGroup(n: Counter): number {
  n.gaps[++n.group] = n.gap;
  n.gap = 0;
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
function templateOf(record: Row, literals: ReadonlyMap<number, string> | null, spaced: boolean): Template | null {
  const ws = spaced ? WS_SRC : '';
  const keys = Object.keys(record);
  const fields: FieldCell[] = [];
  const strings: number[] = [];
  const csvParts: string[] = [];
  const splitParts: string[] = [];
  const n: Counter = { scalar: 0, group: 0, gap: 1, gaps: [0] };
  let obTimeGroup = 0;
  for (const key of keys) {
    const v = record[key];
    const prefix = `${keySource(key)}${ws}:${ws}`;
    n.gap += (csvParts.length > 0 ? 1 : 0) + JSON.stringify(key).length + 1;
    if (typeof v === 'string') {
      const scalar = ++n.scalar;
      const literal = key === 'obTime' ? undefined : literals?.get(scalar);
      if (literal !== undefined) {
        fields.push({ fixed: quoteCell(literal), groups: [], kinds: [], glue: [] });
        csvParts.push(`${prefix}"${escapeRegExp(literal)}"`);
        n.gap += literal.length + 2;
      } else {
        const kind = v.includes(',') ? COMMA : RAW;
        n.gap++;
        fields.push({ fixed: null, groups: [nextGroup(n)], kinds: [kind], glue: ['', ''] });
        n.gap++;
        csvParts.push(prefix + (kind === RAW ? STR_SRC : STR_COMMA_SRC));
      }
      if (key === 'obTime') {
        obTimeGroup = n.group;
        splitParts.push(prefix + STR_COMMA_SRC);
      } else {
        strings.push(scalar);
        splitParts.push(prefix + PLAIN_STR_SRC);
      }
    } else if (typeof v === 'number') {
      n.scalar++;
      fields.push({ fixed: null, groups: [nextGroup(n)], kinds: [NUM], glue: ['', ''] });
      csvParts.push(`${prefix}(${NUM_SRC})`);
      splitParts.push(prefix + NUM_SRC);
    } else if (typeof v !== 'object' || v === null) {
      fields.push({ fixed: cellOf(v), groups: [], kinds: [], glue: [] });
      csvParts.push(prefix + String(v));
      n.gap += String(v).length;
      splitParts.push(prefix + String(v));
    } else if (!spaced && Array.isArray(v) && v.every((x) => typeof x === 'number')) {
      n.scalar++;
      const wrap = v.length > 1 ? '"' : '';
      fields.push({ fixed: null, groups: [nextGroup(n)], kinds: [NUM_ARRAY], glue: [wrap, wrap] });
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
  let t = templateCache.get(csvSource);
  if (t === undefined) {
    if (templateCache.size >= MAX_CACHED_TEMPLATES) templateCache.clear();
    const split = new RegExp(`\\{${ws}${splitParts.join(`${ws},${ws}`)}${ws}\\}`, 'y');
    const gaps = spaced ? null : n.gaps;
    t = { csv: new RegExp(csvSource, 'y'), split, keys, fields, obTimeGroup, shape: record, strings, gaps, groupCount: n.group, spaced };
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
    n.gap += s.length;
  };
  const capture = (kind: Kind): void => {
    cell.groups.push(nextGroup(n));
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
function shapeTemplate(record: Row, spaced: boolean): Template | null {
  try {
    return templateOf(record, null, spaced);
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

// ---------------------------------------------------------------------------------------------------
// Page walking

/**
 * Walks the page's records in order: `record(p, index)` handles the record starting at p and returns the
 * offset just past it. Enforces the page grammar around the records, lenient forms included.
 */
function walkPage(body: string, record: (p: number, index: number) => number): number {
  const len = body.length;
  let p = skipWs(body, 0);
  if (p === len) return 0;
  const c = body.charCodeAt(p);
  if (c === 123) {
    expectEnd(body, record(p, 0));
    return 1;
  }
  if (c === 110 && body.startsWith('null', p)) {
    expectEnd(body, p + 4);
    return 0;
  }
  if (c !== 91) {
    expectEnd(body, scanValue(body, p));
    throw new PageFormatError(`the page is not an array of records: it starts with ${JSON.stringify(body.slice(p, p + 20))}`, p);
  }
  p = skipWs(body, p + 1);
  if (body.charCodeAt(p) === 93) {
    expectEnd(body, p + 1);
    return 0;
  }
  for (let index = 0; ; ) {
    let q = record(p, index++);
    let d = body.charCodeAt(q);
    if (d === 44) {
      p = q + 1;
      if (body.charCodeAt(p) !== 123) p = skipWs(body, p);
      continue;
    }
    q = skipWs(body, q);
    d = body.charCodeAt(q);
    if (d === 44) p = skipWs(body, q + 1);
    else if (d === 93) {
      expectEnd(body, q + 1);
      return index;
    } else fail(body, q, "',' or ']'");
  }
}

function expectEnd(body: string, i: number): void {
  const j = skipWs(body, i);
  if (j !== body.length) fail(body, j, 'the end of the page');
}

/** Validates and parses the record at p the slow way. */
function slowRecord(body: string, p: number, index: number): { record: Row; end: number } {
  const end = scanValue(body, p);
  if (body.charCodeAt(p) !== 123) {
    throw new PageFormatError(`element ${index} of the page is not an object: ${JSON.stringify(body.slice(p, Math.min(end, p + 40)))}`, p);
  }
  return { record: JSON.parse(body.slice(p, end)) as Row, end };
}

function obTimeOf(record: Row): string {
  const t = Object.hasOwn(record, 'obTime') ? record['obTime'] : undefined;
  return typeof t === 'string' ? t : '';
}

/**
 * The templates in use for one page, most recently matched first. A slow record proposes the template of
 * its own shape, kept only if it matches that very record; a page of escaped text, which no template
 * matches, soon stops proposing (then only every 64th slow record tries).
 */
class TemplateSet<A extends { template: Template }> {
  readonly list: A[] = [];
  private misses = 0;
  private slow = 0;

  constructor(
    private readonly activate: (t: Template) => A,
    private readonly pattern: (t: Template) => RegExp,
  ) {}

  learn(body: string, record: Row, start: number, end: number): void {
    this.slow++;
    if (this.misses >= 8 && (this.slow & 63) !== 0) return;
    // Compact text first; whitespace between tokens (pretty-printed pages) costs the pattern a little more.
    let t = shapeTemplate(record, false);
    if (t !== null && !matchesWhole(this.pattern(t), body, start, end)) t = shapeTemplate(record, true);
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

// ---------------------------------------------------------------------------------------------------
// CSV

/** Records a general template watches before making the strings that never changed into literals. */
const LEARN_RECORDS = 64;
/** Specialisations per general template and page: each one follows a "constant" that changed. */
const MAX_SPECIALISATIONS = 6;

interface Learning {
  /** Records still to watch. */
  left: number;
  /** Candidate strings (by scalar number) that had the same value in every record seen, with it. */
  same: Map<number, string>;
  /** Candidates seen to change: never literals again on this page. */
  changed: Set<number>;
  rounds: number;
}

/**
 * A template laid out for the page's current keys: a row is glue[0] + piece 0 + glue[1] + ... where the
 * pieces are the captures in column order and the glue holds separators, fixed cells, empty cells for
 * keys the shape lacks, nested values' JSON punctuation, and the final "\n".
 */
interface CsvLayout {
  template: Template;
  groups: number[];
  kinds: Kind[];
  glue: string[];
  /** When the pieces come in text order (the usual case): the fixed text before each one. */
  gaps: number[] | null;
  glueLength: number;
  version: number;
  /** A general layout learns which strings stay the same on this page; null for specialised ones. */
  learning: Learning | null;
  /** A specialised layout's general one. */
  general: CsvLayout | null;
}

function layOut(layout: CsvLayout, keys: readonly string[], columns: ReadonlyMap<string, number>, version: number): void {
  const t = layout.template;
  const fieldOf = new Array<number>(keys.length).fill(-1);
  t.keys.forEach((k, f) => {
    fieldOf[columns.get(k)!] = f;
  });
  const groups: number[] = [];
  const kinds: Kind[] = [];
  const glue = [''];
  const add = (s: string): void => {
    glue[glue.length - 1] += s;
  };
  fieldOf.forEach((f, column) => {
    if (column > 0) add(',');
    if (f < 0) return;
    const cell = t.fields[f]!;
    if (cell.fixed !== null) {
      add(cell.fixed);
      return;
    }
    add(cell.glue[0]!);
    cell.groups.forEach((g, i) => {
      groups.push(g);
      kinds.push(cell.kinds[i]!);
      glue.push(cell.glue[i + 1]!);
    });
  });
  add('\n');
  layout.groups = groups;
  const gaps = t.gaps;
  layout.gaps = gaps !== null && groups.length === t.groupCount && groups.every((g, j) => g === j + 1) ? groups.map((g) => gaps[g]!) : null;
  layout.kinds = kinds;
  layout.glue = glue;
  layout.glueLength = glue.reduce((n, s) => n + s.length, 0);
  layout.version = version;
}

/**
 * Row pieces gather in arrays of BATCH strings, joined while the captures they hold are still young. The
 * joined text goes into a scratch buffer reused from page to page, and the page's string is made from it
 * once. Kept as strings until the end, the joins would be copied by the garbage collector and grow the
 * heap by fresh memory every page, which on the measured machine cost as much as all the joining.
 * Text beyond Latin-1 (rare here) cannot go through the buffer and stays in strings.
 */
const BATCH = 4096;
const NOT_LATIN1 = /[^\x00-\xff]/;
const SCRATCH_KEPT = 1 << 26;
let scratch = Buffer.allocUnsafe(1 << 20);

/** One response page transcoded to CSV rows: equal to `referenceCsv`, plus row offsets and obTimes. */
export function transcodePageToCsv(body: string): CsvPage {
  return createCsvPageTranscoder().push(body);
}

/** One page delivered as consecutive pieces, each a JSON array text (or the other lenient forms) of whole records. */
export interface CsvPageTranscoder {
  /**
   * Transcodes the next piece; learned templates, column order and literals carry over from earlier pieces.
   * The result's keys are the first-appearance union over every record pushed so far (earlier results'
   * keys are prefixes of it), each of its rows has that many cells, and count, rowEnds and obTimes are the
   * piece's alone. So the rows of piece i, given `a` more keys by the last piece, become the whole page's
   * rows by appending `a` commas to each (`a - 1` if piece i had no keys at all: its rows are "\n", one
   * empty cell), and their concatenation is `referenceCsv(whole page).rows`. A piece that throws
   * PageFormatError leaves the columns as they were before it. Neither the transcoder nor the result
   * keeps the piece's text (no slices of it).
   */
  push(piece: string): CsvPage;
}

/**
 * A transcoder for one page cut into pieces at record boundaries: a page held as one string costs its
 * size again in large-object garbage, pieces do not. The per-page learning (templates, their literals,
 * the column order) is paid once per page, not per piece: learning it afresh every ~80 records would
 * cost more than the transcoding.
 */
export function createCsvPageTranscoder(): CsvPageTranscoder {
  // The page's state, carried from piece to piece.
  const keys: string[] = [];
  const columns = new Map<string, number>();
  let version = 0;

  const activate = (template: Template, general: CsvLayout | null): CsvLayout => {
    const learning = general === null ? { left: LEARN_RECORDS, same: new Map<number, string>(), changed: new Set<number>(), rounds: 0 } : null;
    const layout: CsvLayout = { template, groups: [], kinds: [], glue: [], gaps: null, glueLength: 0, version: -1, learning, general };
    layOut(layout, keys, columns, version);
    return layout;
  };
  const templates = new TemplateSet<CsvLayout>(
    (t) => activate(t, null),
    (t) => t.csv,
  );
  /** Puts in front a specialisation of `general` for the strings that never changed, if any are left. */
  const specialise = (general: CsvLayout): void => {
    const learning = general.learning!;
    if (learning.same.size === 0 || learning.rounds >= MAX_SPECIALISATIONS) return;
    const t = templateOf(general.template.shape, learning.same, general.template.spaced);
    if (t === null) return;
    learning.rounds++;
    templates.toFront(templates.list.find((a) => a.template === t) ?? activate(t, general));
  };
  /** `general` matched a record its specialisation in front missed: some "constant" changed. */
  const respecialise = (general: CsvLayout, m: RegExpExecArray): void => {
    const learning = general.learning!;
    for (const [scalar, value] of learning.same) {
      if (m[scalar] !== value) {
        learning.same.delete(scalar);
        learning.changed.add(scalar);
      }
    }
    templates.remove(templates.list[0]!);
    templates.toFront(general);
    specialise(general);
  };
  const watch = (general: CsvLayout, m: RegExpExecArray): void => {
    const learning = general.learning!;
    for (const scalar of general.template.strings) {
      if (learning.changed.has(scalar)) continue;
      const v = m[scalar]!;
      const seen = learning.same.get(scalar);
      // A capture is a slice of the piece: a literal made of it would keep the piece alive in the template cache.
      if (seen === undefined) learning.same.set(scalar, detach(v));
      else if (seen !== v) {
        learning.same.delete(scalar);
        learning.changed.add(scalar);
      }
    }
    if (--learning.left === 0) specialise(general);
  };

  // The current piece's state, reset by push; `body` is '' between pushes, so no piece outlives its push.
  let body = '';
  let batch: string[] = [];
  let written = 0;
  /** Set once text beyond Latin-1 shows up: the piece's text so far, in order. */
  let wide = null as string[] | null;
  let obTimes: string[] = [];
  /** (first row index, width) each time the keys grew. */
  let widths: number[] = [];
  let rowEnds = new Uint32Array(0);
  let total = 0;
  /** The last obTime of the fast path, detached from its piece. */
  let lastObTime = '';

  const flush = (): void => {
    const chunk = batch.join('');
    batch = [];
    if (wide === null && NOT_LATIN1.test(chunk)) wide = [scratch.toString('latin1', 0, written)];
    if (wide !== null) {
      wide.push(chunk);
      return;
    }
    if (written + chunk.length > scratch.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * scratch.length, written + chunk.length));
      scratch.copy(grown, 0, 0, written);
      scratch = grown;
    }
    written += scratch.write(chunk, written, 'latin1');
  };

  const record = (p: number, index: number): number => {
    if (batch.length >= BATCH) flush();
    let end = -1;
    let length = 0;
    const list = templates.list;
    for (let k = 0; k < list.length; k++) {
      const layout = list[k]!;
      const t = layout.template;
      const re = t.csv;
      re.lastIndex = p;
      const m = re.exec(body);
      if (m === null) continue;
      if (k > 0) {
        if (list[0]!.general === layout) respecialise(layout, m);
        else templates.toFront(layout);
      } else if (layout.learning !== null && layout.learning.left > 0) watch(layout, m);
      if (layout.version !== version) layOut(layout, keys, columns, version);
      const { groups, kinds, glue, gaps } = layout;
      const mark = batch.length;
      length = layout.glueLength;
      batch.push(glue[0]!);
      let j = 0;
      let at = p;
      for (; j < groups.length; j++) {
        let v = m[groups[j]!]!;
        const kind = kinds[j];
        const from = gaps === null ? 0 : at + gaps[j]!;
        if (gaps !== null) at = from + v.length;
        if (kind === COMMA) {
          if (v.indexOf(',') !== -1) v = `"${v}"`;
        } else if (kind === NUM_ARRAY) {
          if (!(gaps === null ? areCanonicalAt(v, 0, v.length) : areCanonicalAt(body, from, at))) v = JSON.stringify(JSON.parse(v));
        } else if (kind !== RAW && !(gaps === null ? isCanonicalAt(v, 0, v.length) : isCanonicalAt(body, from, at))) {
          const x = +v;
          // JSON.stringify writes an overflowing number as null, String as Infinity: leave it to the slow path.
          if (kind === INNER_NUM && !Number.isFinite(x)) break;
          v = String(x);
        }
        length += v.length;
        batch.push(v, glue[j + 1]!);
      }
      if (j < groups.length) {
        batch.length = mark;
        break;
      }
      if (t.obTimeGroup === 0) obTimes.push('');
      else {
        // A copy, not the capture: the caller may keep obTimes after the piece. Records come in obTime order,
        // dozens to a time, so copying only when it changes costs next to nothing.
        const obTime = m[t.obTimeGroup]!;
        if (obTime !== lastObTime) lastObTime = detach(obTime);
        obTimes.push(lastObTime);
      }
      end = re.lastIndex;
      break;
    }
    if (end < 0) {
      const slow = slowRecord(body, p, index);
      const record = slow.record;
      end = slow.end;
      for (const k of Object.keys(record)) {
        if (!columns.has(k)) {
          columns.set(k, keys.length);
          keys.push(k);
          version++;
          widths.push(index, keys.length);
        }
      }
      const row = `${keys.map((k) => (Object.hasOwn(record, k) ? cellOf(record[k]) : '')).join(',')}\n`;
      batch.push(row);
      length = row.length;
      obTimes.push(obTimeOf(record));
      templates.learn(body, record, p, end);
    }
    total += length;
    if (index === rowEnds.length) {
      const grown = new Uint32Array(index * 2);
      grown.set(rowEnds);
      rowEnds = grown;
    }
    rowEnds[index] = total;
    return end;
  };

  const push = (piece: string): CsvPage => {
    const before = keys.length;
    body = piece;
    batch = [];
    written = 0;
    wide = null;
    obTimes = [];
    widths = [];
    rowEnds = new Uint32Array(Math.min(1 << 16, (piece.length >>> 9) + 16));
    total = 0;
    let count: number;
    try {
      count = walkPage(piece, record);
      flush();
    } catch (err) {
      // The records before the bad one were never delivered: forget the columns they brought.
      for (const k of keys.splice(before)) columns.delete(k);
      version++;
      wide = null;
      obTimes = [];
      widths = [];
      rowEnds = new Uint32Array(0);
      throw err;
    } finally {
      body = '';
      batch = [];
    }
    const text = wide as string[] | null;
    let rows = text === null ? scratch.toString('latin1', 0, written) : text.join('');
    wide = null;
    if (scratch.length > SCRATCH_KEPT) scratch = Buffer.allocUnsafe(1 << 20);
    const ends = rowEnds.subarray(0, count);
    rowEnds = new Uint32Array(0);
    if (widths.length > 0 && widths[widths.length - 2]! > 0) rows = padRows(rows, ends, widths, before, keys.length);
    const page: CsvPage = { keys: keys.slice(), rows, rowEnds: ends, obTimes, count };
    obTimes = [];
    return page;
  };
  return { push };
}

/**
 * Rows written before a later record brought new keys have fewer cells: adds the empty ones and moves
 * `ends` along. `widths` holds (first row index, width) pairs in row order; rows before the first had
 * `initial` cells (none: "\n", which is one empty cell).
 */
function padRows(rows: string, ends: Uint32Array, widths: readonly number[], initial: number, width: number): string {
  const parts: string[] = [];
  let from = 0;
  let shift = 0;
  for (let w = 0, i = 0; i < ends.length; i++) {
    while (w + 2 < widths.length && widths[w + 2]! <= i) w += 2;
    const had = i < widths[0]! ? initial : widths[w + 1]!;
    const missing = had === 0 ? width - 1 : width - had;
    const end = ends[i]!;
    if (missing > 0) {
      parts.push(rows.slice(from, end - 1), ','.repeat(missing));
      from = end - 1;
      shift += missing;
    }
    ends[i] = end + shift;
  }
  parts.push(rows.slice(from));
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------
// JSON

/** One response page kept as raw JSON record texts, for json output. */
export function splitPageJson(body: string): JsonPage {
  const records: string[] = [];
  const obTimes: string[] = [];
  const templates = new TemplateSet<{ template: Template }>(
    (template) => ({ template }),
    (t) => t.split,
  );
  const count = walkPage(body, (p, index) => {
    const list = templates.list;
    for (let k = 0; k < list.length; k++) {
      const t = list[k]!.template;
      const re = t.split;
      re.lastIndex = p;
      const m = re.exec(body);
      if (m === null) continue;
      if (k > 0) templates.toFront(list[k]!);
      const end = re.lastIndex;
      records.push(body.slice(p, end));
      obTimes.push(t.obTimeGroup === 0 ? '' : m[1]!);
      return end;
    }
    const { record, end } = slowRecord(body, p, index);
    records.push(body.slice(p, end));
    obTimes.push(obTimeOf(record));
    templates.learn(body, record, p, end);
    return end;
  });
  return { records, obTimes, count };
}
