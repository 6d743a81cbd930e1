/**
 * The UDL spaceenvobservation endpoints with retries: every attempt passes the shared RequestGate,
 * back-off waits happen outside it so a sleeping retry does not hold a slot.
 */
import { isAscii } from 'node:buffer';
import { obTimeRange } from '../plan/windows.js';
import { backoffDelay, parseRetryAfter, type BackoffParams, DEFAULT_BACKOFF } from './backoff.js';
import type { Credential } from './auth.js';
import { UdlAuthError, UdlError, UdlHttpError } from './errors.js';
import type { RequestGate, Clock } from './gate.js';
import type { HttpGet } from './http.js';

export interface UdlQuery {
  descriptor: string;
  /** 'ALL' leaves idSensor out. */
  sensorId: string;
  startMs: number;
  /** Exclusive: the query asks for `start..end-1ms`, UDL's range being inclusive. */
  endMs: number;
}

export type ClientEvent =
  | { type: 'response'; endpoint: 'data' | 'count'; status: number; bytes: number; ms: number }
  | { type: 'retry'; endpoint: 'data' | 'count'; attempt: number; delayMs: number; error: UdlError };

export interface UdlClientOptions {
  baseUrl: string;
  credential: Credential;
  http: HttpGet;
  gate: RequestGate;
  clock: Clock;
  /** [0, 1) source for jitter; injected so tests repeat. */
  random: () => number;
  timeoutMs: number;
  maxRetries: number;
  backoff?: BackoffParams;
  onEvent?: (e: ClientEvent) => void;
}

export class UdlClient {
  private readonly base: string;
  constructor(private readonly o: UdlClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** Rows matching the query, from /count. */
  async count(q: UdlQuery): Promise<number> {
    const url = `${this.base}/udl/spaceenvobservation/count?${params(q).toString()}`;
    const text = (await this.get(url, 'count')).trim();
    if (!/^\d+$/.test(text)) throw new UdlHttpError(200, pathOf(url), `count was not a number: ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text);
  }

  /** One page of rows sorted by obTime: the JSON body as text. */
  async page(q: UdlQuery, firstResult: number, maxResults: number): Promise<string> {
    const p = params(q);
    p.set('sort', 'obTime');
    if (firstResult > 0) p.set('firstResult', String(firstResult));
    p.set('maxResults', String(maxResults));
    return this.get(`${this.base}/udl/spaceenvobservation?${p.toString()}`, 'data');
  }

  /** The body as text; the receive buffer goes back to the pool at once. */
  private async get(url: string, endpoint: 'data' | 'count'): Promise<string> {
    const { gate, clock } = this.o;
    for (let attempt = 0; ; attempt++) {
      let sentAt = 0;
      try {
        const res = await gate.run(async (at) => {
          sentAt = at;
          return this.o.http(url, { authorization: this.o.credential.header() }, this.o.timeoutMs);
        });
        this.o.onEvent?.({ type: 'response', endpoint, status: res.status, bytes: res.body.length, ms: clock.now() - sentAt });
        const text = res.status === 200 ? decode(res.body) : snippet(res.body);
        res.release();
        if (res.status === 200) {
          gate.success();
          return text;
        }
        if (res.status === 401 || res.status === 403) throw new UdlAuthError(res.status);
        throw new UdlHttpError(res.status, pathOf(url), text, parseRetryAfter(header(res.headers['retry-after']), Date.now()));
      } catch (err) {
        if (!(err instanceof UdlError) || !err.retryable || attempt >= this.o.maxRetries) throw err;
        if (err.congestion || err.code === 'ERR_UDL_NETWORK' || err.code === 'ERR_UDL_TIMEOUT') {
          gate.congestion(sentAt, err instanceof UdlHttpError && err.status === 429);
        }
        const retryAfter = err instanceof UdlHttpError ? err.retryAfterMs : undefined;
        const delayMs = backoffDelay(attempt + 1, this.o.random(), this.o.backoff ?? DEFAULT_BACKOFF, retryAfter);
        this.o.onEvent?.({ type: 'retry', endpoint, attempt: attempt + 1, delayMs, error: err });
        await clock.sleep(delayMs);
      }
    }
  }
}

function params(q: UdlQuery): URLSearchParams {
  const p = new URLSearchParams();
  p.set('obTime', obTimeRange(q.startMs, q.endMs));
  if (q.sensorId !== 'ALL') p.set('idSensor', q.sensorId);
  p.set('source', 'Aerospace');
  p.set('dataMode', 'REAL');
  p.set('descriptor', q.descriptor);
  return p;
}

/** UTF-8 text of a body. Pure ASCII (the usual page) decodes as Latin-1: the same string, 4x cheaper. */
function decode(body: Buffer): string {
  return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

function snippet(body: Buffer): string {
  return body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 120);
}
