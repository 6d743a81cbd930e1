/**
 * The status model: each day's latest ledger row, what a rerun of `download` over the same range would do
 * and why, and totals. Pure: the caller supplies the ledger rows and the days' facts (download/facts.ts).
 */
import { formatOfLedger, type OutputFormat } from '../formats/index.js';
import { artifactName } from '../artifacts/naming.js';
import { latestByDay } from '../ledger/read.js';
import { PROCESSING_STATUSES, type LedgerRow, type LedgerStatus } from '../ledger/schema.js';
import { dayRange, dayWindow, parseTimestampMicros } from '../plan/dates.js';
import { applyRefresh, decideDay, describeDecision, type DayAction, type DayFacts, type DayReason, type DecideOptions } from '../plan/decide.js';

export const NO_ROW = 'NO_ROW';

export interface DayStatus {
  day: string;
  /** The latest ledger status; null when the ledger has no row for the day. */
  status: LedgerStatus | null;
  records: number | null;
  expectedRecords: number | null;
  availabilityPct: number | null;
  sizeMiB: number | null;
  downloadSeconds: number | null;
  errorType: string | null;
  errorMessage: string | null;
  /** The file a download with this sensor and format writes for the day. */
  artifact: string;
  artifactExists: boolean;
  /** What is wrong with a DOWNLOADED day's artifact (size or contents against the ledger), if anything. */
  damaged: string | null;
  /** The server's /count, with --check-server. */
  serverCount: number | null;
  /** The processing phase's CDF for the day, when its latest row names one. */
  cdfPath: string | null;
  /** Where the CDF was uploaded (`s3://bucket/key`), when the latest row is UPLOADED. */
  s3Url: string | null;
  /** What `download` over this range would do, without --retry-failed. */
  action: DayAction;
  reason: DayReason;
  reasonText: string;
}

export interface StatusTotals {
  days: number;
  /** Days per latest status, `NO_ROW` for days without one; only statuses that occur. */
  byStatus: Record<string, number>;
  records: number;
  sizeMiB: number;
  downloadSeconds: number;
}

export interface StatusModel {
  range: { start: string; end: string; days: number } | null;
  sensorId: string;
  outputFormat: OutputFormat;
  days: DayStatus[];
  totals: StatusTotals;
  rerun: {
    /** Days a rerun would fetch, with why. */
    days: Array<{ day: string; reason: DayReason; reasonText: string }>;
    /** FAILED days that --retry-failed would add. */
    retryFailedAdds: Array<{ day: string; errorType: string | null; errorMessage: string | null }>;
  };
  /** Days whose artifact is on disk without a ledger row (a lost ledger): `download --adopt` records them. */
  orphans: string[];
  /** With --check-server: DOWNLOADED days whose server count differs from the ledger's (`download --refresh`). */
  stale: Array<{ day: string; ledger: number; server: number }>;
}

export interface StatusInput {
  rows: readonly LedgerRow[];
  /** The range to show (see resolveRange). */
  range: { start: string; end: string } | null;
  sensorId: string;
  outputFormat: OutputFormat;
  /** The days of the range as download sees them (download/facts.ts). */
  facts: readonly DayFacts[];
  /** As download decides: the clock and --settle/--recheck-window. */
  decide: Omit<DecideOptions, 'retryFailed' | 'limitDays' | 'adopt'>;
  /** The server's /count per day, with --check-server. */
  serverCounts?: ReadonlyMap<string, number>;
}

/** The ledger's latest row overall (by started_at_utc, file order breaking ties): the last run's settings. */
export function lastRunSettings(rows: readonly LedgerRow[]): { sensorId: string; outputFormat: OutputFormat } {
  let best: LedgerRow | undefined;
  let bestAt = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const t = parseTimestampMicros(row.started_at_utc);
    const at = Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
    if (!best || at >= bestAt) {
      best = row;
      bestAt = at;
    }
  }
  const sensorId = best && (best.sensor_id === 'ALL' || /^REACH-\d+$/.test(best.sensor_id)) ? best.sensor_id : 'ALL';
  const outputFormat: OutputFormat = formatOfLedger(best?.output_format);
  return { sensorId, outputFormat };
}

/**
 * The inclusive day range to show: the given bounds, each missing one taken from the days the ledger
 * covers (first to last, so gaps inside show up as days without a row); null for an empty ledger and no bounds.
 */
