/**
 * CSV artifacts: a header of the record keys in order of first appearance, one row per record, nested
 * values as JSON text, cells quoted as csv-stringify quotes them.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { ArtifactFormat } from './format.js';
import { CsvSensorScanner } from './sensor-counts.js';
import { CsvSession, createCsvPageWriter } from './csv-writer.js';
import { csvEnds, readCsv } from './csv-reader.js';
import { csvHeader } from './reference.js';

export const csvFormat: ArtifactFormat = {
  name: 'csv',
  extension: 'csv',
  session() {
    const s = new CsvSession();
    return { pageWriter: () => createCsvPageWriter(s) };
  },
  head: (keys) => Buffer.from(csvHeader([...keys]), 'utf8'),
  separator: Buffer.alloc(0),
  tail: Buffer.alloc(0),
  rewrite(rows, from, to) {
    // The rare path (a record brought a new key after rows were written): re-read through the CSV rules.
    const records = parse(rows, { columns: [...from], relax_column_count: false }) as Array<Record<string, string>>;
    return Buffer.from(stringify(records.map((r) => to.map((k) => r[k] ?? ''))), 'utf8');
  },
  recordId(record, keys) {
    const col = keys.indexOf('id');
    const cells = (parse(record, { relax_column_count: true }) as string[][])[0] ?? [];
    return col < 0 ? '' : (cells[col] ?? '');
  },
  read: readCsv,
  sensorScanner: (path) => new CsvSensorScanner(path),
  ends: csvEnds,
};
