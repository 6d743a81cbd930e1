import { describe, expect, it } from 'vitest';
import { CEILING_MARGIN, PROBE_SHARE, initialAimd, onCongestion, onSuccess, type AimdParams } from '../../../src/udl/aimd.js';
import { backoffDelay, parseRetryAfter, MAX_RETRY_AFTER_MS } from '../../../src/udl/backoff.js';
import { AimdRateLimiter, RequestGate, type Clock } from '../../../src/udl/gate.js';

const p: AimdParams = { initialRate: 5, additiveIncrease: 1, multiplicativeDecrease: 0.5, minRate: 5, maxRate: 25 };

describe('AIMD arithmetic', () => {
  it('adds additive_increase per success up to max_rate', () => {
    let s = initialAimd(p);
    expect(s.rate).toBe(5);
    s = onSuccess(s, p, 0);
    expect(s.rate).toBe(6);
    for (let i = 0; i < 100; i++) s = onSuccess(s, p, i);
    expect(s.rate).toBe(25);
  });
  it('multiplies on congestion down to min_rate', () => {
    let s = { ...initialAimd(p), rate: 24 };
    s = onCongestion(s, p, 10, 10, false);
    expect(s.rate).toBe(12);
    s = onCongestion(s, p, 20, 20, false);
    expect(s.rate).toBe(6);
    s = onCongestion(s, p, 30, 30, false);
    expect(s.rate).toBe(5);
  });
  it('cuts once per congestion event: failures of requests sent before the cut do not cut again', () => {
    let s = { ...initialAimd(p), rate: 20 };
    s = onCongestion(s, p, 100, 150, true);
    expect(s.rate).toBe(10);
    expect(onCongestion(s, p, 120, 160, true)).toBe(s);
    expect(onCongestion(s, p, 151, 170, true).rate).toBe(5);
  });
  it('learns the accepted rate as a ceiling from a 429 and probes above it only slowly', () => {
    let s = { ...initialAimd(p), rate: 20 };
    // 16 successes over the last 2 s: the server accepts 8 req/s.
    for (let i = 0; i < 16; i++) s = { ...s, recent: [...s.recent, 10_000 + i * 125] };
    s = onCongestion(s, p, 12_000, 12_000, true);
    expect(s.ceiling).toBeCloseTo(8 * CEILING_MARGIN, 5);
    expect(s.rate).toBe(10);
    s = onSuccess(s, p, 12_100);
    expect(s.rate).toBeCloseTo(8 * CEILING_MARGIN + PROBE_SHARE, 5);
    s = onSuccess(s, p, 12_200);
    expect(s.rate).toBeCloseTo(8 * CEILING_MARGIN + 2 * PROBE_SHARE, 5);
  });
  it('keeps the ceiling within [min, max] and forgets successes older than the window', () => {
    let s = initialAimd(p);
    s = onSuccess(s, p, 0);
    s = onSuccess(s, p, 5_000);
    expect(s.recent).toEqual([5_000]);
    expect(onCongestion(s, p, 5_000, 5_000, true).ceiling).toBe(5);
  });
  it('does not learn a ceiling from resets and timeouts', () => {
    const s = onCongestion({ ...initialAimd(p), rate: 20 }, p, 0, 0, false);
    expect(s.ceiling).toBe(Number.POSITIVE_INFINITY);
  });
  it('clamps the initial rate into [min, max]', () => {
    expect(initialAimd({ ...p, initialRate: 1 }).rate).toBe(5);
    expect(initialAimd({ ...p, initialRate: 99 }).rate).toBe(25);
  });
});

describe('back-off', () => {
  it('doubles per attempt with jitter in [half, full], capped', () => {
    expect(backoffDelay(1, 0)).toBe(250);
    expect(backoffDelay(1, 0.999999)).toBeCloseTo(500, 0);
    expect(backoffDelay(3, 0)).toBe(1000);
    expect(backoffDelay(30, 0.5)).toBe(22_500);
  });
  it('waits at least what Retry-After asks, within a cap', () => {
    expect(backoffDelay(1, 0.5, undefined, 2_000)).toBe(2_000);
    expect(backoffDelay(1, 0.5, undefined, 10_000_000)).toBe(MAX_RETRY_AFTER_MS);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3', 0)).toBe(3_000);
    expect(parseRetryAfter('0.5', 0)).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});

/** A clock that advances only when someone sleeps on it. */
function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

describe('RequestGate', () => {
  it('spaces starts 1/rate apart and raises the rate per success', async () => {
    const clock = fakeClock();
    const gate = new RequestGate(new AimdRateLimiter(p, clock), 1, clock);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const at = await gate.run(async (sentAt) => {
        starts.push(sentAt);
        return sentAt;
      });
      gate.success(at);
    }
    expect(starts).toEqual([0, 200, 200 + 1000 / 6]);
  });
  it('holds at most maxInFlight at once', async () => {
    const clock = fakeClock();
    const gate = new RequestGate(new AimdRateLimiter({ ...p, initialRate: 25 }, clock), 2, clock);
    let inFlight = 0;
    let peak = 0;
    let finished = 0;
    const release: Array<() => void> = [];
    const jobs = Array.from({ length: 5 }, () =>
      gate.run(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((r) => release.push(r));
        inFlight--;
        finished++;
      }),
    );
    while (finished < 5) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
    }
    await Promise.all(jobs);
    expect(peak).toBe(2);
  });
});
