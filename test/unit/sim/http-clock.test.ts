import { describe, expect, it } from 'vitest';

import { countPath, dataPath, request, sim, type Rec } from './helpers.js';

const DAY = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z&descriptor=QUICKLOOK';
const json = <T>(body: string): T => JSON.parse(body) as T;

describe('the clock endpoint', () => {
  it('reads, freezes, advances and offsets the clock; stats show it', async () => {
    let base = Date.UTC(2026, 0, 1, 12);
    const s = await sim({ sensors: 1, now: () => base });
    expect(json((await request(s, '/_sim/clock')).body)).toEqual({ now: '2026-01-01T12:00:00.000Z', nowMs: base, frozen: false });
    const frozen = await request(s, '/_sim/clock?now=2026-01-02T06:00:00.000Z', { method: 'POST' });
    expect(frozen.status).toBe(200);
    expect(json(frozen.body)).toMatchObject({ now: '2026-01-02T06:00:00.000Z', frozen: true });
    base += 60_000;
    const moved = await request(s, '/_sim/clock', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ advanceMs: 3_600_000 }),
    });
    expect(json<{ now: string }>(moved.body).now).toBe('2026-01-02T07:00:00.000Z');
    expect(json<{ now: string }>((await request(s, '/_sim/stats')).body).now).toBe('2026-01-02T07:00:00.000Z');
    const running = await request(s, '/_sim/clock', { method: 'POST', body: 'offsetMs=-60000' });
    expect(json(running.body)).toMatchObject({ nowMs: Date.UTC(2026, 0, 1, 12), frozen: false });
    expect(s.setClock({ advanceMs: 1 }).nowMs).toBe(Date.UTC(2026, 0, 1, 12) + 1);
    expect(s.stats()).toMatchObject({ requests: { clock: 4 }, now: '2026-01-01T12:00:00.001Z' });
  });

  it('refuses bad changes with 400 and other methods with 405, without auth', async () => {
    const s = await sim({ sensors: 1, auth: 'Basic dXNlcjpwYXNz' });
    const bad = await request(s, '/_sim/clock', { method: 'POST', body: '{"now":"yesterday"}' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/invalid time 'yesterday'/);
    expect((await request(s, '/_sim/clock', { method: 'POST' })).status).toBe(400);
    const put = await request(s, '/_sim/clock', { method: 'PUT' });
    expect([put.status, put.headers.allow]).toEqual([405, 'GET, POST']);
    expect((await request(s, '/_sim/clock', { method: 'POST', body: 'x'.repeat(5_000) })).status).toBe(413);
    expect(s.stats()).toMatchObject({ status400: 2, status405: 1, status401: 0 });
  });
});

describe('realtime data over HTTP', () => {
  it('serves only records up to now; count and pages grow as the clock moves', async () => {
    const s = await sim({ sensors: 1, realtime: true, maxResults: 500 });
    s.setClock({ now: Date.UTC(2026, 0, 1, 0, 10) });
    const countNow = async (): Promise<number> => Number((await request(s, countPath(DAY))).body);
    expect(await countNow()).toBe(2 * 121);
    const page = json<Rec[]>((await request(s, dataPath(`${DAY}&firstResult=200`))).body);
    expect(page).toHaveLength(42);
    expect(page.at(-1)?.obTime).toBe('2026-01-01T00:10:00.000Z');
    await request(s, '/_sim/clock?advanceMs=4999', { method: 'POST' });
    expect(await countNow()).toBe(2 * 121);
    await request(s, '/_sim/clock?advanceMs=1', { method: 'POST' });
    expect(await countNow()).toBe(2 * 122);
    // Days in the future of now are empty, not an error.
    const tomorrow = 'obTime=2026-01-02T00:00:00.000Z..2026-01-02T23:59:59.999Z';
    expect((await request(s, countPath(tomorrow))).body).toBe('0');
    expect((await request(s, dataPath(tomorrow))).body).toBe('[]');
  });

  it('late sensor-hours look like gaps until lateMs after their hour, then the day is whole', async () => {
    const s = await sim({ sensors: 4, realtime: true, lateShare: 0.3, lateMs: 2 * 3_600_000, seed: 4 });
    s.setClock({ now: Date.UTC(2026, 0, 2, 0, 30) });
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      counts.push(Number((await request(s, countPath(DAY))).body));
      await request(s, '/_sim/clock', { method: 'POST', body: '{"advanceMs":3600000}' });
    }
    expect(counts[0]).toBeLessThan(counts[1] as number);
    expect(counts[1]).toBeLessThan(counts[2] as number);
    expect(counts[2]).toBe(4 * 2 * 17_280);
  });
});
