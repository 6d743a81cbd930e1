/** The simulator's counters, served by `/_sim/stats` for tests and benchmarks. */

import type { FaultKind } from './faults.js';

/** Counters since start or the last reset, plus the clock's current reading. */
export interface SimStats {
  /** Every request received, by endpoint, whatever its outcome. */
  requests: { total: number; data: number; count: number; stats: number; clock: number; other: number };
  /** Data requests that passed auth, throttling and validation (faults are drawn for these). */
  dataRequests: number;
  /** Count requests that passed auth, throttling and validation. */
  countRequests: number;
  status400: number;
  status401: number;
  status404: number;
  status405: number;
  status429: number;
  /** Faults injected, by kind. */
  faults: Record<FaultKind, number>;
  /** Rows in data responses sent in full. */
  rowsServed: number;
  /** Body bytes written by the UDL endpoints (including cut-short bodies), before any compression. */
  bytesServed: number;
  /** The same bodies as sent, after Content-Encoding; equal to bytesServed when nothing is compressed. */
  bytesOnWire: number;
  /** UDL answers sent with `Content-Encoding: gzip`. */
  gzipResponses: number;
  /**
   * Milliseconds, on the rate limiter's clock, from the first to the last data request that passed (0
   * before the second): the span over which clients sharing an allowance kept it busy, start-up and
   * wind-down left out.
   */
  dataSpanMs: number;
  /** The simulator's "now" (ISO-8601 UTC) when the snapshot was taken; not reset. */
  now: string;
}

/** Zeroed counters; `now` is filled in when a snapshot is taken. */
export function emptyStats(): SimStats {
  return {
    requests: { total: 0, data: 0, count: 0, stats: 0, clock: 0, other: 0 },
    dataRequests: 0,
    countRequests: 0,
    status400: 0,
    status401: 0,
    status404: 0,
    status405: 0,
    status429: 0,
    faults: { fail5xx: 0, reset: 0, truncate: 0, slow: 0, echo500: 0 },
    rowsServed: 0,
    bytesServed: 0,
    bytesOnWire: 0,
    gzipResponses: 0,
    dataSpanMs: 0,
    now: '',
  };
}
