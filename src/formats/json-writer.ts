/**
 * Response pages to the JSON artifact's record texts: each record exactly as sent, records joined by
 * ",\n". A record of a known shape is validated whole and copied by the record copier (record-copier.wat)
 * in pieces of ASCII text, else by its template's sticky RegExp (capturing only its obTime and id) and a
 * copy; the rest by the exact validator. Either way the record's bytes are kept as they came.
 */
import { obTimeOf, slowRecord, walkPiece, type RecordRun } from './json-scan.js';
import { TemplateCache, TemplateSet, detach, type Template } from './templates.js';
import { idHashOf } from './csv-writer.js';
import { RecordCopier, recordProgram, ROW_ROOM } from './record-copier.js';
import { growEnds, hashId, pieceOf, type PageWriter, type PieceIn, type PieceOut } from './piece.js';

export const JSON_SEPARATOR = ',\n';

export class JsonSession {
  readonly cache = new TemplateCache();
  /** Holds each piece and its records: the output buffer of the session's pages. */
  readonly copier = new RecordCopier();
}

interface Active {
  template: Template;
  /** The copier's program for the template, if it can take its records. */
  program: Uint8Array | null;
}

export function createJsonPageWriter(session: JsonSession = new JsonSession()): PageWriter {
  const templates = new TemplateSet<Active>(
    session.cache,
    (template) => ({ template, program: recordProgram(template) }),
    (t) => t.split,
  );
  const copier = session.copier;
  let lastObTime = '';
  return {
    push(piece: PieceIn): PieceOut {
      const { bytes, ascii } = piece;
      copier.load(bytes);
      let out = copier.ensure(0, bytes.length + 1024);
      let o = 0;
      let ends: Uint32Array = new Uint32Array(Math.min(1 << 16, (bytes.length >>> 9) + 16));
      const obTimes: string[] = [];
      const ids: number[] = [];
      /** Room for record `index` of up to n bytes, after its separator. */
      const begin = (index: number, n: number): void => {
        out = copier.ensure(o, n + 2);
        if (index > 0) {
          out[o++] = 0x2c;
          out[o++] = 0x0a;
        }
      };
      const finish = (index: number): void => {
        ends = growEnds(ends, index);
        ends[index] = o;
      };
      const copy = (p: number, end: number, index: number): void => {
        begin(index, (ascii ? 1 : 3) * (end - p));
        if (ascii) o += bytes.copy(out, o, p, end);
        else o += out.write(piece.text.slice(p, end), o, 'utf8');
        finish(index);
      };
      const keepObTime = (t: string): void => {
        if (t !== lastObTime) lastObTime = detach(t);
        obTimes.push(lastObTime);
      };
      const run: RecordRun = { more: 0 };
      const take = (p: number, index: number): number => {
        const list = templates.list;
        for (let k = 0; k < list.length; k++) {
          const active = list[k]!;
          if (ascii && active.program !== null) {
            // The copier takes exactly what the template's RegExp matches (record-copier.test.ts), this
            // record and the run of records after it, each after its separator.
            out = copier.ensure(o, bytes.length - p + JSON_SEPARATOR.length + ROW_ROOM);
            const n = copier.rows(active.program, p, bytes.length, o, JSON_SEPARATOR.length, index > 0 ? 1 : 0);
            if (n === 0) continue;
            if (k > 0) templates.toFront(active);
            const t = active.template;
            ends = growEnds(ends, index + n - 1);
            for (let i = 0; i < n; i++) {
              obTimes.push(t.obTimeGroup === 0 ? '' : copier.rowObTime(i));
              ids.push(t.idGroup === 0 ? 0 : copier.rowId(i));
              ends[index + i] = copier.rowEnd(i);
            }
            o = copier.o;
            run.more = n - 1;
            return copier.after;
          }
          const t = active.template;
          const re = t.split;
          re.lastIndex = p;
          const m = re.exec(piece.text);
          if (m === null) continue;
          if (k > 0) templates.toFront(active);
          const end = re.lastIndex;
          keepObTime(t.splitObTime === 0 ? '' : m[t.splitObTime]!);
          ids.push(t.splitId === 0 ? 0 : hashId(m[t.splitId]!));
          copy(p, end, index);
          return end;
        }
        const text = piece.text;
        const { record, end } = slowRecord(text, p, index);
        keepObTime(obTimeOf(record));
        ids.push(idHashOf(record));
        templates.learn(text, record, p, end);
        copy(p, end, index);
        return end;
      };
      const count = walkPiece(piece, take, run);
      return { keys: [], count, bytes: out, length: o, ends: ends.subarray(0, count), obTimes, ids };
    },
  };
}

/** One response page kept as raw JSON record texts (tests). */
export interface JsonPage {
  records: string[];
  obTimes: string[];
  count: number;
}

export function splitPageJson(body: string): JsonPage {
  const p = createJsonPageWriter().push(pieceOf(body));
  const records: string[] = [];
  for (let i = 0; i < p.count; i++) {
    const start = i === 0 ? 0 : p.ends[i - 1]! + JSON_SEPARATOR.length;
    records.push(p.bytes.toString('utf8', start, p.ends[i]));
  }
  return { records, obTimes: p.obTimes, count: p.count };
}
