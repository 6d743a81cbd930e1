/**
 * The shared request-rate controller, as pure arithmetic over a state value.
 *
 * Reference semantics: each success adds `additiveIncrease` (up to `maxRate`); each 429, connection error
 * or timeout multiplies by `multiplicativeDecrease` (down to `minRate`). Two refinements keep goodput
 * near the server's allowance instead of see-sawing around it:
 * - one cut per congestion event: a failure of a request sent before the last cut reports on the old
 *   rate, which has already been cut, so it does not cut again;
 * - a learned ceiling: on a 429 the rate the server actually accepted over the last few seconds becomes
 *   the ceiling; the climb back stops there and probes above it only slowly, so throttling stays rare
 *   once the allowance is known.
 */

export interface AimdParams {
  initialRate: number;
  additiveIncrease: number;
  multiplicativeDecrease: number;
  minRate: number;
  maxRate: number;
}

export interface AimdState {
  rate: number;
  /** Highest rate the climb may reach; Infinity until a 429 teaches one. */
  ceiling: number;
  /** When the last cut happened (ms, the caller's clock). */
  lastDecreaseAt: number;
  /** Completion times of recent successes, oldest first, within ACCEPT_WINDOW_MS. */
  recent: readonly number[];
}

/**
 * Share of additive increase spent probing above a learned ceiling. Small on purpose: each 429 costs a
 * halving and a climb back (about 3 requests' worth), so probes must find a higher allowance slowly
 * enough that throttling stays near 1-2% (tuned in test/unit/udl/aimd-sim.test.ts).
 */
export const PROBE_SHARE = 0.005;
/** The ceiling sits just under the accepted rate, which a full bucket's burst inflates. */
export const CEILING_MARGIN = 0.97;
/** How far back successes count towards the accepted rate. */
export const ACCEPT_WINDOW_MS = 2_000;

export function initialAimd(p: AimdParams): AimdState {
  return {
    rate: clamp(p.initialRate, p.minRate, p.maxRate),
    ceiling: Number.POSITIVE_INFINITY,
    lastDecreaseAt: Number.NEGATIVE_INFINITY,
    recent: [],
  };
}

export function onSuccess(s: AimdState, p: AimdParams, now: number): AimdState {
  const recent = [...s.recent.filter((t) => t > now - ACCEPT_WINDOW_MS), now];
  if (s.rate >= s.ceiling) {
    const ceiling = Math.min(p.maxRate, s.ceiling + p.additiveIncrease * PROBE_SHARE);
    return { ...s, ceiling, rate: ceiling, recent };
  }
  return { ...s, rate: Math.min(p.maxRate, s.ceiling, s.rate + p.additiveIncrease), recent };
}

/**
 * @param sentAt when the failed request was started
 * @param throttled a 429 (teaches the ceiling); connection errors and timeouts only cut the rate
 */
export function onCongestion(s: AimdState, p: AimdParams, sentAt: number, now: number, throttled: boolean): AimdState {
  if (sentAt < s.lastDecreaseAt) return s;
  const ceiling = throttled ? clamp(acceptedRate(s, now) * CEILING_MARGIN, p.minRate, p.maxRate) : s.ceiling;
  return { ...s, rate: clamp(s.rate * p.multiplicativeDecrease, p.minRate, p.maxRate), ceiling, lastDecreaseAt: now };
}

/** Successes per second over the window (or over the time since the first one, early in a run). */
export function acceptedRate(s: AimdState, now: number): number {
  const recent = s.recent.filter((t) => t > now - ACCEPT_WINDOW_MS);
  if (recent.length === 0) return 0;
  const span = Math.max(500, Math.min(ACCEPT_WINDOW_MS, now - recent[0]!));
  return (recent.length * 1000) / span;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
