/** A token bucket with an injectable clock, so rate limiting can be tested without waiting. */

/** Milliseconds from an arbitrary, monotonic origin. */
export type Clock = () => number;

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param rate tokens added per second (> 0)
   * @param burst bucket capacity (>= 1); the bucket starts full
   * @param now clock in milliseconds; defaults to `performance.now`
   */
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: Clock = () => performance.now(),
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`rate must be a positive number, got ${rate}`);
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token, or says how long until one is available. */
  take(): TakeResult {
    const t = this.now();
    // A clock that steps back (it should not) must not drain the bucket.
    const elapsed = Math.max(0, t - this.last);
    this.last = t;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: ((1 - this.tokens) * 1000) / this.rate };
  }
}

/** The `Retry-After` value for a wait: whole seconds, rounded up, never below 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
