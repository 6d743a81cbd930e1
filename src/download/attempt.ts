/**
 * One day's attempt in the ledger: a DOWNLOAD_PENDING row (saying why, when the reason needs words),
 * the work, then the outcome row only once the artifact is in place. A stop (StoppedError) writes no
 * outcome: the PENDING row and the spool are what the rerun resumes.
 */
import { stat } from 'node:fs/promises';
import type { DownloadConfig } from '../config/download.js';
import { StoppedError } from '../errors.js';
import { emptyRow, type LedgerRow } from '../ledger/schema.js';
import { ledgerTimestamp, ledgerWindowStamp, type DayWindow } from '../plan/dates.js';
import type { DayDecision } from '../plan/decide.js';
import { expectedRecords } from '../plan/windows.js';
import { checkArtifactFile } from '../verify/check.js';
import { artifactPath } from './facts.js';

/** What a day's download produced; `cleanup` runs once the ledger row is safely written. */
export interface DayDownloadResult {
  status: 'DOWNLOADED' | 'SKIPPED_NO_DATA';
  records: number;
  bytes: number;
  path: string;
  /** Exact duplicate records the server sent, written once. */
  duplicates?: number;
  /** Said in the outcome row's message. */
  note?: string;
  cleanup?: () => Promise<void>;
}

/** One day's download; `signal` stops it (a stop of the run, or a lease lost to another worker). */
export type DayDownloader = (day: DayWindow, signal?: AbortSignal) => Promise<DayDownloadResult>;

/** Where ledger rows go. The default appends to the telemetry file with an fsync per row. */
export interface TelemetrySink {
  append(row: LedgerRow): Promise<void>;
  close(): Promise<void>;
}

export interface AttemptContext {
  config: DownloadConfig;
  runId: string;
  download: DayDownloader;
  /** The server's /count for a day (adopting checks a file against it). */
  count: (day: DayWindow) => Promise<number>;
  /** Every row passes here on its way to the sink: the credential never reaches the ledger. */
  append: (row: LedgerRow) => Promise<void>;
  signal?: AbortSignal | undefined;
}

export async function attemptDay(ctx: AttemptContext, day: DayWindow, decision: DayDecision): Promise<{ row: LedgerRow; error?: Error }> {
  const { config } = ctx;
  const started = performance.now();
  const base: LedgerRow = {
    ...emptyRow(),
    run_id: ctx.runId,
    chunk_date_utc: day.day,
    window_start_utc: ledgerWindowStamp(day.startMs),
    window_end_utc: ledgerWindowStamp(day.endMs),
    expected_records: String(expectedRecords(config.sensorId)),
    sensor_id: config.sensorId,
    descriptor: config.descriptor,
    output_format: config.outputFormat,
    // A shared ledger attributes rows to output dirs by path: every row names its artifact there.
    csv_path: config.sharedLedger ? artifactPath(config.outputDir, config.sensorId, day.day, config.outputFormat) : '',
    started_at_utc: ledgerTimestamp(Date.now()),
  };
  await ctx.append({ ...base, status: 'DOWNLOAD_PENDING', error_message: oneLine(decision.note ?? '') });
  let row: LedgerRow;
  let cleanup: (() => Promise<void>) | undefined;
  let error: Error | undefined;
  try {
    const adopted = decision.action === 'adopt' ? await adopt(ctx, day) : undefined;
    const result =
      adopted && 'refused' in adopted
        ? { ...(await ctx.download(day, ctx.signal)), note: `not adopted (${adopted.refused}); downloaded again` }
        : (adopted ?? (await ctx.download(day, ctx.signal)));
    cleanup = result.cleanup;
    const expected = expectedRecords(config.sensorId);
    const dupNote = result.duplicates ? `${result.duplicates} exact duplicate record(s) from the server written once` : '';
    row = {
      ...base,
      status: result.status,
      records_downloaded: String(result.records),
      availability_pct: ((result.records / expected) * 100).toFixed(4),
      download_seconds: ((performance.now() - started) / 1000).toFixed(3),
      // Six decimals keep the size exact to the byte, so every later run can tell a damaged file.
      csv_size_mb: result.status === 'DOWNLOADED' ? (result.bytes / 1048576).toFixed(6) : '',
      csv_path: result.status === 'DOWNLOADED' ? result.path : base.csv_path,
      error_message: oneLine([result.note, dupNote].filter(Boolean).join('; ')),
      finished_at_utc: ledgerTimestamp(Date.now()),
    };
  } catch (err) {
    error = err instanceof Error ? err : new Error(String(err));
    if (error instanceof StoppedError) return { row: base, error };
    row = {
      ...base,
      status: 'FAILED',
      download_seconds: ((performance.now() - started) / 1000).toFixed(3),
      error_type: error.name || 'Error',
      error_message: oneLine(error.message),
      finished_at_utc: ledgerTimestamp(Date.now()),
    };
  }
  await ctx.append(row);
  // The spool goes only after the row is on disk: a crash before this line resumes from it for free.
  await cleanup?.();
  return error ? { row, error } : { row };
}

/**
 * An artifact without a ledger row is recorded as DOWNLOADED when it passes verify's checks and holds
 * exactly the server's /count; otherwise the reason it was refused, and the day is downloaded as usual.
 */
async function adopt(ctx: AttemptContext, day: DayWindow): Promise<DayDownloadResult | { refused: string }> {
  const { config } = ctx;
  const path = artifactPath(config.outputDir, config.sensorId, day.day, config.outputFormat);
  const file = await checkArtifactFile(path, day, config.outputFormat);
  if (file.problems.length > 0) return { refused: file.problems.join('; ') };
  const server = await ctx.count(day);
  if (server !== file.records) return { refused: `${file.records} records, the server's /count says ${server}` };
  const { size } = await stat(path);
  return { status: 'DOWNLOADED', records: file.records, bytes: size, path, note: `adopted: ${file.records} records checked against /count` };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}
