import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

import { acceptsGzip } from '../../../src/sim/respond.js';
import { countPath, dataPath, request, sim } from './helpers.js';

const GZIP = { 'Accept-Encoding': 'gzip, deflate, br' };
const PAGE = dataPath('obTime=2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z&descriptor=QUICKLOOK&maxResults=2000');

describe('Accept-Encoding', () => {
  it.each([
    ['gzip', true],
    ['deflate, gzip;q=0.5', true],
    ['x-gzip', true],
    ['GZIP', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['*', false],
    [undefined, false],
  ])('%j admits gzip: %j', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('gzip on the wire', () => {
  it('compresses a data page, streamed, to exactly the uncompressed answer; stats count both sizes', async () => {
    const s = await sim({ sensors: 4, gzipLevel: 1, subSecondShare: 0.01 });
    const plain = await request(s, PAGE);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    s.resetStats();
    const zipped = await request(s, PAGE, { headers: GZIP });
    expect(zipped.status).toBe(200);
    expect(zipped.headers).toMatchObject({ 'content-encoding': 'gzip', 'transfer-encoding': 'chunked', vary: 'Accept-Encoding' });
    expect(zipped.headers['content-length']).toBeUndefined();
    expect(gunzipSync(zipped.raw).toString('utf8')).toBe(plain.body);
    expect(s.stats()).toMatchObject({ bytesServed: plain.raw.length, bytesOnWire: zipped.raw.length, gzipResponses: 1, rowsServed: 2000 });
    expect(plain.raw.length / zipped.raw.length).toBeGreaterThan(5);
  });

  it('compresses /count too, and nothing when not asked, refused, or at level 0', async () => {
    const s = await sim({ sensors: 1, gzipLevel: 6 });
    const q = countPath('obTime=2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z');
    const count = await request(s, q, { headers: GZIP });
    expect(count.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(count.raw).toString()).toBe('69120');
    expect((await request(s, q, { headers: { 'Accept-Encoding': 'gzip;q=0' } })).body).toBe('69120');
    const off = await sim({ sensors: 1 });
    const never = await request(off, PAGE, { headers: GZIP });
    expect(never.headers['content-encoding']).toBeUndefined();
    expect(never.headers.vary).toBeUndefined();
    expect(off.stats()).toMatchObject({ gzipResponses: 0, bytesOnWire: never.raw.length, bytesServed: never.raw.length });
  });

  it('sends a 10,000-row page in many compressed chunks rather than one buffer', async () => {
    const s = await sim({ gzipLevel: 1 });
    const chunks = await new Promise<number>((resolve, reject) => {
      http.get(s.url + PAGE.replace('maxResults=2000', 'maxResults=10000'), { headers: GZIP }, (res) => {
        let n = 0;
        res.on('data', () => n++);
        res.on('end', () => resolve(n));
      }).on('error', reject);
    });
    expect(chunks).toBeGreaterThan(10);
  });

  it('lets a client leave mid-page: the gzip stream is torn down and the server carries on', async () => {
    const s = await sim({ gzipLevel: 6 });
    await new Promise<void>((resolve, reject) => {
      const req = http.get(s.url + PAGE.replace('maxResults=2000', 'maxResults=10000'), { headers: GZIP }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    });
    const after = await request(s, countPath('obTime=2026-01-01T00:00:00.000Z..2026-01-01T00:00:00.000Z'), { headers: GZIP });
    expect(gunzipSync(after.raw).toString()).toBe('128');
    expect(s.stats().rowsServed).toBe(0);
    const t0 = performance.now();
    await s.close();
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('truncate cuts the compressed body short of its Content-Length', async () => {
    const s = await sim({ sensors: 2, gzipLevel: 1, truncate: 1 });
    const seen = await new Promise<{ promised: number; received: Buffer }>((resolve, reject) => {
      http.get(s.url + PAGE, { headers: GZIP }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve({ promised: Number(res.headers['content-length']), received: Buffer.concat(chunks) }));
        res.on('end', () => reject(new Error('the body ended normally')));
      }).on('error', reject);
    });
    expect(seen.received.length).toBeLessThan(seen.promised);
    expect(() => gunzipSync(seen.received)).toThrow();
    expect(s.stats()).toMatchObject({ faults: { truncate: 1 }, gzipResponses: 1, bytesOnWire: seen.received.length });
  });
});
