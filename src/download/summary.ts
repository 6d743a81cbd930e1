/** What a download run did, day by day and in totals, and the exit code that tells cron. */
import type { LedgerRow } from '../ledger/schema.js';
import type { DayDecision } from '../plan/decide.js';

export interface DayOutcome {
  day: string;
  decision: DayDecision;
  /** The final ledger row, for days that ran. */
  row?: LedgerRow;
}

/** Where a stopped run left off. */
export interface StopPoint {
  reason: string;
  /** The day that was in progress, resumable from its spool. */
  day?: string;
  windowsDone?: number;
  windowsTotal?: number;
}

export interface RunSummary {
  runId: string;
  days: DayOutcome[];
  /** Days worked on: downloaded, refreshed, adopted. */
  planned: number;
  downloaded: number;
  adopted: number;
  skippedExisting: number;
  skippedNoData: number;
  skippedFailed: number;
  /** Days left for a later run by --limit-days. */
  deferred: number;
  /** Days not settled yet (--settle), fetched by a later run. */
  unsettled: number;
  failed: number;
  /** Every day of the range that is FAILED now, whether it failed in this run or was skipped as FAILED. */
  failedDays: string[];
  /** Set when the run stopped early because the credential was rejected. */
  aborted?: string;
  /** Set when the run was asked to stop (a signal). */
  stopped?: StopPoint;
  /** 0 all good; 1 the range holds FAILED days (as the reference counts them); 130/143 stopped by SIGINT/SIGTERM. */
  exitCode: number;
}

export function summarize(runId: string, days: DayOutcome[], stopped?: StopPoint): RunSummary {
  const count = (f: (o: DayOutcome) => boolean) => days.filter(f).length;
  const failedNow = (o: DayOutcome) => o.row?.status === 'FAILED';
  const failedDays = days.filter((o) => failedNow(o) || o.decision.reason === 'failed').map((o) => o.day);
  return {
    runId,
    days,
    planned: count((o) => o.decision.action !== 'skip'),
    downloaded: count((o) => o.row?.status === 'DOWNLOADED' && o.decision.action === 'run'),
    adopted: count((o) => o.row?.status === 'DOWNLOADED' && o.decision.action === 'adopt' && o.row.error_message.startsWith('adopted')),
    skippedExisting: count((o) => o.decision.reason === 'downloaded' || o.decision.reason === 'processing'),
    skippedNoData: count((o) => o.decision.reason === 'no-data' || o.row?.status === 'SKIPPED_NO_DATA'),
    skippedFailed: count((o) => o.decision.reason === 'failed'),
    deferred: count((o) => o.decision.reason === 'limit'),
    unsettled: count((o) => o.decision.reason === 'unsettled'),
    failed: count(failedNow),
    failedDays,
    ...(stopped ? { stopped } : {}),
    exitCode: stopped ? (stopped.reason === 'SIGTERM' ? 143 : 130) : failedDays.length > 0 ? 1 : 0,
  };
}
