/**
 * What to ask for after a page comes back. UDL truncates silently at its row cap, so a full page may
 * hide more rows. Rather than trusting offsets over a sort whose tie order is unspecified, the client
 * continues by key: it keeps the rows strictly before the page's last obTime and asks again from that
 * millisecond. Offsets are the fallback only when a whole page shares one millisecond.
 */

export interface PageRequest {
  startMs: number;
  /** Exclusive. */
  endMs: number;
  firstResult: number;
}

export type PageStep =
  | { done: true; keep: number }
  | { done: false; keep: number; next: PageRequest };

/**
 * @param count rows the page held
 * @param obTimeMs row i's obTime in ms, non-decreasing in i; read only when the page is full, and then
 *   only from the end back to the first row of the last millisecond
 */
export function afterPage(req: PageRequest, count: number, maxResults: number, obTimeMs: (i: number) => number): PageStep {
  if (count < maxResults) return { done: true, keep: count };
  const last = obTimeMs(count - 1);
  if (Number.isNaN(last)) throw new RangeError('a full page needs its obTimes');
  if (last > req.startMs) {
    let keep = count - 1;
    while (keep > 0 && obTimeMs(keep - 1) === last) keep--;
    return { done: false, keep, next: { startMs: last, endMs: req.endMs, firstResult: 0 } };
  }
  return { done: false, keep: count, next: { startMs: req.startMs, endMs: req.endMs, firstResult: req.firstResult + count } };
}
