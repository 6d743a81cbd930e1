/**
 * The JSON artifact (one array of records) read back as batches of chosen fields (reader.ts). A small
 * WebAssembly module (json-scan-records.wat) walks the records and gives where each top-level member's key
 * and value are, and whether a record's keys are the previous record's; only the wanted values are looked
 * at here, and only they become strings (or numbers, or id hashes). Nested values are walked in place.
 */
import { open } from 'node:fs/promises';
import { idHash, idHashBytes } from './id-hash.js';
import { END, IN, JsonRecordScanner, MAX_WINDOW, OUT, SAME } from './json-scan-records.js';
import { NestedPaths } from './nested.js';
import { ArtifactReadError, BatchBuilder, FieldPlan, type ReadOptions, type RecordBatch } from './reader.js';
import { TextCache } from './text-cache.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const FIRST_WINDOW = 1 << 20;

/** A wanted top-level key: the batch slots of its value, the nested fields read out of it, and whether it is the id to hash. */
interface WantedKey {
  key: string;
  /** Its slots when wanted directly, as text (through `cache`) or as numbers. */
  direct: readonly number[];
  numeric: boolean;
  cache: TextCache;
  nested: NestedPaths | undefined;
  hashId: boolean;
  /** Its direct value in the record taken last: the text ('' when it was read as a number) and the number (else NaN). */
  previous: string;
  previousNum: number;
}

