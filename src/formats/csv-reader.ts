/**
 * The CSV artifact read back as batches of chosen fields (reader.ts). RFC 4180 as csv-stringify writes
 * it: a header of column names, rows ending in "\n" (CRLF is taken too), a cell in double quotes when it
 * holds a comma, quote or line break, `""` for a quote inside. The byte scanning is done by a small
 * WebAssembly module (csv-scan.wat) that gives the byte ranges of the wanted columns' cells and checks
 * each row's shape; only those cells become strings (or id hashes). Nested columns (JSON text, or Python
 * literals from the reference tool) are walked in place.
 */
import { open } from 'node:fs/promises';
import { CsvScanner, END, IN, MAX_COLUMNS, MAX_WINDOW, OUT, SAME, SKELETONS } from './csv-scan.js';
import { idHash, idHashBytes } from './id-hash.js';
import { NestedPaths } from './nested.js';
import { TextCache } from './text-cache.js';
import { Trial } from './trial.js';
import { ArtifactReadError, BatchBuilder, FieldPlan, type ReadOptions, type RecordBatch } from './reader.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const FIRST_WINDOW = 1 << 20;
/** Cells up to this many bytes are compared with the row above's before a string is made of them. */
const SHORT = 40;

/**
 * A column the scanner hands over (one per output slot, in column order): the batch slots its text
 * fills, the nested fields read out of it, and whether it is the id to hash.
 */
interface WantedColumn {
  column: number;
  direct: number[];
  nested: NestedPaths | undefined;
  hashId: boolean;
  /** Its direct fields are wanted as numbers too (ReadOptions.numbers). */
  numeric: boolean;
  /** The text of this column in the row taken last ('' when it was read as a number), and that number (else NaN). */
  previous: string;
  previousNum: number;
  cache: TextCache;
  /** Whether a nested cell is compared with the row above's (a dosimeter pair shares its senPos), and how that went. */
  repeat: Trial;
}

