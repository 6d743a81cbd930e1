/** BodyGunzip: the same bytes as zlib whatever the pieces (written from a reused buffer), inflated as written, and a bad stream is an error. */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BodyGunzip } from '../../../src/udl/gunzip.js';

function run(pieces: Buffer[], finish = true) {
  const out: Buffer[] = [];
  const errors: unknown[] = [];
  let ends = 0;
  const g = new BodyGunzip((p) => void out.push(p), (e) => void errors.push(e), () => void ends++);
  // Each piece is written from one reused buffer, as a connection's reads arrive, and then overwritten.
  const reused = Buffer.alloc(Math.max(0, ...pieces.map((p) => p.length)));
  for (const p of pieces) {
    p.copy(reused);
    g.write(reused.subarray(0, p.length));
    reused.fill(0xa5);
  }
  if (finish) g.end();
  return { out, errors, ends, g };
}

function cut(buf: Buffer, sizes: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    const n = sizes[i % sizes.length]!;
    pieces.push(buf.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

/** Text that compresses like a data page: repeated keys, varying numbers. */
function page(records: number, seed: number): Buffer {
  const rows = Array.from({ length: records }, (_, i) => `{"idSensor":"REACH-${(seed + i) % 64}","obValue":${((seed * 7919 + i * 104729) % 1e6) / 997}}`);
  return Buffer.from(`[${rows.join(',')}]`);
}

describe('BodyGunzip', () => {
  it('gives back exactly the original body, however the compressed bytes are cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 1, max: 90_000 }), { minLength: 1, maxLength: 8 }), (records, seed, level, sizes) => {
        const body = page(records, seed);
        const { out, errors, ends } = run(cut(gzipSync(body, { level }), sizes));
        expect(errors).toEqual([]);
        expect(ends).toBe(1);
        expect(Buffer.concat(out).equals(body)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('inflates on this thread as the bytes are written, without waiting for the end', () => {
    const body = page(40_000, 1);
    const zipped = gzipSync(body, { level: 1 });
    expect(zipped.length).toBeGreaterThan(3 * 64 * 1024);
    const { out, ends } = run(cut(zipped, [8 * 1024]), false);
    expect(ends).toBe(0);
    // All but the last partial batch of 64 KB compressed is already out.
    expect(Buffer.concat(out).length).toBeGreaterThan(body.length / 2);
    expect(body.subarray(0, Buffer.concat(out).length).equals(Buffer.concat(out))).toBe(true);
  });

  it('hands out pieces it does not reuse: kept pieces stay intact', () => {
    const body = page(20_000, 2);
    const { out } = run(cut(gzipSync(body, { level: 1 }), [3000]));
    // Kept without copying; had a buffer been reused, an earlier piece would now hold later bytes.
    expect(Buffer.concat(out).equals(body)).toBe(true);
    expect(out.length).toBeGreaterThan(1);
  });

  it('reports a corrupt stream as an error and never an end', () => {
    const zipped = Buffer.from(gzipSync(page(5000, 3)));
    const mid = zipped.length >> 1;
    zipped.writeUInt16BE(zipped.readUInt16BE(mid) ^ 0xff5a, mid);
    const { errors, ends } = run(cut(zipped, [4096]));
    expect(errors.length).toBe(1);
    expect(ends).toBe(0);
  });

  it('reports a stream cut short as an error at the end', () => {
    const zipped = gzipSync(page(5000, 4));
    const { errors, ends } = run([zipped.subarray(0, zipped.length - 100)]);
    expect(errors.length).toBe(1);
    expect(ends).toBe(0);
  });

  it('takes nothing more once closed, however much arrives after', () => {
    const zipped = gzipSync(page(40_000, 5), { level: 1 });
    expect(zipped.length).toBeGreaterThan(2 * 64 * 1024);
    const { g, out, errors, ends } = run([zipped.subarray(0, 100)], false);
    g.close();
    expect(() => {
      g.write(zipped.subarray(100));
      g.end();
    }).not.toThrow();
    expect(out.length).toBe(0);
    expect(errors).toEqual([]);
    expect(ends).toBe(0);
  });
});
