import { describe, expect, it } from 'vitest';

import { countPath, dataPath, request, sim } from './helpers.js';

const AUTH = 'Basic c2VjcmV0dXNlcjpzZWNyZXRwYXNz';
const WINDOW = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T00:10:00.000Z&descriptor=QUICKLOOK';

describe('echo500', () => {
  it('answers 500 with a JSON body echoing the request headers, Authorization included', async () => {
    const s = await sim({ sensors: 1, echo500: 1, auth: AUTH });
    const r = await request(s, dataPath(WINDOW), { headers: { Authorization: AUTH, 'X-Trace': 'abc' } });
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toContain(AUTH);
    const echoed = JSON.parse(r.body) as { error: string; request: { method: string; url: string; headers: Record<string, string> } };
    expect(echoed).toMatchObject({ error: 'internal', request: { method: 'GET', url: dataPath(WINDOW) } });
    expect(echoed.request.headers).toMatchObject({ Authorization: AUTH, 'X-Trace': 'abc' });
    expect(s.stats()).toMatchObject({ faults: { echo500: 1 }, bytesServed: r.raw.length, rowsServed: 0 });
    // Only data requests draw faults; /count and auth failures answer as usual.
    expect((await request(s, countPath(WINDOW), { headers: { Authorization: AUTH } })).body).toBe('242');
    expect((await request(s, dataPath(WINDOW))).status).toBe(401);
  });
});

describe('countLie', () => {
  it.each(['100000000000000000000000', '1e23', ''])('answers %j on /count while pages stay truthful', async (lie) => {
    const s = await sim({ sensors: 1, countLie: lie, maxResults: 1_000 });
    const count = await request(s, countPath(WINDOW));
    expect([count.status, count.body]).toEqual([200, lie]);
    expect(JSON.parse((await request(s, dataPath(WINDOW))).body)).toHaveLength(242);
  });
});