export async function* readCsv(path: string, o: ReadOptions): AsyncGenerator<RecordBatch> {
  const plan = new FieldPlan(o.fields);
  const batch = new BatchBuilder(o);
  const ready: RecordBatch[] = [];
  const scanner = new CsvScanner(FIRST_WINDOW);
  let wanted: WantedColumn[] | undefined;
  let width = 0;
  let rowNo = 0;
  const fail = (detail: string): never => {
    throw new ArtifactReadError(path, detail);
  };
  const check = (): void => {
    const problem = scanner.problem(rowNo, width);
    if (problem !== undefined) fail(problem);
  };

  /** The header row at p: the columns' names, and which the scanner hands over. False when it needs more bytes. */
  const header = (p: number, end: number, last: boolean): boolean => {
    const words = scanner.words;
    for (let k = 0; k < MAX_COLUMNS; k++) words[k] = k + 1;
    const rows = scanner.scan(p, end, last, 0, MAX_COLUMNS, 1);
    check();
    if (rows === 0) return false;
    width = scanner.cells;
    if (width > MAX_COLUMNS) fail(`its header has ${width} columns, more than the ${MAX_COLUMNS} an artifact can have`);
    const names: string[] = [];
    for (let k = 0; k < width; k++) names.push(cellAt(scanner.bytes, words, OUT / 4 + 2 * k));
    names[0] = names[0]!.replace(/^\uFEFF/, '');
    wanted = [];
    words.fill(0, 0, MAX_COLUMNS);
    names.forEach((name, column) => {
      const cp = plan.byTop.get(name);
      const hashId = o.idHashes === true && name === 'id';
      if (cp === undefined && !hashId) return;
      const nested = cp !== undefined && cp.steps.length > 0 ? new NestedPaths(cp.steps, cp.slots, batch.numericFlags(cp.slots), scanner.decimals, scanner.skeletons.take()) : undefined;
      const direct = cp?.direct ?? [];
      wanted!.push({ column, direct, nested, hashId, numeric: batch.allNumeric(direct), previous: '', previousNum: Number.NaN, cache: new TextCache(), repeat: new Trial() });
      words[column] = wanted!.length;
    });
    rowNo = 1;
    return true;
  };

  /** Rows [0, rows) of the last scan into the batch. */
  const take = (rows: number): void => {
    const n = wanted!.length;
    const { bytes: mem, words } = scanner;
    for (let r = 0; r < rows; r++) {
      const i = batch.begin();
      for (let s = 0; s < n; s++) {
        const wc = wanted![s]!;
        const w = OUT / 4 + 2 * (r * n + s);
        const from = words[w]!;
        const to = words[w + 1]! & END;
        const doubled = words[w + 1]! < 0;
        // The scanner compared the cell with the row above's (csv-scan.wat, bit 30).
        const same = (words[w + 1]! & SAME) !== 0;
        if (wc.hashId) batch.setHash(i, doubled ? idHash(cellText(mem, from, to, true)) : idHashBytes(mem, from, to));
        if (wc.nested !== undefined && to > from) {
          // A nested cell equal to the row above's (the two dosimeters of a sensor share senPos) gives
          // the same fields without a walk.
          if (r > 0 && wc.repeat.on && wc.repeat.note(same)) {
            wc.nested.repeat(batch, i);
          } else {
            try {
              wc.nested.extract(mem, from, to, doubled, batch, i);
            } catch (err) {
              fail(`row ${rowNo}, column ${wc.column + 1}: ${(err as Error).message}`);
            }
          }
        }
        if (wc.direct.length === 0) continue;
        if (wc.numeric) {
          number(wc, mem, from, to, doubled, same, i);
          continue;
        }
        // A short cell equal to the row above's (obTime: 64 rows in a row share one) reuses its string,
        // and one seen lately (idSensor) comes from the column's cache.
        const short = to - from <= SHORT && !doubled;
        const v = !short
          ? cellText(mem, from, to, doubled)
          : same
            ? wc.previous
            : wc.cache.get(mem, from, to, r > 0);
        wc.previous = v;
        for (const slot of wc.direct) batch.set(slot, i, v);
      }
      rowNo++;
      if (batch.commit()) ready.push(batch.take());
    }
  };

  /**
   * The numeric cell at [from, to) of batch record i: the row above's value when the bytes are the same
   * (`same`: a sensor's two dosimeter rows share lat, lon, alt), else a number from the bytes where
   * decimal.ts can, else the text.
   */
  const number = (wc: WantedColumn, mem: Buffer, from: number, to: number, doubled: boolean, same: boolean, i: number): void => {
    if (!same) {
      wc.previousNum = doubled ? Number.NaN : scanner.decimals.at(mem, from, to);
      wc.previous = !Number.isNaN(wc.previousNum) ? '' : cellText(mem, from, to, doubled);
    }
    const num = wc.previousNum;
    for (const slot of wc.direct) {
      if (!Number.isNaN(num)) batch.setNumber(slot, i, num);
      else batch.set(slot, i, wc.previous);
    }
  };

  const fh = await open(path, 'r');
  try {
    let end = IN;
    for (;;) {
      // One row larger than the window: double it.
      if (end === IN + scanner.window) {
        if (2 * scanner.window > MAX_WINDOW) fail(`row ${rowNo} is longer than ${MAX_WINDOW >> 20} MB`);
        scanner.resize(2 * scanner.window);
      }
      const { bytesRead } = await fh.read(scanner.bytes, end, IN + scanner.window - end, null);
      end += bytesRead;
      const last = bytesRead === 0;
      let p = IN;
      if (wanted === undefined) {
        if (!header(p, end, last)) {
          // A header cut short is the scanner's error; here the file has no bytes at all.
          if (last) fail('it is empty (no header row)');
          continue;
        }
        p = scanner.pos;
      }
      for (;;) {
        const maxRows = Math.min(batch.size - batch.count, Math.floor((SKELETONS - OUT) / (8 * Math.max(1, wanted!.length))));
        const rows = scanner.scan(p, end, last, width, wanted!.length, maxRows);
        take(rows);
        p = scanner.pos;
        check();
        // Each full batch goes out at once: a window's worth of strings held until its end would
        // outlive the young generation and be copied and promoted (measured: 1.1 of 8 CPU-s in GC).
        yield* ready;
        ready.length = 0;
        if (rows < maxRows) break;
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

/** The text of the cell whose range is at words[w], words[w + 1]. */
function cellAt(mem: Buffer, words: Int32Array, w: number): string {
  return cellText(mem, words[w]!, words[w + 1]! & END, words[w + 1]! < 0);
}

function cellText(buf: Buffer, from: number, to: number, doubled: boolean): string {
  const s = buf.toString('utf8', from, to);
  return doubled ? s.replaceAll('""', '"') : s;
}

/** The first and last records' obTimes of a CSV artifact from its first and last 64 KB, or what is wrong with its ends. */
export function csvEnds(head: string, tail: string): { first: string; last: string } | string {
  if (!tail.endsWith('\n')) return 'it does not end with a whole row (cut short?)';
  const lines = head.split('\n');
  const header = cellsOf(lines[0] ?? '');
  const col = header.indexOf('obTime');
  if (col < 0) return 'its header has no obTime column';
  const firstRow = cellsOf(lines[1] ?? '');
  const lastLine = tail.slice(tail.lastIndexOf('\n', tail.length - 2) + 1, -1);
  const lastRow = cellsOf(lastLine);
  if (!firstRow[col] || !lastRow[col]) return 'its first or last row does not parse';
  return { first: firstRow[col]!, last: lastRow[col]! };
}

/** The cells of one line (no line breaks inside quotes: the ends of a row are read only up to obTime). */
function cellsOf(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line.charCodeAt(i) === QUOTE) {
      let j = i + 1;
      let v = '';
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return out;
        v += line.slice(j, q);
        if (line.charCodeAt(q + 1) === QUOTE) {
          v += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
    } else {
      const c = line.indexOf(',', i);
      const e = c < 0 ? line.length : c;
      out.push(line.slice(i, e));
      i = e;
    }
    if (line.charCodeAt(i) !== COMMA) break;
    i++;
  }
  return out;
}
