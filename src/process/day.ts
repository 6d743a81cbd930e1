/**
 * One day of the processing phase: the rows of PROCESSING.md 2.4 around the conversion and the upload.
 * Every row is appended only after what it reports is durable: PROCESSED once the CDF is renamed into
 * place, UPLOADED once the object is confirmed. A failure becomes a FAILED row and the run goes on; a stop
 * leaves the PENDING row, so the next run takes the day up again.
 */
import type { ProcessConfig } from '../config/process.js';
import { StoppedError } from '../errors.js';
import type { LedgerRow } from '../ledger/schema.js';
import { l1cKey, l1cMode } from '../l1c/index.js';
import type { ConvertResult } from './convert.js';
import type { ProcessDecision } from './decide.js';
import type { FoundInput } from './input.js';
import {
  carriedProcessColumns,
  noDataRow,
  processColumns,
  processedRow,
  processFailedRow,
  processPendingRow,
  skippedNoInputRow,
  uploadedRow,
  uploadFailedRow,
  uploadPendingRow,
  type RowContext,
} from './rows.js';

/** Puts a CDF in the bucket; harmless to repeat (an object with the same bytes is left alone). */
export interface Uploader {
  readonly bucket: string;
  upload(localPath: string, key: string): Promise<{ uploaded: boolean }>;
}

export type ProcessEvent =
  | { type: 'plan'; runId: string; decisions: ProcessDecision[] }
  | { type: 'warn'; day: string; message: string }
  | { type: 'row'; day: string; row: LedgerRow };

export interface DayOutcome {
  day: string;
  processed: boolean;
  uploaded: boolean;
  noData: boolean;
  failed: boolean;
}

export interface DayContext {
  config: ProcessConfig;
  runId: string;
  input: FoundInput | undefined;
  /** The day's latest ledger row before this run. */
  previous: LedgerRow | undefined;
  append: (row: LedgerRow) => Promise<void>;
  convert: (inputPath: string) => Promise<ConvertResult>;
  uploader: Uploader | undefined;
  emit: (e: ProcessEvent) => void;
}

export async function processDay(d: ProcessDecision, ctx: DayContext): Promise<DayOutcome> {
  const { config } = ctx;
  const outcome: DayOutcome = { day: d.day, processed: false, uploaded: false, noData: false, failed: false };
  const rc: RowContext = { runId: ctx.runId, day: d.day, sensorId: config.sensorId, descriptor: config.descriptor, outputFormat: config.inputFormat, previous: ctx.previous };
  const append = async (row: LedgerRow) => {
    await ctx.append(row);
    // Each row's download columns come from the day's latest row, which this one now is.
    rc.previous = row;
    ctx.emit({ type: 'row', day: d.day, row });
  };
  if (d.action === 'skip_no_input') {
    await append(skippedNoInputRow(rc, Date.now()));
    return outcome;
  }
  let cols = carriedProcessColumns(ctx.previous);
  if (d.action === 'run_process') {
    const input = ctx.input!;
    for (const other of input.others) ctx.emit({ type: 'warn', day: d.day, message: `several input files for the day; using ${input.path}, not ${other}` });
    const t1 = Date.now();
    const started = performance.now();
    await append(processPendingRow(rc, input.path, t1));
    let result: ConvertResult;
    try {
      result = await ctx.convert(input.path);
    } catch (err) {
      if (err instanceof StoppedError) throw err;
      await append(processFailedRow(rc, input.path, t1, Date.now(), seconds(started), asError(err)));
      return { ...outcome, failed: true };
    }
    if (result.kind === 'no-data') {
      await append(noDataRow(rc, input.path, t1, Date.now(), seconds(started)));
      return { ...outcome, noData: true };
    }
    const dropped = result.stats.droppedOutsideDay + result.stats.droppedNoSensor;
    if (dropped > 0) {
      ctx.emit({ type: 'warn', day: d.day, message: `${result.stats.droppedOutsideDay} record(s) outside the day and ${result.stats.droppedNoSensor} without a sensor left out` });
    }
    const cdf = { processSeconds: seconds(started), cdfBytes: result.bytes, cdfPath: result.path };
    await append(processedRow(rc, input.path, t1, Date.now(), cdf));
    outcome.processed = true;
    cols = processColumns(cdf);
  }
  if (!config.upload || !ctx.uploader) return outcome;
  const t2 = Date.now();
  const started = performance.now();
  const key = l1cKey(l1cMode(config.sensorId), d.day);
  await append(uploadPendingRow(rc, t2, cols));
  try {
    await ctx.uploader.upload(cols.cdf_path, key);
  } catch (err) {
    await append(uploadFailedRow(rc, t2, Date.now(), cols, seconds(started), asError(err)));
    return { ...outcome, failed: true };
  }
  await append(uploadedRow(rc, t2, Date.now(), cols, seconds(started), ctx.uploader.bucket, key));
  return { ...outcome, uploaded: true };
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
