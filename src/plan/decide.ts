/**
 * The per-day decision table: the reference tool's, plus what keeps an archive whole over time: days not
 * yet settled wait, young empty days are asked again, damaged artifacts are fetched again, artifacts
 * without a ledger row can be adopted, and --refresh re-fetches days whose server count changed. Pure:
 * the caller gathers the facts (ledger, files, clock, server counts).
 */
import type { LedgerRow, LedgerStatus } from '../ledger/schema.js';
import { hasDownloadedFile, PROCESSING_STATUSES } from '../ledger/schema.js';

export type DayReason =
  | 'new'
  | 'interrupted'
  | 'artifact-missing'
  | 'artifact-damaged'
  | 'retry-failed'
  | 'recheck-empty'
  | 'refresh'
  | 'adopt'
  | 'downloaded'
  | 'no-data'
  | 'failed'
  | 'processing'
  | 'unsettled'
  | 'limit';

export type DayAction = 'run' | 'adopt' | 'skip';

export interface DayDecision {
  day: string;
  action: DayAction;
  reason: DayReason;
  /** The day's latest ledger status, if any. */
  status?: LedgerStatus;
  /** Why, in words, where the reason alone does not say it: the damage found, the counts that differ. */
  note?: string;
  /** For an unsettled day: when it may be fetched (ms). */
  until?: number;
}

/** What is on disk where the day's artifact should be. */
export type ArtifactState = { kind: 'absent' } | { kind: 'present' } | { kind: 'damaged'; why: string };

export interface DayFacts {
  day: string;
  /** When the day ends (exclusive, ms). */
  endMs: number;
  latest: LedgerRow | undefined;
  artifact: ArtifactState;
}

export interface DecideOptions {
  retryFailed: boolean;
  limitDays?: number | undefined;
  /** Record artifacts found without a ledger row instead of downloading them again. */
  adopt?: boolean;
  now: number;
  /** A day is fetched only once it ended this long ago. */
  settleMs: number;
  /** SKIPPED_NO_DATA is final only for days that ended longer ago than this. */
  recheckMs: number;
}

const REASON_TEXT: Record<DayReason, string> = {
  new: 'no ledger row yet',
  interrupted: 'last attempt was interrupted (DOWNLOAD_PENDING)',
  'artifact-missing': 'DOWNLOADED but the artifact is missing',
  'artifact-damaged': 'DOWNLOADED but the artifact is damaged',
  'retry-failed': 'FAILED earlier, --retry-failed given',
  'recheck-empty': 'SKIPPED_NO_DATA, but recent enough that data may still arrive',
  refresh: "the server's count differs from the ledger's (--refresh)",
  adopt: 'an artifact without a ledger row is on disk (--adopt checks and records it)',
  downloaded: 'DOWNLOADED and the artifact is on disk',
  'no-data': 'SKIPPED_NO_DATA (terminal)',
  failed: 'FAILED earlier; rerun with --retry-failed',
  processing: 'the processing phase has it',
  unsettled: 'not settled yet (--settle)',
  limit: 'beyond --limit-days',
};

export function describeReason(reason: DayReason): string {
  return REASON_TEXT[reason];
}

/** The reason and, where there is one, its note and the time an unsettled day waits for. */
export function describeDecision(d: DayDecision): string {
  const until = d.until !== undefined ? `; deferred until ${new Date(d.until).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  return `${describeReason(d.reason)}${d.note ? `: ${d.note}` : ''}${until}`;
}

const PROCESSING = new Set<string>(PROCESSING_STATUSES);

export function decideDay(f: DayFacts, o: DecideOptions): DayDecision {
  const { day, latest } = f;
  const status = latest?.status as LedgerStatus | undefined;
  const d = (action: DayAction, reason: DayReason, extra: Partial<DayDecision> = {}): DayDecision => ({
    day,
    action,
    reason,
    ...(status ? { status } : {}),
    ...extra,
  });
  if (o.now < f.endMs + o.settleMs) return d('skip', 'unsettled', { until: f.endMs + o.settleMs });
  if (!latest) {
    if (f.artifact.kind !== 'absent' && o.adopt) return d('adopt', 'adopt');
    return f.artifact.kind === 'absent' ? d('run', 'new') : d('run', 'new', { note: 'an artifact without a ledger row is on disk and will be replaced; --adopt keeps it if it checks out' });
  }
  switch (status) {
    case 'DOWNLOADED':
      if (f.artifact.kind === 'absent') return d('run', 'artifact-missing');
      if (f.artifact.kind === 'damaged') return d('run', 'artifact-damaged', { note: f.artifact.why });
      return d('skip', 'downloaded');
    case 'SKIPPED_NO_DATA':
      return o.now < f.endMs + o.recheckMs ? d('run', 'recheck-empty') : d('skip', 'no-data');
    case 'FAILED':
      return o.retryFailed ? d('run', 'retry-failed') : d('skip', 'failed');
    case 'DOWNLOAD_PENDING':
      return d('run', 'interrupted');
    default:
      // A processing-phase status means the download finished and downstream may have consumed the file.
      if (status && PROCESSING.has(status)) return d('skip', 'processing');
      return d('run', 'new');
  }
}

/** Decides every day, then caps the work at `limitDays` (see applyLimit). */
export function planDays(facts: readonly DayFacts[], o: DecideOptions): DayDecision[] {
  return applyLimit(
    facts.map((f) => decideDay(f, o)),
    o.limitDays,
  );
}

/**
 * Caps the days to work on at `limitDays`, counted from the first day that is not already complete: days
 * skipped as done don't use up the limit. Applied last, after --refresh has had its say.
 */
export function applyLimit(decisions: readonly DayDecision[], limitDays: number | undefined): DayDecision[] {
  let taken = 0;
  return decisions.map((d) => {
    if (d.action === 'skip') return d;
    if (limitDays !== undefined && taken >= limitDays) return { ...d, action: 'skip', reason: 'limit' };
    taken++;
    return d;
  });
}

/**
 * --refresh: a downloaded day (DOWNLOADED, or already taken on by the processing phase) whose server count
 * differs from the ledger's is fetched again; its new DOWNLOADED row then makes `process` convert it again.
 * `counts` holds the server's count for the days that were asked; others stay as they are.
 */
export function applyRefresh(decisions: readonly DayDecision[], latest: ReadonlyMap<string, LedgerRow>, counts: ReadonlyMap<string, number>): DayDecision[] {
  return decisions.map((d) => {
    const server = counts.get(d.day);
    const recorded = Number(latest.get(d.day)?.records_downloaded);
    if (!REFRESHABLE.has(d.reason) || server === undefined || server === recorded) return d;
    const fmt = (n: number) => n.toLocaleString('en-US');
    return { ...d, action: 'run', reason: 'refresh', note: `server has ${fmt(server)} records, artifact ${fmt(recorded)}` };
  });
}

const REFRESHABLE = new Set<DayReason>(['downloaded', 'processing']);

/**
 * Days --refresh asks the server about: those a plain run skips as downloaded, the processing phase's
 * included when the ledger knows how many records the day had.
 */
export function refreshCandidates(decisions: readonly DayDecision[], latest?: ReadonlyMap<string, LedgerRow>): string[] {
  return decisions
    .filter((d) => d.reason === 'downloaded' || (d.reason === 'processing' && hasDownloadedFile(latest?.get(d.day))))
    .map((d) => d.day);
}
