/** The shared budget's arithmetic, without a database. */
import { describe, expect, it } from 'vitest';
import { applyEvents, BUCKET_MS, CLOCK_SLACK_MS, giveBack, grant, initialBudget, recentFromBuckets, type BudgetState } from '../../../src/coord/budget-state.js';
import { CEILING_MARGIN, type AimdParams } from '../../../src/udl/aimd.js';

const P: AimdParams = { initialRate: 10, additiveIncrease: 1, multiplicativeDecrease: 0.5, minRate: 1, maxRate: 40 };
const T = 1_700_000_000_000;

function granted(s: BudgetState, now: number, n: number) {
  const g = grant(s, now, n, 250);
  if (!('grant' in g)) throw new Error(`no grant, retry at ${g.retryAt}`);
  return g;
}

describe('budget arithmetic', () => {
  it('hands out batches as consecutive, non-overlapping slots at 1/rate', () => {
    let s = initialBudget(P);
    const a = granted(s, T, 3);
    s = a.state;
    const b = granted(s, T + 100, 2);
    expect(a.grant).toEqual({ start: T, spacing: 100, n: 3 });
    expect(b.grant.start).toBe(T + 300);
    expect(b.state.nextFreeAt).toBe(T + 500);
  });

  it('refuses to reserve far ahead and says when to ask again', () => {
    const s: BudgetState = { ...initialBudget(P), nextFreeAt: T + 1_000 };
    expect(grant(s, T, 1, 250)).toEqual({ state: s, retryAt: T + 750 });
  });

  it('successes raise the rate additively, up to the ceiling, and fill the accepted-rate buckets', () => {
    const s = initialBudget(P);
    const { state, cut } = applyEvents(s, P, [0, 10, 120].map((d) => ({ kind: 'success' as const, at: T + d })), T + 200);
    expect(cut).toBe(false);
    expect(state.rate).toBe(13);
    expect(state.acceptedAt).toEqual([T, T + BUCKET_MS]);
    expect(state.acceptedN).toEqual([2, 1]);
    const capped = applyEvents({ ...s, ceiling: 11 }, P, [{ kind: 'success', at: T }, { kind: 'success', at: T }], T);
    expect(capped.state.rate).toBeLessThanOrEqual(11 + P.additiveIncrease * 0.01);
  });

  it('one cut per congestion event: reports on requests sent before the cut do not cut again', () => {
    const s = initialBudget(P);
    const first = applyEvents(s, P, [{ kind: 'congestion', at: T, sentAt: T - 50, throttled: false }], T + 5);
    expect(first.cut).toBe(true);
    expect(first.state.rate).toBe(5);
    expect(first.state.lastDecreaseAt).toBe(T + 5 + CLOCK_SLACK_MS);
    // The cut re-spaces the bucket from now at the new rate.
    expect(first.state.nextFreeAt).toBe(T + 5 + 200);
    const late = applyEvents(first.state, P, [{ kind: 'congestion', at: T + 20, sentAt: T - 40, throttled: true }], T + 30);
    expect(late.cut).toBe(false);
    expect(late.state.rate).toBe(5);
    const next = applyEvents(first.state, P, [{ kind: 'congestion', at: T + 500, sentAt: T + 400, throttled: false }], T + 510);
    expect(next.cut).toBe(true);
    expect(next.state.rate).toBe(2.5);
  });

  it('a 429 learns the ceiling from the accepted rate over the window every worker has reported', () => {
    // 20 successes a second for two seconds, reported in 100 ms buckets.
    const acceptedAt = Array.from({ length: 20 }, (_, i) => T + i * BUCKET_MS);
    const s: BudgetState = { ...initialBudget(P), rate: 24, acceptedAt, acceptedN: acceptedAt.map(() => 2) };
    expect(recentFromBuckets(s)).toHaveLength(40);
    const { state } = applyEvents(s, P, [{ kind: 'congestion', at: T + 2_000, sentAt: T + 1_950, throttled: true }], T + 2_000, 0);
    expect(state.ceiling).toBeCloseTo(20 * CEILING_MARGIN, 0);
    expect(state.rate).toBe(12);
    // The newest 250 ms not reported yet by everyone: measured over the window that ends there.
    const older = Array.from({ length: 20 }, (_, i) => T - 300 + i * BUCKET_MS);
    const lagging: BudgetState = { ...s, acceptedAt: older, acceptedN: older.map(() => 2) };
    const l = applyEvents(lagging, P, [{ kind: 'congestion', at: T + 2_000, sentAt: T + 1_950, throttled: true }], T + 2_000, 250);
    expect(l.state.ceiling).toBeGreaterThan(18);
    expect(l.state.ceiling).toBeLessThan(20);
  });

  it('a 429 in the first second of history cuts but teaches no ceiling: it would measure the start-up', () => {
    const s: BudgetState = { ...initialBudget(P), rate: 24, acceptedAt: [T, T + 100], acceptedN: [1, 3] };
    const { state, cut } = applyEvents(s, P, [{ kind: 'congestion', at: T + 600, sentAt: T + 550, throttled: true }], T + 600, 250);
    expect(cut).toBe(true);
    expect(state.rate).toBe(12);
    expect(state.ceiling).toBe(Number.POSITIVE_INFINITY);
  });

  it('gives unused tokens back only while no later batch was handed out', () => {
    const s: BudgetState = { ...initialBudget(P), nextFreeAt: T + 500 };
    expect(giveBack(s, T + 500, T + 300, T).nextFreeAt).toBe(T + 300);
    expect(giveBack(s, T + 400, T + 300, T).nextFreeAt).toBe(T + 500);
    expect(giveBack(s, T + 500, T - 50, T).nextFreeAt).toBe(T);
  });
});
