/**
 * The UDL spaceenvobservation endpoints with retries: every attempt passes the shared RequestGate,
 * back-off waits happen outside it so a sleeping retry does not hold a slot.
 */
import { obTimeRange } from '../plan/windows.js';
import { backoffDelay, parseRetryAfter, type BackoffParams, DEFAULT_BACKOFF } from './backoff.js';
import type { Credential } from './auth.js';
import { UdlAuthError, UdlError, UdlHttpError, UdlThrottledError } from './errors.js';
import { stoppedError } from '../errors.js';
import { Redactor } from '../redact.js';
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
  /** Aborting stops new attempts, cuts the ones in flight and ends back-off waits (StoppedError). */
  signal?: AbortSignal;
}

export class UdlClient {
  private readonly base: string;
  /** Error bodies are quoted in messages; a server that echoes the request must not make them carry the credential. */
  private readonly redactor = new Redactor();

  constructor(private readonly o: UdlClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.redactor.add(o.credential);
  }

  /** Rows matching the query, from /count. */
  async count(q: UdlQuery): Promise<number> {
    const url = `${this.base}/udl/spaceenvobservation/count?${params(q).toString()}`;
    const text = (await this.get(url, 'count', textSink)).trim();
    if (!/^\d+$/.test(text)) throw new UdlHttpError(200, pathOf(url), `count was not a number: ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text);
  }

  /**
   * One page of rows sorted by obTime, streamed into a sink as it arrives. Each attempt opens a fresh sink;
   * what a sink throws ends the page without a retry here.
   */
  async page<T>(q: UdlQuery, firstResult: number, maxResults: number, open: () => BodySink<T>): Promise<T> {
    const p = params(q);
    p.set('sort', 'obTime');
    if (firstResult > 0) p.set('firstResult', String(firstResult));
    p.set('maxResults', String(maxResults));
    return this.get(`${this.base}/udl/spaceenvobservation?${p.toString()}`, 'data', open);
  }

  private async get<T>(url: string, endpoint: 'data' | 'count', open: () => BodySink<T>): Promise<T> {
    const { gate, clock, signal } = this.o;
    for (let attempt = 0; ; attempt++) {
      let sentAt = 0;
      try {
        const sink = open();
        const res = await gate.run(async (at) => {
          sentAt = at;
          return this.o.http(url, { authorization: this.o.credential.header() }, this.o.timeoutMs, (chunk) => sink.data(chunk), signal);
        }, signal);
        this.o.onEvent?.({ type: 'response', endpoint, status: res.status, bytes: res.bytes, ms: clock.now() - sentAt });
        if (res.status === 200) {
          const out = sink.end();
          gate.success(sentAt);
          return out;
        }
        // Redacted before it is cut short: a cut through the token would leave a prefix no redactor recognises.
        const text = snippet(this.redactor.apply(res.body.toString('utf8')));
        if (res.status === 401 || res.status === 403) throw new UdlAuthError(res.status);
        const retryAfter = parseRetryAfter(header(res.headers['retry-after']), Date.now());
        throw res.status === 429 ? new UdlThrottledError(pathOf(url), text, retryAfter) : new UdlHttpError(res.status, pathOf(url), text, retryAfter);
      } catch (err) {
        if (signal?.aborted) throw stoppedError(signal);
        if (!(err instanceof UdlError) || !err.retryable || attempt >= this.o.maxRetries) throw err;
        if (err.congestion) {
          gate.congestion(sentAt, err instanceof UdlHttpError && err.status === 429);
        }
        const retryAfter = err instanceof UdlHttpError ? err.retryAfterMs : undefined;
        const delayMs = backoffDelay(attempt + 1, this.o.random(), this.o.backoff ?? DEFAULT_BACKOFF, retryAfter);
        this.o.onEvent?.({ type: 'retry', endpoint, attempt: attempt + 1, delayMs, error: err });
        await clock.sleep(delayMs, signal);
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

/** Receives a 200 body chunk by chunk; `end` turns what arrived into the result. */
export interface BodySink<T> {
  /** A chunk's memory is reused once this returns (a connection's read buffer): copy what is kept. */
  data(chunk: Buffer): void;
  end(): T;
}

/** The whole body as text, for small answers like /count. */
function textSink(): BodySink<string> {
  const chunks: Buffer[] = [];
  return { data: (c) => void chunks.push(Buffer.from(c)), end: () => Buffer.concat(chunks).toString('utf8') };
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** The start of an error body, on one line: enough to recognise the server's complaint. */
function snippet(body: string): string {
  return body.slice(0, 400).replace(/\s+/g, ' ').trim().slice(0, 240);
}
