/**
 * The rate controller against a token-bucket server in virtual time: a discrete-event model of the
 * client (pacing, requests in flight, Retry-After) that checks goodput and throttling, with no clock.
 */
import { describe, expect, it } from 'vitest';
import { initialAimd, onCongestion, onSuccess, type AimdParams, type AimdState } from '../../../src/udl/aimd.js';

const reference: AimdParams = { initialRate: 5, additiveIncrease: 1, multiplicativeDecrease: 0.5, minRate: 5, maxRate: 25 };

function simulate(serverRate: number, burst: number, seconds: number, p = reference, inFlightMax = 4, latencyMs = 60) {
  let s: AimdState = initialAimd(p);
  let tokens = burst;
  let tokensAt = 0;
  let nextStart = 0;
  let ok = 0;
  let throttled = 0;
  const completions: Array<{ at: number; sentAt: number; success: boolean }> = [];
  const retryAt: number[] = [];
  let now = 0;
  const end = seconds * 1000;
  while (now < end) {
    completions.sort((a, b) => a.at - b.at);
    const canStart = completions.length < inFlightMax;
    const startAt = Math.max(nextStart, retryAt.length ? Math.min(...retryAt) : nextStart);
    if (canStart && (completions.length === 0 || startAt <= completions[0]!.at)) {
      now = Math.max(now, startAt);
      const idx = retryAt.findIndex((t) => t <= now);
      if (idx >= 0) retryAt.splice(idx, 1);
      tokens = Math.min(burst, tokens + ((now - tokensAt) / 1000) * serverRate);
      tokensAt = now;
      const success = tokens >= 1;
      if (success) tokens -= 1;
      completions.push({ at: now + latencyMs, sentAt: now, success });
      nextStart = now + 1000 / s.rate;
      continue;
    }
    const c = completions.shift()!;
    now = c.at;
    if (c.success) {
      ok++;
      s = onSuccess(s, p, now);
    } else {
      throttled++;
      s = onCongestion(s, p, c.sentAt, now, true);
      retryAt.push(now + 1000);
      nextStart = Math.max(nextStart, now + 1000 / s.rate);
    }
  }
  return { goodput: ok / seconds, throttledShare: throttled / (ok + throttled) };
}

describe('AIMD against a token bucket (virtual time)', () => {
  it.each([
    [6, 6],
    [8, 8],
    [10, 10],
    [15, 15],
    [20, 20],
  ])('at R=%i req/s, burst %i: goodput at least 0.9 R with at most 5 percent of requests throttled', (rate, burst) => {
    const r = simulate(rate, burst, 120);
    expect(r.goodput).toBeGreaterThanOrEqual(0.9 * rate);
    expect(r.throttledShare).toBeLessThanOrEqual(0.05);
  });
  it.each([
    [10, 1],
    [10, 3],
    [20, 5],
  ])('keeps 0.8 R with at most 2 percent throttled at R=%i against a small bucket (%i), which punishes any overshoot', (rate, burst) => {
    const r = simulate(rate, burst, 120);
    expect(r.goodput).toBeGreaterThanOrEqual(0.8 * rate);
    expect(r.throttledShare).toBeLessThanOrEqual(0.02);
  });
  it('runs at max_rate when the server allows more', () => {
    const r = simulate(100, 100, 60);
    expect(r.goodput).toBeGreaterThan(24);
    expect(r.throttledShare).toBe(0);
  });
});
