/** Seeded fault injection: the same seed and the same request sequence give the same faults. */

/** A deterministic generator of floats in [0, 1). */
export type Prng = () => number;

/** mulberry32: tiny, fast and good enough to spread faults over requests. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Shares (0..1, summing to at most 1) of data requests that get each kind of fault. */
export interface FaultShares {
  /** Answer 500, 502 or 503 with a short body. */
  fail5xx: number;
  /** Reset the connection without answering. */
  reset: number;
  /** Send the headers and part of the body, then drop the connection. */
  truncate: number;
  /** Answer correctly, but only after the configured slow delay. */
  slow: number;
  /**
   * Answer 500 with a body echoing the request's headers, Authorization included, as some
   * broken proxies do. Optional so that shares written before it existed stay valid.
   */
  echo500?: number;
}

export type FaultKind = keyof FaultShares;

/** What to do with one data request. */
export type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'fail5xx'; readonly status: 500 | 502 | 503 }
  | { readonly kind: 'reset' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'slow' }
  | { readonly kind: 'echo500' };

// New kinds go last: with their share at 0, earlier seeds keep drawing the same faults.
export const FAULT_KINDS: readonly FaultKind[] = ['fail5xx', 'reset', 'truncate', 'slow', 'echo500'];

const SERVER_ERRORS = [500, 502, 503] as const;
const NO_FAULT: Fault = { kind: 'none' };

/**
 * Draws one fault decision per data request. Exactly two numbers are drawn per call,
 * whatever the outcome, so the n-th request's fate depends only on the seed and n.
 */
export class FaultPlan {
  private readonly random: Prng;

  constructor(
    private readonly shares: FaultShares,
    seed: number,
  ) {
    this.random = createPrng(seed);
  }

  next(): Fault {
    const u = this.random();
    const pick = SERVER_ERRORS[Math.floor(this.random() * SERVER_ERRORS.length)] ?? 500;
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      edge += this.shares[kind] ?? 0;
      if (u < edge) return kind === 'fail5xx' ? { kind, status: pick } : { kind };
    }
    return NO_FAULT;
  }
}
