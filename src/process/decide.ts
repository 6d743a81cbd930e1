/**
 * The processing phase's per-day decision table: the reference tool's (PROCESSING.md 2.3), with its
 * defects fixed on purpose:
 * - a FAILED upload retried with --retry-failed uploads the CDF it already has instead of rebuilding it;
 * - UPLOAD_PENDING with the CDF present and upload off is reported (skip, "upload pending"), not silent;
 * - a day the download phase found empty (SKIPPED_NO_DATA) stays terminal: no SKIPPED_NO_INPUT row hides it;
 * - a FAILED day from the download phase is the download's to retry: processing skips it as failed.
 * Pure: the caller says whether the input and the CDF exist.
 */
import type { LedgerRow, LedgerStatus } from '../ledger/schema.js';

export type ProcessAction = 'run_process' | 'run_upload_only' | 'skip_existing' | 'skip_terminal' | 'skip_failed' | 'skip_no_input' | 'skip_limit';

export interface ProcessDecision {
  day: string;
  action: ProcessAction;
  /** Why, in words (for -v, --dry-run and status). */
  why: string;
  status?: LedgerStatus;
}

export interface ProcessFacts {
  day: string;
  latest: LedgerRow | undefined;
  /** A matching input artifact exists now. */
  input: boolean;
  /** The latest row's cdf_path names a file that exists. */
  cdf: boolean;
}

export interface ProcessDecideOptions {
  upload: boolean;
  retryFailed: boolean;
}

/** A FAILED row written by the upload stage carries upload_seconds (PROCESSING.md 2.2). */
export function failedAtUpload(row: LedgerRow): boolean {
  return row.status === 'FAILED' && row.upload_seconds !== '';
}

/** A FAILED row written by the processing phase carries process_seconds or upload_seconds. */
export function failedInProcessing(row: LedgerRow): boolean {
  return row.status === 'FAILED' && (row.process_seconds !== '' || row.upload_seconds !== '');
}

export function decideProcess(f: ProcessFacts, o: ProcessDecideOptions): ProcessDecision {
  const status = f.latest?.status as LedgerStatus | undefined;
  const d = (action: ProcessAction, why: string): ProcessDecision => ({ day: f.day, action, why, ...(status ? { status } : {}) });
  const convert = (why: string) => (f.input ? d('run_process', why) : d('skip_no_input', 'no input artifact for the day'));
  switch (status) {
    case undefined:
      return convert('no ledger row yet');
    case 'UPLOADED':
      return d('skip_existing', 'UPLOADED');
    case 'PROCESSED':
      if (!f.cdf) return convert('PROCESSED but the CDF is missing');
      return o.upload ? d('run_upload_only', 'PROCESSED, --upload-to-s3 given') : d('skip_existing', 'PROCESSED and the CDF is on disk');
    case 'UPLOAD_PENDING':
      if (!f.cdf) return convert('the upload was interrupted and the CDF is missing');
      return o.upload ? d('run_upload_only', 'the upload was interrupted (UPLOAD_PENDING)') : d('skip_existing', 'upload pending; rerun with --upload-to-s3 to finish it');
    case 'PROCESS_PENDING':
      return convert('the conversion was interrupted (PROCESS_PENDING)');
    case 'FAILED':
      if (!failedInProcessing(f.latest!)) return d('skip_failed', 'the download FAILED; rerun download with --retry-failed');
      if (!o.retryFailed) return d('skip_failed', 'FAILED earlier; rerun with --retry-failed');
      if (failedAtUpload(f.latest!) && f.cdf) return d('run_upload_only', 'the upload FAILED earlier; the CDF is on disk');
      return convert('FAILED earlier, --retry-failed given');
    case 'SKIPPED_NO_INPUT':
      return f.input ? d('run_process', 'an input artifact has appeared') : d('skip_terminal', 'still no input artifact');
    case 'SKIPPED_NO_DATA':
      return d('skip_terminal', 'the server had no data for the day (SKIPPED_NO_DATA)');
    default:
      // DOWNLOADED, DOWNLOAD_PENDING: the download phase's; the artifact decides.
      return convert(status === 'DOWNLOADED' ? 'DOWNLOADED' : `latest status ${status}`);
  }
}

/** Days with work count against --limit-days; skipped days do not (as in download). */
export function planProcess(facts: readonly ProcessFacts[], o: ProcessDecideOptions & { limitDays?: number | undefined }): ProcessDecision[] {
  let taken = 0;
  return facts.map((f) => {
    const decision = decideProcess(f, o);
    if (decision.action !== 'run_process' && decision.action !== 'run_upload_only') return decision;
    if (o.limitDays !== undefined && taken >= o.limitDays) return { ...decision, action: 'skip_limit', why: 'beyond --limit-days' };
    taken++;
    return decision;
  });
}
