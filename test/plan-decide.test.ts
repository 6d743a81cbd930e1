import { describe, expect, it } from 'vitest';
import { decideDay, planDays } from '../src/plan/decide.js';
import { emptyRow, type LedgerRow } from '../src/ledger/schema.js';

const row = (status: string, day = '2026-01-01'): LedgerRow => ({ ...emptyRow(), chunk_date_utc: day, status });

describe('decideDay: the reference decision table', () => {
  it.each([
    [undefined, false, false, 'run', 'new'],
    ['DOWNLOADED', true, false, 'skip', 'downloaded'],
    ['DOWNLOADED', false, false, 'run', 'artifact-missing'],
    ['SKIPPED_NO_DATA', false, false, 'skip', 'no-data'],
    ['SKIPPED_NO_DATA', false, true, 'skip', 'no-data'],
    ['FAILED', false, false, 'skip', 'failed'],
    ['FAILED', false, true, 'run', 'retry-failed'],
    ['FAILED', true, true, 'run', 'retry-failed'],
    ['DOWNLOAD_PENDING', false, false, 'run', 'interrupted'],
    ['DOWNLOAD_PENDING', true, false, 'run', 'interrupted'],
    ['PROCESSED', false, false, 'skip', 'processing'],
    ['UPLOADED', false, false, 'skip', 'processing'],
    ['SKIPPED_NO_INPUT', false, false, 'skip', 'processing'],
  ] as const)('latest %s, artifact %s, retry-failed %s -> %s (%s)', (status, artifact, retry, action, reason) => {
    const d = decideDay('2026-01-01', status ? row(status) : undefined, artifact, retry);
    expect(d.action).toBe(action);
    expect(d.reason).toBe(reason);
  });
});

describe('planDays with --limit-days', () => {
  const days = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'];
  const latest = new Map([
    ['2026-01-01', row('DOWNLOADED', '2026-01-01')],
    ['2026-01-02', row('DOWNLOADED', '2026-01-02')],
    ['2026-01-04', row('SKIPPED_NO_DATA', '2026-01-04')],
  ]);
  it('counts only days to run, from the first day not already complete', () => {
    const plan = planDays(days, latest, () => true, { retryFailed: false, limitDays: 1 });
    expect(plan.map((d) => `${d.action}:${d.reason}`)).toEqual([
      'skip:downloaded',
      'skip:downloaded',
      'run:new',
      'skip:no-data',
      'skip:limit',
    ]);
  });
  it('runs everything without a limit', () => {
    const plan = planDays(days, latest, () => false, { retryFailed: false });
    expect(plan.filter((d) => d.action === 'run').map((d) => d.day)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-05']);
  });
});
