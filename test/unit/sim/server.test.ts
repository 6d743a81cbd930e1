import http, { type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { SimConfigError, SimListenError, startSim, type RunningSim, type SimOptions } from '../../../src/sim/index.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
}

interface Rec {
  id: string;
  idSensor: string;
  obTime: string;
  descriptor: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
afterAll(() => agent.destroy());

/** GET with a keep-alive agent; rejects on reset, cut-short body or `timeoutMs`. */
function get(sim: RunningSim, path: string, opts: { headers?: http.OutgoingHttpHeaders; timeoutMs?: number; method?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(sim.url + path, { agent, headers: opts.headers, method: opts.method ?? 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    if (opts.timeoutMs !== undefined) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end();
  });
}

const DAY = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z';
const data = (q: string): string => `/udl/spaceenvobservation?${q}`;
const count = (q: string): string => `/udl/spaceenvobservation/count?${q}`;
const rows = (r: Reply): Rec[] => JSON.parse(r.body) as Rec[];

const sims: RunningSim[] = [];
async function sim(options: SimOptions = {}): Promise<RunningSim> {
  const s = await startSim(options);
  sims.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe('queries', () => {
  let s: RunningSim;
  beforeAll(async () => {
    s = await startSim({ sensors: 3, subSecondShare: 0.01, maxResults: 100 });
  });
  afterAll(() => s.close());

  it('answers a full day count of 1,105,920 for 32 sensors', async () => {
    const full = await sim();
    const r = await get(full, count(`${DAY}&descriptor=QUICKLOOK&source=Aerospace&dataMode=REAL`));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.body).toBe('1105920');
  });

  it('treats A..B as inclusive at both ends, at millisecond precision', async () => {
    const q = 'idSensor=REACH-101&descriptor=QUICKLOOK&sort=obTime';
    const r = await get(s, data(`obTime=2026-01-01T00:05:00.000Z..2026-01-01T00:05:05.000Z&${q}`));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const times = rows(r).map((x) => x.obTime);
    expect(times[0]).toBe('2026-01-01T00:05:00.000Z');
    expect(times.at(-1)).toBe('2026-01-01T00:05:05.000Z');
    // One millisecond either side of midnight: sub-second records are always there.
    const before = rows(await get(s, data(`obTime=2025-12-31T23:59:59.999Z..2025-12-31T23:59:59.999Z&${q}`)));
    const after = rows(await get(s, data(`obTime=2026-01-01T00:00:00.001Z..2026-01-01T00:00:00.001Z&${q}`)));
    expect(before.map((x) => x.obTime)).toEqual(['2025-12-31T23:59:59.999Z', '2025-12-31T23:59:59.999Z']);
    expect(after.map((x) => x.obTime)).toEqual(['2026-01-01T00:00:00.001Z', '2026-01-01T00:00:00.001Z']);
    const inner = await get(s, count(`obTime=2026-01-01T00:05:00.001Z..2026-01-01T00:05:04.999Z&${q}`));
    const outer = await get(s, count(`obTime=2026-01-01T00:05:00.000Z..2026-01-01T00:05:05.000Z&${q}`));
    expect(Number(outer.body) - Number(inner.body)).toBe(4);
  });

  it('answers the single-sided forms', async () => {
    const q = 'idSensor=REACH-102&descriptor=PROVISIONAL';
    const at = '2026-01-01T00:00:00.000Z';
    const c = async (obTime: string): Promise<number> => Number((await get(s, count(`obTime=${encodeURIComponent(obTime)}&${q}`))).body);
    const [gt, ge, lt, le, all] = await Promise.all([c(`>${at}`), c(`>=${at}`), c(`<${at}`), c(`<=${at}`), c('>=2000-01-01T00:00:00.000Z')]);
    expect(ge - gt).toBe(2);
    expect(le - lt).toBe(2);
    expect(gt + le).toBe(all);
    expect(ge + lt).toBe(all);
    const firstAfter = rows(await get(s, data(`obTime=${encodeURIComponent(`>${at}`)}&${q}&maxResults=1`)));
    expect(firstAfter[0]?.obTime).toBe('2026-01-01T00:00:00.001Z');
    const lastBefore = await get(s, count(`obTime=${encodeURIComponent(`<${at}`)}&${q}`));
    expect(Number(lastBefore.body)).toBe(lt);
  });

  it('refuses missing or malformed parameters with 400 and a message', async () => {
    s.resetStats();
    for (const q of ['', 'obTime=2026-01-01', 'obTime=2026-01-01T00:00:00Z&maxResults=x', 'obTime=2026-01-01T00:00:00Z&bogus=1']) {
      const r = await get(s, data(q));
      expect(r.status).toBe(400);
      expect(r.body.length).toBeGreaterThan(10);
    }
    expect((await get(s, count(''))).status).toBe(400);
    expect(s.stats()).toMatchObject({ status400: 5, dataRequests: 0, countRequests: 0, requests: { data: 4, count: 1 } });
  });

  it('filters by idSensor, source, dataMode and descriptor', async () => {
    const window = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T00:00:00.000Z';
    const all = rows(await get(s, data(window)));
    expect(all.map((x) => `${x.idSensor}/${x.descriptor}`)).toEqual(
      ['REACH-101', 'REACH-102', 'REACH-105'].flatMap((id) => [1, 2].flatMap(() => [`${id}/QUICKLOOK`, `${id}/PROVISIONAL`])),
    );
    const one = rows(await get(s, data(`${window}&idSensor=REACH-105&descriptor=PROVISIONAL`)));
    expect(one.map((x) => x.id)).toEqual(all.filter((x) => x.idSensor === 'REACH-105' && x.descriptor === 'PROVISIONAL').map((x) => x.id));
    for (const f of ['idSensor=REACH-999', 'source=Other', 'dataMode=TEST', 'descriptor=FINAL', 'idSensor=REACH-108']) {
      const r = await get(s, data(`${window}&${f}`));
      expect([r.status, r.body]).toEqual([200, '[]']);
    }
  });

  it('pages with firstResult and caps maxResults silently, agreeing with /count', async () => {
    const q = 'obTime=2026-01-01T23:55:00.000Z..2026-01-02T00:05:00.000Z&idSensor=REACH-101&descriptor=QUICKLOOK';
    const total = Number((await get(s, count(q))).body);
    expect(total).toBeGreaterThan(240);
    const got: Rec[] = [];
    for (let first = 0; first < total + 100; first += 100) {
      const page = rows(await get(s, data(`${q}&firstResult=${first}&maxResults=5000`)));
      expect(page.length).toBe(Math.max(0, Math.min(100, total - first)));
      got.push(...page);
    }
    expect(got).toHaveLength(total);
    expect(new Set(got.map((r) => r.id)).size).toBe(total);
    const times = got.map((r) => Date.parse(r.obTime));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(got.map((r) => r.obTime)).toContain('2026-01-01T23:59:59.999Z');
    expect(got.map((r) => r.obTime)).toContain('2026-01-02T00:00:00.001Z');
    const small = rows(await get(s, data(`${q}&firstResult=7&maxResults=3`)));
    expect(small.map((r) => r.id)).toEqual(got.slice(7, 10).map((r) => r.id));
  });

  it('reuses keep-alive connections, reports stats and answers 404/405', async () => {
    await get(s, count(DAY));
    const second = await get(s, count(DAY));
    expect(second.reusedSocket).toBe(true);
    expect((await get(s, '/udl/other')).status).toBe(404);
    expect((await get(s, count(DAY), { method: 'POST' })).status).toBe(405);
    const stats = JSON.parse((await get(s, '/_sim/stats')).body) as ReturnType<RunningSim['stats']>;
    expect(stats).toMatchObject({ status404: 1, status405: 1 });
    expect(stats.requests.total).toBeGreaterThan(stats.requests.data);
    const reset = await get(s, '/_sim/stats/reset', { method: 'POST' });
    expect(JSON.parse(reset.body)).toMatchObject({ status404: 1 });
    expect(s.stats()).toMatchObject({ requests: { total: 0 }, status404: 0, rowsServed: 0, bytesServed: 0 });
  });

  it('counts rows and bytes served', async () => {
    s.resetStats();
    const r = await get(s, data('obTime=2026-01-01T00:00:00.000Z..2026-01-01T00:00:10.000Z&descriptor=QUICKLOOK'));
    expect(s.stats()).toMatchObject({ dataRequests: 1, rowsServed: rows(r).length, bytesServed: r.body.length });
  });
});

describe('auth', () => {
  it('answers 401 without the exact Authorization header, and never guards stats', async () => {
    const s = await sim({ sensors: 1, auth: 'Basic dXNlcjpwYXNz' });
    const q = count(DAY);
    expect((await get(s, q)).status).toBe(401);
    const wrong = await get(s, q, { headers: { Authorization: 'Basic d3Jvbmc6cGFzcw==' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    expect(wrong.body).not.toContain('dXNlcjpwYXNz');
    expect((await get(s, q, { headers: { Authorization: 'Basic dXNlcjpwYXNz' } })).body).toBe('69120');
    expect((await get(s, '/_sim/stats')).status).toBe(200);
    expect(s.stats()).toMatchObject({ status401: 2, countRequests: 1 });
  });
});

describe('throttling', () => {
  it('answers 429 with Retry-After in whole seconds once the bucket is empty', async () => {
    let now = 0;
    const s = await sim({ sensors: 1, rate: 0.25, burst: 2, clock: () => now });
    const q = count(DAY);
    expect((await get(s, q)).status).toBe(200);
    expect((await get(s, data(`${DAY}&maxResults=1`))).status).toBe(200);
    const limited = await get(s, q);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('4');
    now = 3_000;
    expect((await get(s, q)).headers['retry-after']).toBe('1');
    now = 4_000;
    expect((await get(s, q)).status).toBe(200);
    expect((await get(s, '/_sim/stats')).status).toBe(200);
    expect(s.stats()).toMatchObject({ status429: 2, countRequests: 2, dataRequests: 1 });
  });

  it('measures dataSpanMs on its clock from the first to the last data request that passed, not counting refused ones', async () => {
    let now = 1_000;
    const s = await sim({ sensors: 1, rate: 1, burst: 1, clock: () => now });
    const q = data(`${DAY}&maxResults=1`);
    expect((await get(s, q)).status).toBe(200);
    expect(s.stats().dataSpanMs).toBe(0);
    now = 1_500;
    expect((await get(s, q)).status).toBe(429);
    now = 3_250;
    expect((await get(s, q)).status).toBe(200);
    now = 9_000;
    expect((await get(s, count(DAY))).status).toBe(200);
    expect(s.stats()).toMatchObject({ dataRequests: 2, dataSpanMs: 2_250 });
    s.resetStats();
    now = 12_000;
    expect((await get(s, q)).status).toBe(200);
    expect(s.stats()).toMatchObject({ dataRequests: 1, dataSpanMs: 0 });
  });
});

describe('faults', () => {
  const q = data(`obTime=2026-01-01T00:00:00.000Z..2026-01-01T00:10:00.000Z&descriptor=QUICKLOOK`);

  it('fail5xx: 500, 502 or 503 with a short body', async () => {
    const s = await sim({ sensors: 2, fail5xx: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const r = await get(s, q);
      expect(r.body.length).toBeLessThan(100);
      statuses.add(r.status);
    }
    expect([...statuses].every((x) => [500, 502, 503].includes(x))).toBe(true);
    expect(s.stats().faults.fail5xx).toBe(12);
    expect((await get(s, count(DAY))).status).toBe(200);
  });

  it('reset: the connection drops without an answer', async () => {
    const s = await sim({ sensors: 2, reset: 1 });
    await expect(get(s, q)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(s.stats().faults.reset).toBe(1);
  });

  it('truncate: fewer bytes than Content-Length, then the connection drops', async () => {
    const s = await sim({ sensors: 2, truncate: 1 });
    const seen = await new Promise<{ promised: number; received: number; error: Error }>((resolve, reject) => {
      const req = http.get(s.url + q, (res) => {
        let received = 0;
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('error', (error) => resolve({ promised: Number(res.headers['content-length']), received, error }));
        res.on('end', () => reject(new Error('the body ended normally')));
      });
      req.on('error', reject);
    });
    expect(seen.received).toBeGreaterThan(0);
    expect(seen.received).toBeLessThan(seen.promised);
    expect(s.stats()).toMatchObject({ faults: { truncate: 1 }, rowsServed: 0 });
  });

  it('slow: the answer comes after slowMs, past a client timeout', async () => {
    const s = await sim({ sensors: 2, slow: 1, slowMs: 250 });
    await expect(get(s, q, { timeoutMs: 50 })).rejects.toThrow('client timeout');
    const t0 = performance.now();
    const r = await get(s, q);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    expect(rows(r)).toHaveLength(2 * 2 * 121);
    expect(s.stats().faults.slow).toBe(2);
  });

  it('are drawn from the seed: same seed, same request sequence, same faults', async () => {
    const options = { sensors: 1, fail5xx: 0.3, slow: 0.1, slowMs: 1, seed: 11 };
    const run = async (o: SimOptions): Promise<number[]> => {
      const s = await sim(o);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await get(s, data(`${DAY}&maxResults=1`))).status);
      return out;
    };
    const a = await run(options);
    expect(await run(options)).toEqual(a);
    expect(await run({ ...options, seed: 12 })).not.toEqual(a);
    expect(a.filter((x) => x !== 200).length).toBeGreaterThan(4);
  });
});

describe('lifecycle', () => {
  it('close() ends idle and busy connections and pending slow answers', async () => {
    const s = await startSim({ sensors: 1, slow: 1, slowMs: 60_000 });
    await get(s, count(DAY));
    const pending = get(s, data(DAY));
    await new Promise<void>((resolve) => {
      const poll = (): void => void (s.stats().faults.slow > 0 ? resolve() : setImmediate(poll));
      poll();
    });
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(1_000);
    await expect(pending).rejects.toThrow();
    await s.close();
  });

  it('refuses bad options with SimConfigError and a taken port with SimListenError', async () => {
    await expect(startSim({ gapShare: 2 })).rejects.toThrow(SimConfigError);
    await expect(startSim({ sensors: 33 })).rejects.toThrow(/at most 32/);
    await expect(startSim({ fail5xx: 0.6, reset: 0.6 })).rejects.toThrow(/more than 1/);
    await expect(startSim({ emptyDays: ['2026-02-30'] })).rejects.toThrow(SimConfigError);
    await expect(startSim({ burst: 3 })).rejects.toThrow(/burst needs rate/);
    const s = await sim({ sensors: 1 });
    await expect(startSim({ port: s.port })).rejects.toMatchObject({ name: SimListenError.name, code: 'EADDRINUSE' });
  });

  it('binds 127.0.0.1 only', async () => {
    const s = await sim({ sensors: 1 });
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
  });
});
