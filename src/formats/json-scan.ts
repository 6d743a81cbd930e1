/**
 * The JSON grammar around and inside records: an exact validator (the slow path's and the errors' ground
 * truth), the page walker that enforces the page grammar (lenient forms included), and the slow path for
 * one record (validate, then JSON.parse it alone).
 */
import { ReachUdlError } from '../errors.js';
import type { PieceIn } from './piece.js';

export type Row = Record<string, unknown>;

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

// Exact JSON validation (the slow path's and the errors' ground truth)

const WS_RE = /[ \t\n\r]*/y;
// One character per iteration: `(?:[^"\\]+|...)*` would backtrack exponentially on an unterminated string.
const STRING_RE = /"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function skipWs(body: string, i: number): number {
  const c = body.charCodeAt(i);
  if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
  WS_RE.lastIndex = i;
  WS_RE.test(body);
  return WS_RE.lastIndex;
}

export function fail(body: string, i: number, expected: string): never {
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
export function scanValue(body: string, start: number): number {
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

// Page walking

/**
 * Walks the page's records in order: `record(p, index)` handles the record starting at p and returns the
 * offset just past it. Enforces the page grammar around the records, lenient forms included.
 */
export function walkPage(body: string, record: (p: number, index: number) => number): number {
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

/** What a record callback of walkPiece may say: it took `more` records after the one asked for (then 0 again). */
export interface RecordRun {
  more: number;
}

/**
 * walkPage over a piece: for ASCII text over its bytes (offsets are the same), so that the text is
 * decoded only if a record or an error needs it; pages that are not arrays take the text walk. With
 * `run`, `record` may take the records after the one at p too (its end is then the last one's).
 */
export function walkPiece(piece: PieceIn, record: (p: number, index: number) => number, run?: RecordRun): number {
  if (!piece.ascii) return walkPage(piece.text, record);
  const b = piece.bytes;
  const len = b.length;
  let p = skipBlanks(b, 0);
  if (p === len || b[p] !== 91) return walkPage(piece.text, record);
  p = skipBlanks(b, p + 1);
  if (b[p] === 93) {
    if (skipBlanks(b, p + 1) !== len) expectEnd(piece.text, p + 1);
    return 0;
  }
  for (let index = 0; ; ) {
    let q = record(p, index++);
    if (run !== undefined && run.more > 0) {
      index += run.more;
      run.more = 0;
    }
    let d = b[q];
    if (d === 44) {
      p = q + 1;
      if (b[p] !== 123) p = skipBlanks(b, p);
      continue;
    }
    q = skipBlanks(b, q);
    d = b[q];
    if (d === 44) p = skipBlanks(b, q + 1);
    else if (d === 93) {
      if (skipBlanks(b, q + 1) !== len) expectEnd(piece.text, q + 1);
      return index;
    } else fail(piece.text, q, "',' or ']'");
  }
}

function skipBlanks(b: Buffer, i: number): number {
  for (let c = b[i]; c === 32 || c === 10 || c === 13 || c === 9; c = b[++i]);
  return i;
}

export function expectEnd(body: string, i: number): void {
  const j = skipWs(body, i);
  if (j !== body.length) fail(body, j, 'the end of the page');
}

/** Validates and parses the record at p the slow way. */
export function slowRecord(body: string, p: number, index: number): { record: Row; end: number } {
  const end = scanValue(body, p);
  if (body.charCodeAt(p) !== 123) {
    throw new PageFormatError(`element ${index} of the page is not an object: ${JSON.stringify(body.slice(p, Math.min(end, p + 40)))}`, p);
  }
  return { record: JSON.parse(body.slice(p, end)) as Row, end };
}

export function obTimeOf(record: Row): string {
  const t = Object.hasOwn(record, 'obTime') ? record['obTime'] : undefined;
  return typeof t === 'string' ? t : '';
}
