import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { ReachUdlError } from '../errors.js';
import { parseDay, parseTimestampMicros } from '../plan/dates.js';
import { LEDGER_COLUMNS, emptyRow, isLedgerStatus, type LedgerRow } from './schema.js';

/** The file exists but is not a telemetry ledger (wrong header, binary content). */
export class LedgerFormatError extends ReachUdlError {
  readonly code = 'ERR_LEDGER_FORMAT';
  readonly exitClass = 'usage';
  constructor(readonly path: string, detail: string) {
    super(`${path} is not a reach-udl telemetry ledger (${detail}); point --telemetry-file at a ledger or a new file`);
  }
}

const HEADER_LINE = LEDGER_COLUMNS.join(',');

/** A row is whole when its quotes balance and it parses to the ledger's column count. */
export function isWholeRow(line: string): boolean {
  if ((line.match(/"/g)?.length ?? 0) % 2 !== 0) return false;
  try {
    const [cells] = parse(line, { relax_column_count: true }) as string[][];
    return cells?.length === LEDGER_COLUMNS.length;
  } catch {
    return false;
  }
}

/**
 * Parses ledger text. Rows with an unparseable date or an unknown status are ignored, never fatal, and so
 * is a last line cut short by a crash (the writer drops it before its next append); only a header that
 * is not the ledger's is an error.
 */
export function parseLedger(text: string, path = 'telemetry file'): LedgerRow[] {
  if (text.length === 0 || (!text.includes('\n') && HEADER_LINE.startsWith(text))) return [];
  const lastNl = text.lastIndexOf('\n');
  const body = lastNl >= 0 && lastNl < text.length - 1 && !isWholeRow(text.slice(lastNl + 1)) ? text.slice(0, lastNl + 1) : text;
  const records = parse(body, {
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    bom: true,
  }) as string[][];
  const header = records[0] ?? [];
  const missing = LEDGER_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    const what = missing.length === LEDGER_COLUMNS.length ? 'no ledger header' : `header lacks ${missing.slice(0, 3).join(', ')}`;
    throw new LedgerFormatError(path, what);
  }
  const rows: LedgerRow[] = [];
  for (const cells of records.slice(1)) {
    const row = emptyRow();
    header.forEach((name, i) => {
      if (name in row) row[name as keyof LedgerRow] = cells[i] ?? '';
    });
    if (parseDay(row.chunk_date_utc) === undefined || !isLedgerStatus(row.status)) continue;
    rows.push(row);
  }
  return rows;
}

/** Reads the ledger at `path`; a missing file is an empty ledger. */
export async function readLedger(path: string): Promise<LedgerRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'EISDIR') throw new LedgerFormatError(path, 'it is a directory');
    throw err;
  }
  return parseLedger(text, path);
}

/**
 * Each day's state: its latest row by started_at_utc, file order breaking ties. A row whose
 * started_at_utc does not parse sorts before every timestamped one.
 */
export function latestByDay(rows: readonly LedgerRow[]): Map<string, LedgerRow> {
  const latest = new Map<string, { row: LedgerRow; at: number }>();
  for (const row of rows) {
    const parsed = parseTimestampMicros(row.started_at_utc);
    const at = Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
    const prev = latest.get(row.chunk_date_utc);
    if (!prev || at >= prev.at) latest.set(row.chunk_date_utc, { row, at });
  }
  return new Map([...latest].map(([day, { row }]) => [day, row]));
}
