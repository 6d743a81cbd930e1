/**
 * The UDL client in process: what it asks for, how it retries, and what it reports, with the HTTP call,
 * the rate limiter and the clock injected (no network, no real waiting).
 */
import { describe, expect, it } from 'vitest';
import { Credential } from '../../../src/udl/auth.js';
import { UdlClient, type BodySink, type ClientEvent } from '../../../src/udl/client.js';
import { UdlAuthError, type UdlError, UdlHttpError, UdlNetworkError, UdlThrottledError } from '../../../src/udl/errors.js';
import { RequestGate, type Clock, type RateLimiter } from '../../../src/udl/gate.js';
import type { HttpGet, HttpResponse } from '../../../src/udl/http.js';

const AUTH = `Basic ${Buffer.from('client-user:client-secret-9').toString('base64')}`;
const DAY = Date.parse('2026-01-01T00:00:00.000Z');

type Answer = Partial<HttpResponse> & { status: number; text?: string } | Error;

/** A scripted server: each call takes the next answer; a 200's text goes to the sink in two chunks. */
function scripted(answers: Answer[]) {
  const calls: Array<{ url: URL; headers: Record<string, string> }> = [];
  const http: HttpGet = async (url, headers, _timeoutMs, sink) => {
    calls.push({ url: new URL(url), headers });
    const a = answers.shift();
    if (!a) throw new Error('no more answers scripted');
    if (a instanceof Error) throw a;
    const body = Buffer.from(a.text ?? '');
    if (a.status === 200 && sink) {
      sink(body.subarray(0, body.length >> 1));
      sink(body.subarray(body.length >> 1));
    }
    return { headers: {}, bytes: body.length, bodyBytes: body.length, ...a, body: a.status === 200 && sink ? Buffer.alloc(0) : body };
  };
  return { http, calls };
}

function harness(answers: Answer[], maxRetries = 3) {
  const { http, calls } = scripted(answers);
  const limiter = { successes: 0, congestions: [] as boolean[] };
  const rate: RateLimiter = {
    acquire: async () => {},
    onSuccess: () => void limiter.successes++,
    onCongestion: (_at, throttled) => void limiter.congestions.push(throttled),
    rate: 5,
  };
  const slept: number[] = [];
  let now = 0;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  const events: ClientEvent[] = [];
  const client = new UdlClient({
    baseUrl: 'https://udl.example/',
    credential: new Credential(AUTH, 'BASICAUTH'),
    http,
    gate: new RequestGate(rate, 4, clock),
    clock,
    random: () => 0.5,
    timeoutMs: 1000,
    maxRetries,
    backoff: { baseMs: 100, capMs: 1000 },
    onEvent: (e) => events.push(e),
  });
  return { client, calls, limiter, slept, events };
}

const textOf = (): BodySink<string> => {
  const parts: Buffer[] = [];
  return { data: (c) => void parts.push(c), end: () => Buffer.concat(parts).toString('utf8') };
};
const QUERY = { descriptor: 'QUICKLOOK', sensorId: 'REACH-101', startMs: DAY, endMs: DAY + 300_000 };

describe('UdlClient', () => {
  it('asks for the window inclusive of its last millisecond, sorted, with the credential; the body streams into the sink', async () => {
    const h = harness([{ status: 200, text: '[{"id":"a"}]' }]);
    expect(await h.client.page(QUERY, 2000, 500, textOf)).toBe('[{"id":"a"}]');
    const { url, headers } = h.calls[0]!;
    expect(url.origin + url.pathname).toBe('https://udl.example/udl/spaceenvobservation');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      obTime: '2026-01-01T00:00:00.000Z..2026-01-01T00:04:59.999Z',
      idSensor: 'REACH-101',
      source: 'Aerospace',
      dataMode: 'REAL',
      descriptor: 'QUICKLOOK',
      sort: 'obTime',
      firstResult: '2000',
      maxResults: '500',
    });
    expect(headers.authorization).toBe(AUTH);
    expect(h.limiter.successes).toBe(1);
  });

  it('leaves idSensor and a zero firstResult out; /count answers a number', async () => {
    const h = harness([{ status: 200, text: '42\n' }, { status: 200, text: '[]' }]);
    expect(await h.client.count({ ...QUERY, sensorId: 'ALL' })).toBe(42);
    await h.client.page({ ...QUERY, sensorId: 'ALL' }, 0, 10_000, textOf);
    expect(h.calls[0]!.url.pathname).toBe('/udl/spaceenvobservation/count');
    for (const c of h.calls) expect(c.url.searchParams.has('idSensor')).toBe(false);
    expect(h.calls[1]!.url.searchParams.has('firstResult')).toBe(false);
  });

  it('refuses a /count that is not a number, quoting it', async () => {
    const h = harness([{ status: 200, text: '<html>maintenance</html>' }]);
    await expect(h.client.count(QUERY)).rejects.toThrow(/count was not a number: "<html>maintenance<\/html>"/);
  });

  it('retries a 500 and a reset with growing back-off, a 429 after its Retry-After, and tells the limiter which were congestion', async () => {
    const h = harness([
      { status: 500, text: 'oops' },
      new UdlNetworkError('ECONNRESET', '/udl/spaceenvobservation'),
      { status: 429, text: 'slow down', headers: { 'retry-after': '2' } },
      { status: 200, text: '7' },
    ]);
    expect(await h.client.count(QUERY)).toBe(7);
    expect(h.calls).toHaveLength(4);
    // Jitter 0.5 of exponential back-off from 100 ms: 75, 150; the 429 waits its 2 s.
    expect(h.slept).toEqual([75, 150, 2000]);
    // A 500 is not congestion; a reset and a 429 are (only the 429 is a throttle).
    expect(h.limiter.congestions).toEqual([false, true]);
    expect(h.events.filter((e) => e.type === 'retry').map((e) => (e as { error: UdlError }).error.code)).toEqual([
      'ERR_UDL_HTTP',
      'ERR_UDL_NETWORK',
      'ERR_UDL_THROTTLED',
    ]);
  });

  it('gives up after --max-retries with the last error', async () => {
    const h = harness([{ status: 503, text: 'down' }, { status: 503, text: 'down' }, { status: 503, text: 'still down' }], 2);
    const err = await h.client.count(QUERY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UdlHttpError);
    expect((err as UdlHttpError).status).toBe(503);
    expect((err as Error).message).toContain('still down');
    expect(h.calls).toHaveLength(3);
  });

  it('does not retry a 401 or a 400', async () => {
    const denied = harness([{ status: 401, text: 'no' }]);
    await expect(denied.client.count(QUERY)).rejects.toBeInstanceOf(UdlAuthError);
    const bad = harness([{ status: 400, text: 'bad query' }]);
    const err = await bad.client.count(QUERY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UdlHttpError);
    expect(err).not.toBeInstanceOf(UdlThrottledError);
    expect(denied.calls.length + bad.calls.length).toBe(2);
  });

  it('quotes an error body with the credential taken out, even when the server echoes it in every form', async () => {
    const token = AUTH.slice('Basic '.length);
    const echo = `bad request from ${AUTH} (token ${token}, user client-user:client-secret-9)`;
    const h = harness([{ status: 400, text: echo }]);
    const err = (await h.client.count(QUERY).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/bad request from/);
    for (const secret of new Credential(AUTH, 'BASICAUTH').secretForms()) expect(err.message).not.toContain(secret);
  });
});
