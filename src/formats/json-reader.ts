/**
 * The JSON artifact (one array of records) read back as batches of chosen fields (reader.ts). Each
 * record's top-level members are walked in place: strings are skipped with a native search for the next
 * quote, nested values by counting brackets outside strings; only wanted values become strings.
 */
import { bytesEqual, viewOf } from './bytes-equal.js';
import { decimalAt } from './decimal.js';
import { idHash, idHashBytes } from './id-hash.js';
import { NestedPaths } from './nested.js';
import { ArtifactReadError, BatchBuilder, FieldPlan, readWindows, type ReadOptions, type RecordBatch } from './reader.js';
import { TextCache } from './text-cache.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MORE = -1;

/**
 * What the key at one position of a record resolved to. Records repeat their keys in one order, so the
 * bytes from the previous value's end to this key's value (`lead`: `,"lat":`, blanks and all) are
 * compared with the previous record's at this position; when they are the same, the key and where its
 * value starts are known without walking them.
 */
interface KeySlot {
  /** The key's bytes between its quotes, as written. */
  view: DataView;
  length: number;
  key: string;
  /** The bytes from the previous value's end (or the record's `{`) to this value, as seen last. */
  lead: DataView;
  leadLength: number;
  /** Its slots when wanted directly, as text (through `cache`) or as numbers. */
  direct: readonly number[];
  numeric: boolean;
  cache: TextCache;
  nested: NestedPaths | undefined;
}

const NO_LEAD = new DataView(new ArrayBuffer(0));

export async function* readJson(path: string, o: ReadOptions): AsyncGenerator<RecordBatch> {
  const plan = new FieldPlan(o.fields);
  const batch = new BatchBuilder(o);
  const hashIds = o.idHashes === true;
  const nested = new Map<string, NestedPaths>();
  for (const [top, want] of plan.byTop) if (want.steps.length > 0) nested.set(top, new NestedPaths(want.steps, want.slots, batch.numericFlags(want.slots)));
  const slots: KeySlot[] = [];
  /** The KeySlot for a key seen at a position for the first time (or after another key was there). */
  const resolve = (buf: Buffer, a: number, b: number, key: string): KeySlot => {
    const bytes = Buffer.from(buf.subarray(a, b));
    const direct = plan.byTop.get(key)?.direct ?? [];
    return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), length: bytes.length, key, lead: NO_LEAD, leadLength: -1, direct, numeric: batch.allNumeric(direct), cache: new TextCache(), nested: nested.get(key) };
  };
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
    const view = viewOf(buf);
    p++;
    for (let k = 0; ; k++) {
      let ks = slots[k];
      const n = ks === undefined ? -1 : ks.leadLength;
      // The same bytes as the previous record's up to this value, and no blank after them (the walk
      // would skip it): the same key, and the value starts there.
      if (n >= 0 && p + n < end && bytesEqual(view, p, ks!.lead, 0, n) && !isBlank(buf[p + n]!)) p += n;
      else {
        const leadStart = p;
        p = ws(buf, p, end);
        if (p >= end) return MORE;
        if (buf[p] === 0x7d) return p + 1;
        if (k > 0) {
          if (buf[p] !== 0x2c) fail(`record ${recordNo}: expected ',' or '}'`);
          p = ws(buf, p + 1, end);
          // The window may end right after the comma: the key is in the next one.
          if (p >= end) return MORE;
        }
        if (buf[p] !== QUOTE) fail(`record ${recordNo}: expected a key`);
        const keyEnd = stringEnd(buf, p, end);
        if (keyEnd < 0) return MORE;
        if (ks === undefined || ks.length !== keyEnd - p - 2 || !bytesEqual(view, p + 1, ks.view, 0, ks.length)) {
          ks = resolve(buf, p + 1, keyEnd - 1, decode(buf, p, keyEnd));
          slots[k] = ks;
        }
        p = ws(buf, keyEnd, end);
        if (p >= end) return MORE;
        if (buf[p] !== 0x3a) fail(`record ${recordNo}: expected ':'`);
        p = ws(buf, p + 1, end);
        const lead = Buffer.from(buf.subarray(leadStart, p));
        ks.lead = new DataView(lead.buffer, lead.byteOffset, lead.length);
        ks.leadLength = lead.length;
      }
      ks = ks!;
      const vEnd = valueEnd(buf, p, end);
      if (vEnd < 0) return MORE;
      const c = buf[p];
      // A null id is absent, as an empty CSV cell is: it keeps the hash of "".
      if (hashIds && ks.key === 'id' && c !== 0x6e) batch.setHash(i, c !== QUOTE ? idHashBytes(buf, p, vEnd) : plain(buf, p + 1, vEnd - 1) ? idHashBytes(buf, p + 1, vEnd - 1) : idHash(decode(buf, p, vEnd)));
      if (ks.direct.length > 0) {
        // A JSON number wanted as a number is read from its bytes where decimal.ts can (no string).
        const num = c !== QUOTE && ks.numeric ? decimalAt(buf, p, vEnd) : Number.NaN;
        if (!Number.isNaN(num)) for (const slot of ks.direct) batch.setNumber(slot, i, num);
        else {
          const scalar = c === QUOTE ? decodeCached(ks.cache, buf, p, vEnd) : isNull(buf, p, vEnd) ? '' : buf.toString('utf8', p, vEnd);
          for (const slot of ks.direct) batch.set(slot, i, scalar);
        }
      }
      if ((c === 0x5b || c === 0x7b) && ks.nested !== undefined) ks.nested.extract(buf, p, vEnd, false, batch, i);
      p = vEnd;
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

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function ws(buf: Buffer, p: number, end: number): number {
  while (p < end) {
    const c = buf[p]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/**
 * Just past the string starting at p, or MORE. A byte loop: the strings of a record are mostly short
 * ("U", "ECP", ids), where Buffer.indexOf's call costs more than the bytes (it did: ~0.8 CPU-s a day).
 */
function stringEnd(buf: Buffer, p: number, end: number): number {
  for (let q = p + 1; q < end; q++) {
    const c = buf[q]!;
    if (c === QUOTE) return q + 1;
    if (c === BACKSLASH) q++;
  }
  return MORE;
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

/** Whether a string's bytes between its quotes, buf[a, b), hold no escape: they are then its UTF-8 text. */
function plain(buf: Buffer, a: number, b: number): boolean {
  for (let k = a; k < b; k++) if (buf[k] === BACKSLASH) return false;
  return true;
}

function isNull(buf: Buffer, a: number, b: number): boolean {
  return b - a === 4 && buf[a] === 0x6e && buf[a + 1] === 0x75 && buf[a + 2] === 0x6c && buf[a + 3] === 0x6c;
}

/** The JSON string at buf[from, to) (its quotes included), repeated values as one string (text-cache.ts). */
function decodeCached(cache: TextCache, buf: Buffer, from: number, to: number): string {
  const s = cache.get(buf, from + 1, to - 1);
  return s.indexOf('\\') < 0 ? s : (JSON.parse(`"${s}"`) as string);
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
