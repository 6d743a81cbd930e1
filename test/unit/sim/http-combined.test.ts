import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import type { SimOptions } from '../../../src/sim/index.js';
import { countPath, dataPath, request, sim, type Reply } from './helpers.js';

const AUTH = 'Basic dXNlcjpwYXNz';
const WINDOW = 'obTime=2026-01-01T22:00:00.000Z..2026-01-02T01:00:00.000Z';
const NOW = Date.UTC(2026, 0, 2, 0, 40);
const DATA: SimOptions = {
  sensors: 2,
  seed: 13,
  subSecondShare: 0.01,
  gapShare: 0.2,
  realtime: true,
  lateShare: 0.3,
  lateMs: 3_600_000,
  duplicateShare: 0.03,
  conflictShare: 0.03,
  badObTimeShare: 0.03,
  maxResults: 700,
};

const body = (r: Reply): string => (r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.raw).toString('utf8') : r.body);

describe('every mode at once', () => {
  it('faults and throttling still work: a retrying client gets exactly the fault-free answer', async () => {
    let bucketMs = 0;
    const faulty = await sim({
      ...DATA,
      auth: AUTH,
      gzipLevel: 1,
      rate: 2,
      burst: 3,
      clock: () => bucketMs,
      fail5xx: 0.1,
      reset: 0.05,
      truncate: 0.05,
      slow: 0.05,
      slowMs: 1,
      echo500: 0.05,
    });
    const truth = await sim(DATA);
    faulty.setClock({ now: NOW });
    truth.setClock({ now: NOW });
    const headers = { Authorization: AUTH, 'Accept-Encoding': 'gzip' };

    /** Retries until a 200 whose body decodes; a 429 moves the bucket's clock by Retry-After instead of sleeping. */
    async function fetchOk(path: string): Promise<string> {
      for (let attempt = 0; attempt < 200; attempt++) {
        let r: Reply;
        try {
          r = await request(faulty, path, { headers });
        } catch {
          continue;
        }
        if (r.status === 429) bucketMs += Number(r.headers['retry-after']) * 1000;
        if (r.status !== 200) continue;
        try {
          return body(r);
        } catch {
        }
      }
      throw new Error(`no answer for ${path}`);
    }

    const count = Number(await fetchOk(countPath(WINDOW)));
    expect(String(count)).toBe((await request(truth, countPath(WINDOW))).body);
    const pages: string[] = [];
    for (let first = 0; first < count; first += 700) pages.push((await fetchOk(dataPath(`${WINDOW}&firstResult=${first}`))).slice(1, -1));
    expect((JSON.parse(`[${pages.join(',')}]`) as unknown[]).length).toBe(count);
    const truthPages: string[] = [];
    for (let first = 0; first < count; first += 700) truthPages.push((await request(truth, dataPath(`${WINDOW}&firstResult=${first}`))).body.slice(1, -1));
    expect(pages).toEqual(truthPages);
    const stats = faulty.stats();
    expect(stats.status429).toBeGreaterThan(0);
    expect(Object.values(stats.faults).every((n) => n > 0)).toBe(true);
    expect(stats.gzipResponses).toBeGreaterThan(0);
    expect(stats.bytesOnWire).toBeLessThan(stats.bytesServed);
  });
});
