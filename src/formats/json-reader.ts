/**
 * The JSON artifact (one array of records) read back as batches of chosen fields (reader.ts). Each
 * record's top-level members are walked in place: strings are skipped with a native search for the next
 * quote, nested values by counting brackets outside strings; only wanted values become strings.
 */
import { idHash } from './id-hash.js';
import { decimalAt } from './decimal.js';
import { NestedPaths } from './nested.js';
import { ArtifactReadError, BatchBuilder, FieldPlan, readWindows, type ReadOptions, type RecordBatch } from './reader.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MORE = -1;

export async function* readJson(path: string, o: ReadOptions): AsyncGenerator<RecordBatch> {
  const plan = new FieldPlan(o.fields);
  const batch = new BatchBuilder(o);
  const hashIds = o.idHashes === true;
  const nested = new Map<string, NestedPaths>();
  for (const [top, want] of plan.byTop) if (want.steps.length > 0) nested.set(top, new NestedPaths(want.steps, want.slots, want.slots.map((slot) => batch.isNumeric(slot))));
  /** Top-level keys wanted as numbers (ReadOptions.numbers). */
  const numericKeys = new Set([...plan.byTop].filter(([, want]) => want.direct.length > 0 && want.direct.every((slot) => batch.isNumeric(slot))).map(([top]) => top));
  const ready: RecordBatch[] = [];
  /** 0: before `[`; 1: before a record or `]`; 2: after a record (`,` or `]`); 3: after `]`. */
  let state = 0;
  let recordNo = 0;
  const fail = (detail: string): never => {
    throw new ArtifactReadError(path, detail);
  };

  /** One record `{...}` from p: its end, or MORE. */
  const record = (buf: Buffer, p: number, end: number): number => {
    const i = batch.begin();
    p = ws(buf, p + 1, end);
    if (p >= end) return MORE;
    if (buf[p] === 0x7d) return p + 1;
    for (;;) {
      if (buf[p] !== QUOTE) fail(`record ${recordNo}: expected a key`);
      const keyEnd = stringEnd(buf, p, end);
      if (keyEnd < 0) return MORE;
      const key = decode(buf, p, keyEnd);
      p = ws(buf, keyEnd, end);
      if (p >= end) return MORE;
      if (buf[p] !== 0x3a) fail(`record ${recordNo}: expected ':'`);
      p = ws(buf, p + 1, end);
      const vEnd = valueEnd(buf, p, end);
      if (vEnd < 0) return MORE;
      // A null id is absent, as an empty CSV cell is: it keeps the hash of "".
      if (hashIds && key === 'id' && buf[p] !== 0x6e) batch.setHash(i, idHash(buf[p] === QUOTE ? decode(buf, p, vEnd) : buf.toString('utf8', p, vEnd)));
      const want = plan.byTop.get(key);
      if (want !== undefined) {
        const c = buf[p];
        // A JSON number wanted as a number is read from its bytes where decimal.ts can (no string).
        const num = c !== QUOTE && numericKeys.has(key) ? decimalAt(buf, p, vEnd) : Number.NaN;
        if (!Number.isNaN(num)) for (const slot of want.direct) batch.setNumber(slot, i, num);
        else if (want.direct.length > 0) {
          const v = c === QUOTE ? decode(buf, p, vEnd) : buf.toString('utf8', p, vEnd);
          const scalar = c === QUOTE ? v : v === 'null' ? '' : v;
          for (const slot of want.direct) batch.set(slot, i, scalar);
        }
        if (c === 0x5b || c === 0x7b) nested.get(key)?.extract(buf, p, vEnd, false, batch, i);
      }
      p = ws(buf, vEnd, end);
      if (p >= end) return MORE;
      if (buf[p] === 0x7d) return p + 1;
      if (buf[p] !== 0x2c) fail(`record ${recordNo}: expected ',' or '}'`);
      p = ws(buf, p + 1, end);
      // The window may end right after the comma: the key is in the next one.
      if (p >= end) return MORE;
    }
  };

  const scan = (buf: Buffer, from: number, end: number, last: boolean): number => {
    let p = from;
    for (;;) {
      const q = ws(buf, p, end);
      if (q >= end) {
        if (last && state !== 3) fail('it is not a whole JSON array (cut short?)');
        return q;
      }
      const c = buf[q]!;
      if (state === 0) {
        if (c !== 0x5b) fail('it is not a JSON array');
        state = 1;
        p = q + 1;
      } else if (state === 1 || state === 2) {
        if (c === 0x5d) {
          state = 3;
          p = q + 1;
        } else if (state === 2) {
          if (c !== 0x2c) fail(`expected ',' or ']' after record ${recordNo - 1}`);
          state = 1;
          p = q + 1;
        } else {
          if (c !== 0x7b) fail(`element ${recordNo} is not an object`);
          const next = record(buf, q, end);
          if (next === MORE) {
            if (last) fail('it is not a whole JSON array (cut short?)');
            return q;
          }
          recordNo++;
          state = 2;
          p = next;
          if (batch.commit()) ready.push(batch.take());
        }
      } else fail('text after the end of the array');
    }
  };
  for await (const _ of readWindows(path, scan)) {
    yield* ready;
    ready.length = 0;
  }
  if (batch.count > 0) yield batch.take();
}

function ws(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/** Just past the string starting at p, or MORE. */
function stringEnd(buf: Buffer, p: number, end: number): number {
  let q = p + 1;
  for (;;) {
    q = buf.indexOf(QUOTE, q);
    if (q < 0 || q >= end) return MORE;
    let k = q - 1;
    while (buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    q++;
  }
}

/** Just past the value starting at p, or MORE. */
function valueEnd(buf: Buffer, p: number, end: number): number {
  if (p >= end) return MORE;
  const c = buf[p];
  if (c === QUOTE) return stringEnd(buf, p, end);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let q = p; q < end; q++) {
      const b = buf[q];
      if (b === QUOTE) {
        q = stringEnd(buf, q, end) - 1;
        if (q < 0) return MORE;
      } else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--depth === 0) return q + 1;
      }
    }
    return MORE;
  }
  let q = p;
  while (q < end) {
    const b = buf[q];
    if (b === 0x2c || b === 0x7d || b === 0x5d || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) return q;
    q++;
  }
  return MORE;
}

function decode(buf: Buffer, from: number, to: number): string {
  const s = buf.toString('utf8', from + 1, to - 1);
  return s.indexOf('\\') < 0 ? s : (JSON.parse(`"${s}"`) as string);
}

/** The first and last records' obTimes of a JSON artifact from its first and last 64 KB, or what is wrong with its ends. */
export function jsonEnds(head: string, tail: string): { first: string; last: string } | string {
  if (!head.trimStart().startsWith('[') || !tail.trimEnd().endsWith(']')) return 'it is not a whole JSON array (cut short?)';
  const re = /"obTime"\s*:\s*"([^"\\]*)"/g;
  const first = re.exec(head)?.[1] ?? undefined;
  let last: string | undefined;
  re.lastIndex = 0;
  for (const m of tail.matchAll(re)) last = m[1];
  if (first === undefined || last === undefined) return 'no obTime found at its start or end';
  return { first, last };
}
