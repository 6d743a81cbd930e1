/**
 * The shared rate budget as pure arithmetic over one account's row: the AIMD state of src/udl/aimd.ts
 * (its functions, unchanged), made shareable, plus a token bucket refilled at the AIMD rate.
 *
 * - The accepted-rate window is kept as success counts per 100 ms bucket rather than a list of
 *   timestamps, so the row stays the same size whatever the rate.
 * - The token bucket is kept as its virtual time (the GCRA form of a token bucket): `nextFreeAt` is when
 *   the next token becomes free. A batch of n tokens is the n slots from max(now, nextFreeAt), spaced
 *   1/rate apart; batches never overlap, so all workers together send at most `rate` per second and
 *   never in a burst, whoever holds which batch.
 *
 * Times are the database's clock in epoch ms, so every worker's reports land on one time line.
 */
import { ACCEPT_WINDOW_MS, initialAimd, onCongestion, onSuccess, type AimdParams, type AimdState } from '../udl/aimd.js';

export const BUCKET_MS = 100;
/**
 * A cut is dated this much after it is made. Each worker maps its own clock onto the database's to within
 * a round trip; a request another worker sent just before it heard of the cut must not pass for one sent
 * after it and cut again.
 */
export const CLOCK_SLACK_MS = 10;

export interface BudgetState {
  rate: number;
  /** Infinity until a 429 teaches one. */
  ceiling: number;
  lastDecreaseAt: number;
  nextFreeAt: number;
  /** Bucket start times, ascending, within the accepted-rate window. */
  acceptedAt: number[];
  /** Successes in each bucket. */
  acceptedN: number[];
}

/** A worker's report, in database time: a 200, or a 429 / reset / timeout of a request sent at `sentAt`. */
export type BudgetEvent = { kind: 'success'; at: number } | { kind: 'congestion'; at: number; sentAt: number; throttled: boolean };

export interface Grant {
  /** Database time of the first slot. */
  start: number;
  spacing: number;
  n: number;
}

export function initialBudget(p: AimdParams): BudgetState {
  const a = initialAimd(p);
  return { rate: a.rate, ceiling: a.ceiling, lastDecreaseAt: a.lastDecreaseAt, nextFreeAt: 0, acceptedAt: [], acceptedN: [] };
}

/**
 * Applies reported outcomes in time order at `now`. A congestion report cuts the rate only if its request
 * was sent after the last cut by any worker (aimd.ts's one-cut-per-event rule, shared); the cut is dated
 * `now` (plus the clock slack), when it becomes visible to all, so requests other workers sent before
 * they could know of it do not cut again. After a cut the bucket is re-spaced from now at the new rate, as AimdRateLimiter does.
 */
export function applyEvents(
  s: BudgetState,
  p: AimdParams,
  events: readonly BudgetEvent[],
  now: number,
  reportLagMs = 0,
): { state: BudgetState; cut: boolean } {
  let state = s;
  let cut = false;
  for (const ev of [...events].sort((x, y) => x.at - y.at)) {
    if (ev.kind === 'success') {
      const a = onSuccess(toAimd(state, []), p, ev.at);
      state = { ...state, rate: a.rate, ceiling: a.ceiling, ...addSuccess(state, ev.at) };
    } else {
      // Other workers report their successes with their next exchange, up to `reportLagMs` late: the
      // accepted rate (the ceiling to learn) is measured over the window that ends that long ago, which
      // every worker has reported, unless nothing was reported before it (early in a run).
      // A window that is not yet full (the account's first seconds, or its first after an idle spell)
      // would mostly measure the workers' own start-up: such a 429 cuts but teaches no ceiling, since a
      // ceiling learnt too low is left again only by slow probing.
      const all = recentFromBuckets(state);
      const horizon = all.some((t) => t <= now - reportLagMs) ? now - reportLagMs : now;
      const mature = (all[0] ?? horizon) <= horizon - (ACCEPT_WINDOW_MS - 2 * BUCKET_MS);
      const a = onCongestion(toAimd(state, all.filter((t) => t <= horizon)), p, ev.sentAt, horizon, ev.throttled && mature);
      if (a.lastDecreaseAt === state.lastDecreaseAt) continue;
      cut = true;
      state = { ...state, rate: a.rate, ceiling: a.ceiling, lastDecreaseAt: now + CLOCK_SLACK_MS };
    }
  }
  state = prune(state, now);
  if (cut) state = { ...state, nextFreeAt: now + 1000 / state.rate };
  return { state, cut };
}

/**
 * Takes n tokens: the n slots from the bucket's virtual time (or now, if it lags behind). Refuses while
 * the next free slot is more than `maxAheadMs` away, saying when to ask again: tokens reserved far ahead
 * would keep the old spacing however the rate changes meanwhile, so the reserved future stays short.
 */
export function grant(s: BudgetState, now: number, n: number, maxAheadMs: number): { state: BudgetState; grant: Grant } | { state: BudgetState; retryAt: number } {
  if (s.nextFreeAt > now + maxAheadMs) return { state: s, retryAt: s.nextFreeAt - maxAheadMs };
  const start = Math.max(now, s.nextFreeAt);
  const spacing = 1000 / s.rate;
  return { state: { ...s, nextFreeAt: start + n * spacing }, grant: { start, spacing, n } };
}

/**
 * Returns a batch's unused slots (from `from` on) when the batch is still the last one handed out (the
 * bucket's time is its end); otherwise later batches were built after it and nothing can be taken back.
 */
export function giveBack(s: BudgetState, end: number, from: number, now: number): BudgetState {
  return s.nextFreeAt === end ? { ...s, nextFreeAt: Math.max(now, from) } : s;
}

function toAimd(s: BudgetState, recent: readonly number[]): AimdState {
  return { rate: s.rate, ceiling: s.ceiling, lastDecreaseAt: s.lastDecreaseAt, recent };
}

function addSuccess(s: BudgetState, at: number): Pick<BudgetState, 'acceptedAt' | 'acceptedN'> {
  const bucket = Math.floor(at / BUCKET_MS) * BUCKET_MS;
  const i = s.acceptedAt.indexOf(bucket);
  if (i >= 0) return { acceptedAt: s.acceptedAt, acceptedN: s.acceptedN.map((n, k) => (k === i ? n + 1 : n)) };
  // Reports arrive out of order across workers; keep buckets sorted so the oldest is first.
  const pos = s.acceptedAt.findIndex((t) => t > bucket);
  const at2 = pos < 0 ? s.acceptedAt.length : pos;
  return {
    acceptedAt: [...s.acceptedAt.slice(0, at2), bucket, ...s.acceptedAt.slice(at2)],
    acceptedN: [...s.acceptedN.slice(0, at2), 1, ...s.acceptedN.slice(at2)],
  };
}

/** The buckets as the timestamp list aimd.ts's acceptedRate reads: each success at its bucket's middle. */
export function recentFromBuckets(s: BudgetState): number[] {
  return s.acceptedAt.flatMap((t, i) => Array.from({ length: s.acceptedN[i] ?? 0 }, () => t + BUCKET_MS / 2));
}

function prune(s: BudgetState, now: number): BudgetState {
  const keep = s.acceptedAt.map((t) => t + BUCKET_MS > now - ACCEPT_WINDOW_MS);
  if (keep.every(Boolean)) return s;
  return { ...s, acceptedAt: s.acceptedAt.filter((_, i) => keep[i]), acceptedN: s.acceptedN.filter((_, i) => keep[i]) };
}
