/**
 * The processing phase's ledger rows, column for column as the reference writes them (PROCESSING.md 2.2):
 * the download columns copied from the day's previous latest row (the input actually found replacing
 * csv_path), the window columns blank, and per status its own timestamps and processing columns. Pure.
 */
import { emptyRow, type LedgerRow } from '../ledger/schema.js';
import { ledgerTimestamp } from '../plan/dates.js';

/** What every row of one day in one run shares. */
export interface RowContext {
  runId: string;
  day: string;
  sensorId: string;
  descriptor: string;
  outputFormat: string;
  /** The day's latest row before this run, whose download columns are carried along. */
  previous: LedgerRow | undefined;
}

/** The CDF's numbers, once written (or found). */
export interface CdfColumns {
  processSeconds: number;
  cdfBytes: number;
  cdfPath: string;
}

const DOWNLOAD_COLUMNS = ['records_downloaded', 'expected_records', 'availability_pct', 'download_seconds', 'csv_size_mb', 'csv_path'] as const;

function base(c: RowContext, status: LedgerRow['status'], inputPath?: string): LedgerRow {
  const row: LedgerRow = { ...emptyRow(), run_id: c.runId, chunk_date_utc: c.day, status, sensor_id: c.sensorId, descriptor: c.descriptor, output_format: c.outputFormat };
  for (const col of DOWNLOAD_COLUMNS) row[col] = c.previous?.[col] ?? '';
  if (inputPath !== undefined) row.csv_path = inputPath;
  return row;
}

export function processColumns(cdf: CdfColumns): Pick<LedgerRow, 'process_seconds' | 'cdf_size_mb' | 'cdf_path'> {
  return { process_seconds: cdf.processSeconds.toFixed(3), cdf_size_mb: (cdf.cdfBytes / 1048576).toFixed(4), cdf_path: cdf.cdfPath };
}

/** The previous row's processing columns, for an upload of a CDF made by an earlier run. */
export function carriedProcessColumns(previous: LedgerRow | undefined): Pick<LedgerRow, 'process_seconds' | 'cdf_size_mb' | 'cdf_path'> {
  return { process_seconds: previous?.process_seconds ?? '', cdf_size_mb: previous?.cdf_size_mb ?? '', cdf_path: previous?.cdf_path ?? '' };
}

export function skippedNoInputRow(c: RowContext, now: number): LedgerRow {
  return { ...base(c, 'SKIPPED_NO_INPUT'), started_at_utc: ledgerTimestamp(now), finished_at_utc: ledgerTimestamp(now) };
}

export function processPendingRow(c: RowContext, inputPath: string, t1: number): LedgerRow {
  return { ...base(c, 'PROCESS_PENDING', inputPath), started_at_utc: ledgerTimestamp(t1) };
}

export function processedRow(c: RowContext, inputPath: string, t1: number, now: number, cdf: CdfColumns): LedgerRow {
  return { ...base(c, 'PROCESSED', inputPath), started_at_utc: ledgerTimestamp(t1), finished_at_utc: ledgerTimestamp(now), ...processColumns(cdf) };
}

/** The day's input holds no record: terminal, as the download phase's SKIPPED_NO_DATA is. */
export function noDataRow(c: RowContext, inputPath: string, t1: number, now: number, processSeconds: number): LedgerRow {
  return {
    ...base(c, 'SKIPPED_NO_DATA', inputPath),
    started_at_utc: ledgerTimestamp(t1),
    finished_at_utc: ledgerTimestamp(now),
    process_seconds: processSeconds.toFixed(3),
    error_message: 'the input holds no record for the day; no CDF written',
  };
}

export function processFailedRow(c: RowContext, inputPath: string, t1: number, now: number, processSeconds: number, error: Error): LedgerRow {
  return {
    ...base(c, 'FAILED', inputPath),
    started_at_utc: ledgerTimestamp(t1),
    finished_at_utc: ledgerTimestamp(now),
    process_seconds: processSeconds.toFixed(3),
    error_type: error.name || 'Error',
    error_message: oneLine(error.message),
  };
}

type ProcessCols = Pick<LedgerRow, 'process_seconds' | 'cdf_size_mb' | 'cdf_path'>;

export function uploadPendingRow(c: RowContext, t2: number, cols: ProcessCols): LedgerRow {
  return { ...base(c, 'UPLOAD_PENDING'), started_at_utc: ledgerTimestamp(t2), ...cols };
}

export function uploadedRow(c: RowContext, t2: number, now: number, cols: ProcessCols, uploadSeconds: number, bucket: string, key: string): LedgerRow {
  return {
    ...base(c, 'UPLOADED'),
    started_at_utc: ledgerTimestamp(t2),
    finished_at_utc: ledgerTimestamp(now),
    ...cols,
    upload_seconds: uploadSeconds.toFixed(3),
    s3_bucket: bucket,
    s3_key: key,
  };
}

export function uploadFailedRow(c: RowContext, t2: number, now: number, cols: ProcessCols, uploadSeconds: number, error: Error): LedgerRow {
  return {
    ...base(c, 'FAILED'),
    started_at_utc: ledgerTimestamp(t2),
    finished_at_utc: ledgerTimestamp(now),
    ...cols,
    upload_seconds: uploadSeconds.toFixed(3),
    error_type: error.name || 'Error',
    error_message: oneLine(error.message),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
