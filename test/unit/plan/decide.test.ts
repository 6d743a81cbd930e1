import { describe, expect, it } from 'vitest';
import { applyLimit, applyRefresh, decideDay, planDays, refreshCandidates, type ArtifactState, type DayFacts, type DecideOptions } from '../../../src/plan/decide.js';
import { emptyRow, type LedgerRow } from '../../../src/ledger/schema.js';

const DAY_MS = 86_400_000;
const row = (status: string, day = '2026-01-01', over: Partial<LedgerRow> = {}): LedgerRow => ({ ...emptyRow(), chunk_date_utc: day, status, ...over });
const endOf = (day: string) => Date.parse(`${day}T00:00:00Z`) + DAY_MS;
const facts = (day: string, latest: LedgerRow | undefined, artifact: ArtifactState['kind'] | ArtifactState = 'absent'): DayFacts => ({
  day,
  endMs: endOf(day),
  latest,
  artifact: typeof artifact === 'string' ? ({ kind: artifact } as ArtifactState) : artifact,
});
// Long after the day: settled, and past the recheck window.
const later: DecideOptions = { retryFailed: false, now: endOf('2026-01-01') + 30 * DAY_MS, settleMs: 2 * 3_600_000, recheckMs: 7 * DAY_MS };

describe('decideDay: the reference decision table', () => {
  it.each([
    [undefined, 'absent', false, 'run', 'new'],
    ['DOWNLOADED', 'present', false, 'skip', 'downloaded'],
    ['DOWNLOADED', 'absent', false, 'run', 'artifact-missing'],
    ['SKIPPED_NO_DATA', 'absent', false, 'skip', 'no-data'],
    ['SKIPPED_NO_DATA', 'absent', true, 'skip', 'no-data'],
    ['FAILED', 'absent', false, 'skip', 'failed'],
    ['FAILED', 'absent', true, 'run', 'retry-failed'],
    ['FAILED', 'present', true, 'run', 'retry-failed'],
    ['DOWNLOAD_PENDING', 'absent', false, 'run', 'interrupted'],
    ['DOWNLOAD_PENDING', 'present', false, 'run', 'interrupted'],
    ['PROCESSED', 'absent', false, 'skip', 'processing'],
    ['UPLOADED', 'absent', false, 'skip', 'processing'],
    ['SKIPPED_NO_INPUT', 'absent', false, 'skip', 'processing'],
  ] as const)('latest %s, artifact %s, retry-failed %s -> %s (%s)', (status, artifact, retry, action, reason) => {
    const d = decideDay(facts('2026-01-01', status ? row(status) : undefined, artifact), { ...later, retryFailed: retry });
    expect(d.action).toBe(action);
    expect(d.reason).toBe(reason);
  });
});

describe('decideDay: keeping an archive whole', () => {
  it('defers a day until it ended --settle ago, whatever the ledger says', () => {
    const end = endOf('2026-01-01');
    const o = { ...later, now: end + 3_600_000 };
    const d = decideDay(facts('2026-01-01', undefined), o);
    expect(d).toMatchObject({ action: 'skip', reason: 'unsettled', until: end + 2 * 3_600_000 });
    expect(decideDay(facts('2026-01-01', undefined), { ...o, now: end + 2 * 3_600_000 }).reason).toBe('new');
    expect(decideDay(facts('2026-01-01', undefined), { ...o, settleMs: 0 }).reason).toBe('new');
  });
  it('asks again about an empty day younger than --recheck-window, and trusts it after', () => {
    const end = endOf('2026-01-01');
    expect(decideDay(facts('2026-01-01', row('SKIPPED_NO_DATA')), { ...later, now: end + DAY_MS })).toMatchObject({ action: 'run', reason: 'recheck-empty' });
    expect(decideDay(facts('2026-01-01', row('SKIPPED_NO_DATA')), { ...later, now: end + 8 * DAY_MS })).toMatchObject({ action: 'skip', reason: 'no-data' });
  });
  it('fetches a damaged artifact again, saying what is wrong', () => {
    const d = decideDay(facts('2026-01-01', row('DOWNLOADED'), { kind: 'damaged', why: '10 bytes on disk, the ledger says 99' }), later);
    expect(d).toMatchObject({ action: 'run', reason: 'artifact-damaged', note: '10 bytes on disk, the ledger says 99' });
  });
  it('adopts an artifact without a ledger row only with --adopt', () => {
    expect(decideDay(facts('2026-01-01', undefined, 'present'), { ...later, adopt: true })).toMatchObject({ action: 'adopt', reason: 'adopt' });
    const d = decideDay(facts('2026-01-01', undefined, 'present'), later);
    expect(d).toMatchObject({ action: 'run', reason: 'new' });
    expect(d.note).toMatch(/--adopt/);
  });
});

describe('--refresh and --limit-days', () => {
  const days = ['2026-01-01', '2026-01-02', '2026-01-03'];
  const latest = new Map(days.map((d) => [d, row('DOWNLOADED', d, { records_downloaded: '100' })]));
  it('refetches exactly the DOWNLOADED days whose server count differs, with the counts in the note', () => {
    const decisions = days.map((d) => decideDay(facts(d, latest.get(d), 'present'), later));
    expect(refreshCandidates(decisions)).toEqual(days);
    const refreshed = applyRefresh(decisions, latest, new Map([['2026-01-01', 100], ['2026-01-02', 1_105_920]]));
    expect(refreshed.map((d) => `${d.action}:${d.reason}`)).toEqual(['skip:downloaded', 'run:refresh', 'skip:downloaded']);
    expect(refreshed[1]!.note).toBe('server has 1,105,920 records, artifact 100');
  });
  it('counts only days to work on, from the first day not already complete', () => {
    const l = new Map([
      ['2026-01-01', row('DOWNLOADED', '2026-01-01')],
      ['2026-01-02', row('DOWNLOADED', '2026-01-02')],
      ['2026-01-04', row('SKIPPED_NO_DATA', '2026-01-04')],
    ]);
    const all = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
    const plan = planDays(all.map((d) => facts(d, l.get(d), 'present')), { ...later, now: endOf('2026-01-05') + 30 * DAY_MS, limitDays: 1 });
    expect(plan.map((d) => `${d.action}:${d.reason}`)).toEqual(['skip:downloaded', 'skip:downloaded', 'run:new', 'skip:no-data', 'skip:limit']);
    expect(applyLimit(plan, undefined)).toEqual(plan);
  });
});
