/** The reference tool's per-day decision table, plus --limit-days. Pure: the caller supplies what is on disk. */
import type { LedgerRow, LedgerStatus } from '../ledger/schema.js';
import { PROCESSING_STATUSES } from '../ledger/schema.js';

export type DayReason =
  | 'new'
  | 'interrupted'
  | 'artifact-missing'
  | 'retry-failed'
  | 'downloaded'
  | 'no-data'
  | 'failed'
  | 'processing'
  | 'limit';

export interface DayDecision {
  day: string;
  action: 'run' | 'skip';
  reason: DayReason;
  /** The day's latest ledger status, if any. */
  status?: LedgerStatus;
}

const REASON_TEXT: Record<DayReason, string> = {
  new: 'no ledger row yet',
  interrupted: 'last attempt was interrupted (DOWNLOAD_PENDING)',
  'artifact-missing': 'DOWNLOADED but the artifact is missing',
  'retry-failed': 'FAILED earlier, --retry-failed given',
  downloaded: 'DOWNLOADED and the artifact is on disk',
  'no-data': 'SKIPPED_NO_DATA (terminal)',
  failed: 'FAILED earlier; rerun with --retry-failed',
  processing: 'the processing phase has it',
  limit: 'beyond --limit-days',
};

export function describeReason(reason: DayReason): string {
  return REASON_TEXT[reason];
}

const PROCESSING = new Set<string>(PROCESSING_STATUSES);

export function decideDay(
  day: string,
  latest: LedgerRow | undefined,
  artifactExists: boolean,
  retryFailed: boolean,
): DayDecision {
  if (!latest) return { day, action: 'run', reason: 'new' };
  const status = latest.status as LedgerStatus;
  const d = (action: 'run' | 'skip', reason: DayReason): DayDecision => ({ day, action, reason, status });
  switch (status) {
    case 'DOWNLOADED':
      return artifactExists ? d('skip', 'downloaded') : d('run', 'artifact-missing');
    case 'SKIPPED_NO_DATA':
      return d('skip', 'no-data');
    case 'FAILED':
      return retryFailed ? d('run', 'retry-failed') : d('skip', 'failed');
    case 'DOWNLOAD_PENDING':
      return d('run', 'interrupted');
    default:
      // A processing-phase status means the download finished and downstream may have consumed the file.
      if (PROCESSING.has(status)) return d('skip', 'processing');
      return d('run', 'new');
  }
}

/**
 * Decides every day, then caps the days to run at `limitDays`, counted from the first day that is not
 * already complete: days skipped as done don't use up the limit.
 */
export function planDays(
  days: readonly string[],
  latest: ReadonlyMap<string, LedgerRow>,
  artifactExists: (day: string) => boolean,
  opts: { retryFailed: boolean; limitDays?: number | undefined },
): DayDecision[] {
  let toRun = 0;
  return days.map((day) => {
    const decision = decideDay(day, latest.get(day), artifactExists(day), opts.retryFailed);
    if (decision.action !== 'run') return decision;
    if (opts.limitDays !== undefined && toRun >= opts.limitDays) return { ...decision, action: 'skip', reason: 'limit' };
    toRun++;
    return decision;
  });
}