export async function* readJson(path: string, o: ReadOptions): AsyncGenerator<RecordBatch> {
  const plan = new FieldPlan(o.fields);
  const batch = new BatchBuilder(o);
  const ready: RecordBatch[] = [];
  const scanner = new JsonRecordScanner(FIRST_WINDOW);
  const byKey = new Map<string, WantedKey | null>();
  /** What a key is wanted for, or null. */
  const wantedKey = (key: string): WantedKey | null => {
    let wk = byKey.get(key);
    if (wk === undefined) {
      const cp = plan.byTop.get(key);
      const hashId = o.idHashes === true && key === 'id';
      const direct = cp?.direct ?? [];
      const nested = cp !== undefined && cp.steps.length > 0 ? new NestedPaths(cp.steps, cp.slots, batch.numericFlags(cp.slots), scanner.decimals, scanner.skeletons.take()) : undefined;
      const numeric = batch.allNumeric(direct);
      wk = direct.length > 0 || nested !== undefined || hashId ? { key, direct, numeric, cache: new TextCache(), nested, hashId, previous: '', previousNum: Number.NaN } : null;
      byKey.set(key, wk);
    }
    return wk;
  };
  // The member positions of the wanted keys in the records since their keys last changed, and those keys.
  let positions: number[] = [];
  let wanted: WantedKey[] = [];
  let recordNo = 0;
  const fail = (detail: string): never => {
    throw new ArtifactReadError(path, detail);
  };

  /** The wanted members of the record whose members are listed from words[m], `count` of them. */
  const resolve = (mem: Buffer, words: Int32Array, m: number, count: number): void => {
    positions = [];
    wanted = [];
    for (let k = 0; k < count; k++) {
      const wk = wantedKey(decode(mem, words[m + 4 * k]! - 1, words[m + 4 * k + 1]! + 1));
      if (wk === null) continue;
      positions.push(k);
      wanted.push(wk);
    }
  };

  /** Records [0, records) of the last scan into the batch. */
  const take = (records: number): void => {
    const { bytes: mem, words } = scanner;
    let w = OUT >> 2;
    for (let r = 0; r < records; r++) {
      const count = words[w]!;
      // The scanner compared each value with the record before's in this scan (the first has none);
      // that says something only while the keys, and so the positions, are the same.
      let compared = r > 0;
      if (words[w + 1] !== 0) {
        resolve(mem, words, w + 2, count);
        compared = false;
      }
      const i = batch.begin();
      for (let a = 0; a < positions.length; a++) value(wanted[a]!, mem, words, w + 2 + 4 * positions[a]!, compared, i);
      w += 2 + 4 * count;
      recordNo++;
      if (batch.commit()) ready.push(batch.take());
    }
  };

  /**
   * The value of a wanted member (its range at words[m + 2], words[m + 3]) into batch record i. A value
   * the scanner found to hold the record before's bytes (`compared`, and bit 30) gives what that one gave
   * (a sensor's two dosimeter records share obTime, lat, lon, alt and senPos) without a parse or a walk.
   */
  const value = (wk: WantedKey, mem: Buffer, words: Int32Array, m: number, compared: boolean, i: number): void => {
    const p = words[m + 2]!;
    const vEnd = words[m + 3]! & END;
    const same = compared && (words[m + 3]! & SAME) !== 0;
    const c = mem[p];
    // A null id is absent, as an empty CSV cell is: it keeps the hash of "".
    if (wk.hashId && c !== 0x6e) batch.setHash(i, c !== QUOTE ? idHashBytes(mem, p, vEnd) : plain(mem, p + 1, vEnd - 1) ? idHashBytes(mem, p + 1, vEnd - 1) : idHash(decode(mem, p, vEnd)));
    if ((c === 0x5b || c === 0x7b) && wk.nested !== undefined) {
      if (same) wk.nested.repeat(batch, i);
      else {
        try {
          wk.nested.extract(mem, p, vEnd, false, batch, i);
        } catch (err) {
          fail(`record ${recordNo}, ${wk.key}: ${(err as Error).message}`);
        }
      }
    }
    if (wk.direct.length === 0) return;
    if (!same) {
      // A JSON number wanted as a number is read from its bytes where decimal.ts can (no string).
      const num = c !== QUOTE && wk.numeric ? scanner.decimals.at(mem, p, vEnd) : Number.NaN;
      wk.previousNum = num;
      // A compared value that differs is no use checking against the text cache's last (it was the record before's).
      wk.previous = !Number.isNaN(num) ? '' : c === QUOTE ? decodeCached(wk.cache, mem, p, vEnd, compared) : isNull(mem, p, vEnd) ? '' : mem.toString('utf8', p, vEnd);
    }
    if (!Number.isNaN(wk.previousNum)) for (const slot of wk.direct) batch.setNumber(slot, i, wk.previousNum);
    else for (const slot of wk.direct) batch.set(slot, i, wk.previous);
  };

  const fh = await open(path, 'r');
  try {
    let end = IN;
    for (;;) {
      // One record larger than the window: double it.
      if (end === IN + scanner.window) {
        if (2 * scanner.window > MAX_WINDOW) fail(`record ${recordNo} is longer than ${MAX_WINDOW >> 20} MB`);
        scanner.resize(2 * scanner.window);
      }
      const { bytesRead } = await fh.read(scanner.bytes, end, IN + scanner.window - end, null);
      end += bytesRead;
      const last = bytesRead === 0;
      let p = IN;
      for (;;) {
        const records = scanner.scan(p, end, last, batch.size - batch.count);
        take(records);
        p = scanner.pos;
        const problem = scanner.problem(recordNo);
        if (problem !== undefined) fail(problem);
        // Each full batch goes out at once (see csv-reader.ts).
        yield* ready;
        ready.length = 0;
        // None taken: the window ends inside a record (or the array is done); a full batch or a full
        // output table stops a scan with records taken, and the next one goes on.
        if (records === 0) break;
      }
      if (last) break;
      scanner.bytes.copyWithin(IN, p, end);
      end = IN + (end - p);
    }
  } finally {
    await fh.close();
  }
  if (batch.count > 0) yield batch.take();
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
function decodeCached(cache: TextCache, buf: Buffer, from: number, to: number, changed: boolean): string {
  const s = cache.get(buf, from + 1, to - 1, changed);
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
