/** The telemetry ledger: the reference tool's CSV, column for column, so its processing phase reads ours. */

export const LEDGER_COLUMNS = [
  'run_id',
  'chunk_date_utc',
  'window_start_utc',
  'window_end_utc',
  'status',
  'records_downloaded',
  'expected_records',
  'availability_pct',
  'download_seconds',
  'csv_size_mb',
  'csv_path',
  'sensor_id',
  'descriptor',
  'output_format',
  'error_type',
  'error_message',
  'started_at_utc',
  'finished_at_utc',
  'process_seconds',
  'cdf_size_mb',
  'cdf_path',
  'upload_seconds',
  's3_bucket',
  's3_key',
] as const;

export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];
export type LedgerRow = Record<LedgerColumn, string>;

export const DOWNLOAD_STATUSES = ['DOWNLOAD_PENDING', 'DOWNLOADED', 'SKIPPED_NO_DATA', 'FAILED'] as const;
/** Written by the reference tool's later processing phase into the same file. */
export const PROCESSING_STATUSES = ['PROCESS_PENDING', 'PROCESSED', 'UPLOAD_PENDING', 'UPLOADED', 'SKIPPED_NO_INPUT'] as const;

export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];
export type ProcessingStatus = (typeof PROCESSING_STATUSES)[number];
export type LedgerStatus = DownloadStatus | ProcessingStatus;

const KNOWN = new Set<string>([...DOWNLOAD_STATUSES, ...PROCESSING_STATUSES]);

export function isLedgerStatus(s: string): s is LedgerStatus {
  return KNOWN.has(s);
}

const PROCESSING = new Set<string>(PROCESSING_STATUSES);

/**
 * The row's day has a whole downloaded file: DOWNLOADED, or a processing-phase row carrying the download's
 * record count on (SKIPPED_NO_INPUT, for one, carries none).
 */
export function hasDownloadedFile(row: LedgerRow | undefined): boolean {
  if (!row) return false;
  return row.status === 'DOWNLOADED' || (PROCESSING.has(row.status) && /^\d+$/.test(row.records_downloaded));
}

export function emptyRow(): LedgerRow {
  return Object.fromEntries(LEDGER_COLUMNS.map((c) => [c, ''])) as LedgerRow;
}
