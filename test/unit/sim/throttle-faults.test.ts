import { describe, expect, it } from 'vitest';

import { createPrng, FaultPlan, retryAfterSeconds, TokenBucket, type Fault } from '../../../src/sim/index.js';

describe('TokenBucket', () => {
  it('allows a burst, then one request per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()].every((r) => r.ok)).toBe(true);
    const denied = bucket.take();
    expect(denied).toEqual({ ok: false, retryAfterMs: 500 });
    now = 499;
    expect(bucket.take().ok).toBe(false);
    now = 500;
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take().ok).toBe(false);
  });

  it('never holds more than the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    now = 60_000;
    expect([bucket.take(), bucket.take(), bucket.take()].map((r) => r.ok)).toEqual([true, true, false]);
  });

  it('ignores a clock stepping back', () => {
    let now = 1000;
    const bucket = new TokenBucket(1, 1, () => now);
    expect(bucket.take().ok).toBe(true);
    now = 0;
    expect(bucket.take().ok).toBe(false);
    now = 1000;
    expect(bucket.take().ok).toBe(true);
  });

  it('rejects nonsense parameters', () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0.5)).toThrow(RangeError);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(200)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });
});

describe('PRNG and fault plan', () => {
  it('repeat for a seed and differ across seeds', () => {
    const a = createPrng(7);
    const b = createPrng(7);
    const c = createPrng(8);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  const draw = (plan: FaultPlan, n: number): Fault[] => Array.from({ length: n }, () => plan.next());
  const shares = { fail5xx: 0.1, reset: 0.05, truncate: 0.05, slow: 0.02 };

  it('gives each kind about its share, deterministically', () => {
    const faults = draw(new FaultPlan(shares, 42), 20_000);
    expect(draw(new FaultPlan(shares, 42), 20_000)).toEqual(faults);
    const share = (kind: Fault['kind']): number => faults.filter((f) => f.kind === kind).length / faults.length;
    expect(share('fail5xx')).toBeCloseTo(0.1, 1);
    expect(share('reset')).toBeCloseTo(0.05, 1);
    expect(share('truncate')).toBeCloseTo(0.05, 1);
    expect(share('slow')).toBeCloseTo(0.02, 1);
    expect(share('none')).toBeCloseTo(0.78, 1);
    const statuses = new Set(faults.flatMap((f) => (f.kind === 'fail5xx' ? [f.status] : [])));
    expect([...statuses].sort()).toEqual([500, 502, 503]);
  });

  it('never faults at zero shares and always at a share of 1', () => {
    expect(draw(new FaultPlan({ fail5xx: 0, reset: 0, truncate: 0, slow: 0 }, 1), 1000).every((f) => f.kind === 'none')).toBe(true);
    expect(draw(new FaultPlan({ fail5xx: 0, reset: 1, truncate: 0, slow: 0 }, 1), 1000).every((f) => f.kind === 'reset')).toBe(true);
  });
});
