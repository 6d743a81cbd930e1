/**
 * The shared request-rate controller, as pure arithmetic over a state value.
 *
 * Reference semantics: each success adds `additiveIncrease` (up to `maxRate`); each 429, connection error
 * or timeout multiplies by `multiplicativeDecrease` (down to `minRate`). Two refinements keep goodput
 * near the server's allowance instead of see-sawing around it:
 * - one decrease per congestion event: a failure of a request sent before the last decrease reports on
 *   the old rate, which has already been cut, so it does not cut again;
 * - a learned ceiling: a 429 marks the rate that overran the server; the climb back stops just below it
 *   and probes above it only slowly, so throttling stays rare once the allowance is found.
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
  /** When the last decrease happened (ms, the caller's clock). */
  lastDecreaseAt: number;
}

/** Share of additive increase spent probing above a learned ceiling. */
const PROBE_SHARE = 0.05;
/** Where the ceiling lands below the rate that drew a 429. */
const CEILING_MARGIN = 0.95;

export function initialAimd(p: AimdParams): AimdState {
  return { rate: clamp(p.initialRate, p.minRate, p.maxRate), ceiling: Number.POSITIVE_INFINITY, lastDecreaseAt: Number.NEGATIVE_INFINITY };
}

export function onSuccess(s: AimdState, p: AimdParams): AimdState {
  if (s.rate >= s.ceiling) {
    const ceiling = Math.min(p.maxRate, s.ceiling + p.additiveIncrease * PROBE_SHARE);
    return { ...s, ceiling, rate: ceiling };
  }
  return { ...s, rate: Math.min(p.maxRate, s.ceiling, s.rate + p.additiveIncrease) };
}

/**
 * @param sentAt when the failed request was started
 * @param throttled a 429 (teaches the ceiling); connection errors and timeouts only cut the rate
 */
export function onCongestion(s: AimdState, p: AimdParams, sentAt: number, now: number, throttled: boolean): AimdState {
  if (sentAt < s.lastDecreaseAt) return s;
  const ceiling = throttled ? Math.max(p.minRate, s.rate * CEILING_MARGIN) : s.ceiling;
  return { rate: clamp(s.rate * p.multiplicativeDecrease, p.minRate, p.maxRate), ceiling, lastDecreaseAt: now };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
