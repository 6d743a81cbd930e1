/** The test-control endpoints under /_sim/: counters and the clock. Never behind auth. */

import type { IncomingMessage, ServerResponse } from 'node:http';

import { ClockRequestError, parseClockRequest, type SimClock } from './clock.js';
import { sendJson, sendText } from './respond.js';
import type { SimStats } from './stats.js';

export const STATS_PATH = '/_sim/stats';
export const STATS_RESET_PATH = '/_sim/stats/reset';
export const CLOCK_PATH = '/_sim/clock';

/** A clock change is a few dozen bytes; refuse anything that is clearly not one. */
const MAX_CONTROL_BODY = 4_096;

/** What the control endpoints read and change. */
export interface ControlContext {
  readonly counters: SimStats;
  readonly clock: SimClock;
  snapshot(): SimStats;
  resetStats(): void;
}

/** The body as text, or undefined once it exceeds `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function methodNotAllowed(res: ServerResponse, ctx: ControlContext, allow: string): void {
  ctx.counters.status405++;
  sendText(res, ctx.counters, 405, 'method not allowed\n', { Allow: allow });
}

/** GET reads the clock; POST changes it (query, JSON or form body) and answers the new reading. */
async function clock(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ControlContext): Promise<void> {
  if (req.method === 'GET') {
    sendJson(res, 200, ctx.clock.read());
    return;
  }
  if (req.method !== 'POST') {
    methodNotAllowed(res, ctx, 'GET, POST');
    return;
  }
  const body = await readBody(req, MAX_CONTROL_BODY);
  if (body === undefined) {
    sendText(res, ctx.counters, 413, 'clock request body too large\n', { Connection: 'close' });
    return;
  }
  try {
    ctx.clock.apply(parseClockRequest(url.searchParams, body));
  } catch (err) {
    if (!(err instanceof ClockRequestError)) throw err;
    ctx.counters.status400++;
    sendText(res, ctx.counters, 400, `${err.message}\n`);
    return;
  }
  sendJson(res, 200, ctx.clock.read());
}

/**
 * Answers a request to a control endpoint.
 * @returns false if `url` is not one, leaving the request untouched.
 */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ControlContext): Promise<boolean> {
  if (url.pathname === CLOCK_PATH) {
    ctx.counters.requests.clock++;
    await clock(req, res, url, ctx);
    return true;
  }
  if (url.pathname !== STATS_PATH && url.pathname !== STATS_RESET_PATH) return false;
  ctx.counters.requests.stats++;
  const reset = url.pathname === STATS_RESET_PATH;
  if (req.method !== (reset ? 'POST' : 'GET')) {
    methodNotAllowed(res, ctx, reset ? 'POST' : 'GET');
    return true;
  }
  const snapshot = ctx.snapshot();
  if (reset) ctx.resetStats();
  sendJson(res, 200, snapshot);
  return true;
}
