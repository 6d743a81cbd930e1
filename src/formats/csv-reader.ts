/**
 * The CSV artifact read back as batches of chosen fields (reader.ts). RFC 4180 as csv-stringify writes
 * it: a header of column names, rows ending in "\n" (CRLF is taken too), a cell in double quotes when it
 * holds a comma, quote or line break, `""` for a quote inside. Quoted cells are skipped with a native
 * search for the next quote, unquoted bytes with a tight loop; only the cells of wanted columns become
 * strings. Nested columns (JSON text, or Python literals from the reference tool) are walked in place.
 */
import { extractNested } from './nested.js';
import { ArtifactReadError, BatchBuilder, DEFAULT_BATCH, FieldPlan, readWindows, type ReadOptions, type RecordBatch } from './reader.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

interface ColumnPlan {
  direct: number[];
  steps: Array<Array<string | number>>;
  slots: number[];
}

export async function* readCsv(path: string, o: ReadOptions): AsyncGenerator<RecordBatch> {
  const plan = new FieldPlan(o.fields);
  const batch = new BatchBuilder(o.fields.length, o.batchSize ?? DEFAULT_BATCH);
  const ready: RecordBatch[] = [];
  let columns: Array<ColumnPlan | undefined> | undefined;
  let width = 0;
  let rowNo = 0;
  const cells: string[] = [];
  const fail = (detail: string): never => {
    throw new ArtifactReadError(path, detail);
  };

  /** One record from p: its end, or -1 when the window ends first. */
  const record = (buf: Buffer, p: number, end: number, last: boolean): number => {
    let col = 0;
    const header = columns === undefined;
    const i = header ? 0 : batch.begin();
    for (;;) {
      if (p >= end) return -1;
      let c = buf[p]!;
      let from: number;
      let to: number;
      let doubled = false;
      if (c === QUOTE) {
        let q = p + 1;
        for (;;) {
          q = buf.indexOf(QUOTE, q);
          if (q < 0 || q + 1 >= end) {
            if (last && q >= 0 && q + 1 === end) fail('the file ends inside its last row (cut short?)');
            if (last) fail('a quoted cell is never closed (cut short?)');
            return -1;
          }
          if (buf[q + 1] !== QUOTE) break;
          doubled = true;
          q += 2;
        }
        from = p + 1;
        to = q;
        p = q + 1;
        c = buf[p]!;
        if (c !== COMMA && c !== LF && c !== CR) fail(`row ${rowNo} has text after a closing quote`);
      } else {
        from = p;
        // biome-ignore lint/suspicious/noAssignInExpressions: a byte scanner reads and tests each byte in one step (hot loop)
        while (p < end && (c = buf[p]!) !== COMMA && c !== LF && c !== CR) p++;
        if (p >= end) {
          if (last) fail('the file does not end with a whole row (cut short?)');
          return -1;
        }
        to = p;
      }
      if (header) cells.push(cellText(buf, from, to, doubled));
      else {
        const cp = columns![col];
        if (cp !== undefined) {
          const v = cellText(buf, from, to, doubled);
          for (const slot of cp.direct) batch.set(slot, i, v);
          if (cp.steps.length > 0 && v !== '') {
            try {
              extractNested(v, cp.steps, batch.columns, cp.slots, i);
            } catch (err) {
              fail(`row ${rowNo}, column ${col + 1}: ${(err as Error).message}`);
            }
          }
        }
      }
      col++;
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === CR) {
        if (p + 1 >= end) {
          if (last) fail('the file ends inside a line break');
          return -1;
        }
        if (buf[p + 1] === LF) p++;
      }
      p++;
      break;
    }
    if (header) {
      width = col;
      columns = cells.map((name, k) => plan.byTop.get(k === 0 ? name.replace(/^\uFEFF/, '') : name));
    } else if (col !== width) fail(`row ${rowNo} has ${col} cells, the header ${width}`);
    rowNo++;
    return p;
  };

  const scan = (buf: Buffer, from: number, end: number, last: boolean): number => {
    let p = from;
    while (p < end) {
      const next = record(buf, p, end, last);
      if (next < 0) break;
      p = next;
      if (rowNo > 1 && batch.commit()) ready.push(batch.take());
    }
    return p;
  };
  for await (const _ of readWindows(path, scan)) {
    yield* ready;
    ready.length = 0;
  }
  if (batch.count > 0) yield batch.take();
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
