/** Retry delays: exponential with jitter, and a server's Retry-After taking precedence. Pure. */

export interface BackoffParams {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffParams = { baseMs: 500, capMs: 30_000 };

/** Longest Retry-After honoured; beyond it the request fails over to the retry budget instead of idling. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Delay before retry number `attempt` (1 = first retry). "Equal jitter": half fixed, half random, so
 * concurrent retries spread out but never collapse to zero.
 * @param random a number in [0, 1)
 */
export function backoffDelay(attempt: number, random: number, p: BackoffParams = DEFAULT_BACKOFF, retryAfterMs?: number): number {
  const exp = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (exp / 2) * random;
  if (retryAfterMs !== undefined) return Math.min(MAX_RETRY_AFTER_MS, Math.max(retryAfterMs, jittered / 4));
  return jittered;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