export function resolveRange(days: readonly string[], start?: string, end?: string): { start: string; end: string } | null {
  const sorted = [...days].sort();
  const ledgerFirst = sorted[0];
  const ledgerLast = sorted[sorted.length - 1];
  if (start !== undefined && end !== undefined) return { start, end };
  if (start !== undefined) return { start, end: ledgerLast !== undefined && ledgerLast > start ? ledgerLast : start };
  if (end !== undefined) return { start: ledgerFirst !== undefined && ledgerFirst < end ? ledgerFirst : end, end };
  return ledgerFirst !== undefined && ledgerLast !== undefined ? { start: ledgerFirst, end: ledgerLast } : null;
}

const PROCESSING = new Set<string>(PROCESSING_STATUSES);

export function buildStatus(input: StatusInput): StatusModel {
  const { sensorId, outputFormat, range } = input;
  const latest = latestByDay(input.rows);
  const downloaded = latestByDay(input.rows.filter((r) => r.status === 'DOWNLOADED'));
  const dayList = range ? dayRange(range.start, range.end) : [];
  const nameOf = (day: string) => artifactName(sensorId, dayWindow(day), outputFormat);
  const facts = new Map(input.facts.map((f) => [f.day, f]));
  const decisions = applyRefresh(
    input.facts.map((f) => decideDay(f, { ...input.decide, retryFailed: false })),
    latest,
    input.serverCounts ?? new Map(),
  );
  const byDay = new Map(decisions.map((d) => [d.day, d]));

  const days = dayList.map((day): DayStatus => {
    const d = byDay.get(day)!;
    const row = latest.get(day);
    const artifact = facts.get(day)?.artifact ?? { kind: 'absent' };
    // The processing phase's rows may not repeat the download's numbers; the DOWNLOADED row has them.
    const numbers = row && PROCESSING.has(row.status) && row.records_downloaded === '' ? (downloaded.get(day) ?? row) : row;
    return {
      day,
      status: row ? (row.status as LedgerStatus) : null,
      records: num(numbers?.records_downloaded),
      expectedRecords: num(numbers?.expected_records),
      availabilityPct: num(numbers?.availability_pct),
      sizeMiB: num(numbers?.csv_size_mb),
      downloadSeconds: num(numbers?.download_seconds),
      errorType: text(row?.error_type),
      errorMessage: text(row?.error_message),
      artifact: nameOf(day),
      artifactExists: artifact.kind !== 'absent',
      damaged: artifact.kind === 'damaged' ? artifact.why : null,
      serverCount: input.serverCounts?.get(day) ?? null,
      cdfPath: text(row?.cdf_path),
      s3Url: row?.status === 'UPLOADED' && row.s3_bucket ? `s3://${row.s3_bucket}/${row.s3_key}` : null,
      action: d.action,
      reason: d.reason,
      reasonText: describeDecision(d),
    };
  });

  const byStatus: Record<string, number> = {};
  for (const d of days) byStatus[d.status ?? NO_ROW] = (byStatus[d.status ?? NO_ROW] ?? 0) + 1;
  const total = (pick: (d: DayStatus) => number | null) => days.reduce((s, d) => s + (pick(d) ?? 0), 0);

  return {
    range: range ? { ...range, days: dayList.length } : null,
    sensorId,
    outputFormat,
    days,
    totals: {
      days: days.length,
      byStatus,
      records: total((d) => d.records),
      sizeMiB: round(total((d) => d.sizeMiB), 3),
      downloadSeconds: round(total((d) => d.downloadSeconds), 3),
    },
    orphans: days.filter((d) => d.status === null && d.artifactExists).map((d) => d.day),
    stale: days
      .filter((d) => d.status === 'DOWNLOADED' && d.serverCount !== null && d.records !== null && d.serverCount !== d.records)
      .map((d) => ({ day: d.day, ledger: d.records!, server: d.serverCount! })),
    rerun: {
      days: days.filter((d) => d.action !== 'skip').map((d) => ({ day: d.day, reason: d.reason, reasonText: d.reasonText })),
      retryFailedAdds: days
        .filter((d) => d.reason === 'failed')
        .map((d) => ({ day: d.day, errorType: d.errorType, errorMessage: d.errorMessage })),
    },
  };
}

function num(s: string | undefined): number | null {
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function text(s: string | undefined): string | null {
  return s === undefined || s === '' ? null : s;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
