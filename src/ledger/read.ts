/**
 * Reading the telemetry ledger. Record by record, never "skip what does not parse": a damaged line is
 * reported with its line number, so it can neither swallow the rows after it (an unbalanced quote would,
 * in a lenient parser) nor pass unnoticed. What the reference tool tolerates is still tolerated: rows
 * with an unparseable date or an unknown status are ignored, and a last line cut short by a crash is
 * dropped (the writer removes it before its next append).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { ReachUdlError } from '../errors.js';
import { parseDay, parseTimestampMicros } from '../plan/dates.js';
import { LEDGER_COLUMNS, emptyRow, isLedgerStatus, type LedgerRow } from './schema.js';

/** The file exists but is not a telemetry ledger (wrong header, binary content). */
export class LedgerFormatError extends ReachUdlError {
  readonly code = 'ERR_LEDGER_FORMAT';
  readonly exitClass = 'usage';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path} is not a reach-udl telemetry ledger (${detail}); point --telemetry-file at a ledger or a new file`);
  }
}

/** A line that is not a ledger row: where it is and how it starts. */
export interface BadLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line's text (all physical lines of the record tried, joined by "\n"). */
  text: string;
}

/** The ledger holds lines that are not rows; a run refuses to guess what they meant. */
export class LedgerDamagedError extends ReachUdlError {
  readonly code = 'ERR_LEDGER_DAMAGED';
  readonly exitClass = 'usage';
  constructor(
    readonly path: string,
    readonly bad: readonly BadLine[],
  ) {
    super(
      `${path} has ${bad.length} line(s) that are not ledger rows (${describeBad(bad)}); nothing was done. ` +
        'Rerun with --repair-ledger to move them to a side file next to the ledger and go on',
    );
  }
}

export function describeBad(bad: readonly BadLine[]): string {
  const first = bad[0]!;
  const start = first.text.replace(/\s+/g, ' ').slice(0, 40);
  return `line ${first.line}: ${JSON.stringify(start)}${first.text.length > 40 ? '…' : ''}${bad.length > 1 ? `, and ${bad.length - 1} more` : ''}`;
}

export interface LedgerContents {
  rows: LedgerRow[];
  /** Lines that are not rows, in file order. */
  bad: BadLine[];
  /** The file's text (for repair), '' when there is no file. */
  text: string;
}

const HEADER_LINE = LEDGER_COLUMNS.join(',');
/**
 * How far a quoted value may continue onto following lines (Python's csv writer quotes newlines in a
 * path or a message). Joined lines count only when they parse to exactly the header's columns.
 */
const MAX_CONTINUATION_LINES = 256;

/** A row is whole when its quotes balance and it parses to the ledger's column count. */
export function isWholeRow(line: string): boolean {
  return parseRecord(line, LEDGER_COLUMNS.length) !== undefined;
}

function parseRecord(text: string, columns: number): string[] | undefined {
  if ((text.match(/"/g)?.length ?? 0) % 2 !== 0) return undefined;
  try {
    const records = parse(text, { relax_column_count: true, bom: true });
    return records.length === 1 && records[0]!.length === columns ? records[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses ledger text. Only a header that is not the ledger's throws; lines that are not rows are
 * returned as `bad`, with the rows around them intact.
 */
export function parseLedger(text: string, path = 'telemetry file'): LedgerContents {
  const empty: LedgerContents = { rows: [], bad: [], text };
  if (text.length === 0 || (!text.includes('\n') && HEADER_LINE.startsWith(text))) return empty;
  const lines = text.split('\n');
  const endsWithNewline = lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const header = parse(lines[0]!.replace(/\r$/, ''), { bom: true, relax_column_count: true })[0] ?? [];
  const missing = LEDGER_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new LedgerFormatError(path, missing.length === LEDGER_COLUMNS.length ? 'no ledger header' : `header lacks ${missing.slice(0, 3).join(', ')}`);
  }
  const rows: LedgerRow[] = [];
  const bad: BadLine[] = [];
  for (let i = 1; i < lines.length; i++) {
    const first = lines[i]!.replace(/\r$/, '');
    if (first.trim() === '') continue;
    let cells = parseRecord(first, header.length);
    let used = 0;
    // A quoted value may hold newlines (Python's csv writer quotes them): join following lines while that parses.
    for (let k = 1; !cells && k <= MAX_CONTINUATION_LINES && i + k < lines.length && /"/.test(first); k++) {
      cells = parseRecord(lines.slice(i, i + k + 1).join('\n').replace(/\r$/, ''), header.length);
      if (cells) used = k;
    }
    const isLast = i + used === lines.length - 1;
    if (!cells) {
      // A last line without its newline that does not parse is a row a crash cut short, not damage.
      if (!(isLast && !endsWithNewline)) bad.push({ line: i + 1, text: first });
      continue;
    }
    i += used;
    const row = emptyRow();
    header.forEach((name, c) => {
      if (name in row) row[name as keyof LedgerRow] = cells[c] ?? '';
    });
    if (parseDay(row.chunk_date_utc) === undefined || !isLedgerStatus(row.status)) continue;
    rows.push(row);
  }
  return { rows, bad, text };
}

/** Reads the ledger at `path`; a missing file is an empty ledger. */
export async function readLedgerFile(path: string): Promise<LedgerContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { rows: [], bad: [], text: '' };
    if (code === 'EISDIR') throw new LedgerFormatError(path, 'it is a directory');
    throw err;
  }
  return parseLedger(text, path);
}

/** The rows of the ledger at `path`, refusing one with damaged lines (LedgerDamagedError). */
export async function readLedger(path: string): Promise<LedgerRow[]> {
  const contents = await readLedgerFile(path);
  if (contents.bad.length > 0) throw new LedgerDamagedError(path, contents.bad);
  return contents.rows;
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
