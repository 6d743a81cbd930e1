import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { HOUR_MS, parseUdlTime, QueryError } from '../../../src/sim/index.js';
import {
  badObTime,
  conflictValue,
  HourVariants,
  VARIANT_BAD_TIME,
  VARIANT_CONFLICT,
  VARIANT_DUPLICATE,
  VARIANT_NONE,
  type VariantShares,
} from '../../../src/sim/variants.js';
import { allRecords, dataset, pagedText, pageText, range, t, type Rec } from './helpers.js';

const H = t('2026-01-01T05:00:00.000Z') / HOUR_MS;
const shares: VariantShares = { duplicate: 0.1, conflict: 0.05, badObTime: 0.02 };

function kindsOf(v: HourVariants, k: number, r: number): number[] {
  return Array.from({ length: 720 }, (_, j) => v.kind(k, r, j));
}

describe('HourVariants', () => {
  it('gives each series floor or ceil of share x 720 ticks of each kind, and counts pairs', () => {
    const v = new HourVariants(shares, 3, [11, 22, 33], [101, 202], H);
    let pairs = 0;
    for (let k = 0; k < 3; k++) {
      for (let r = 0; r < 4; r++) {
        const kinds = kindsOf(v, k, r);
        const n = (kind: number): number => kinds.filter((x) => x === kind).length;
        expect(n(VARIANT_DUPLICATE)).toBe(72);
        expect(n(VARIANT_CONFLICT)).toBe(36);
        expect([14, 15]).toContain(n(VARIANT_BAD_TIME));
        pairs += n(VARIANT_DUPLICATE) + n(VARIANT_CONFLICT);
      }
    }
    expect(v.extraRowsTotal).toBe(pairs);
    let rows = 0;
    for (let k = 0; k < 3; k++) for (let j = 0; j < 720; j++) rows += v.rows(k, j);
    expect(rows).toBe(3 * 4 * 720 + pairs);
  });

  it('depends on the seed and the series, not on what else is selected', () => {
    const both = new HourVariants(shares, 3, [11, 22], [101, 202], H);
    const one = new HourVariants(shares, 3, [22], [202], H);
    // Series (sensor 22, DOSE2, descriptor 202) is row 3 of sensor 1 in the first, row 1 of sensor 0 in the second.
    expect(kindsOf(one, 0, 1)).toEqual(kindsOf(both, 1, 3));
    expect(kindsOf(new HourVariants(shares, 4, [22], [202], H), 0, 1)).not.toEqual(kindsOf(one, 0, 1));
    expect(kindsOf(new HourVariants(shares, 3, [22], [202], H + 1), 0, 1)).not.toEqual(kindsOf(one, 0, 1));
  });

  it('is all duplicates at share 1 and nothing at 0', () => {
    expect(kindsOf(new HourVariants({ duplicate: 1, conflict: 0, badObTime: 0 }, 1, [5], [6], H), 0, 0)).toEqual(Array(720).fill(VARIANT_DUPLICATE));
    expect(kindsOf(new HourVariants({ duplicate: 0, conflict: 0, badObTime: 0 }, 1, [5], [6], H), 0, 0)).toEqual(Array(720).fill(VARIANT_NONE));
  });
});

describe('bad obTimes and conflicting values', () => {
  it('are 24 characters ending in Z that no strict parser accepts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const real = new Date(Date.UTC(2026, 0, 1) + i * 3_601_001).toISOString();
      const bad = badObTime(real, i);
      expect(bad).toHaveLength(24);
      expect(bad.endsWith('Z')).toBe(true);
      expect(bad).not.toBe(real);
      expect(() => parseUdlTime(bad)).toThrow(QueryError);
      seen.add(bad.slice(5, 7) === '13' ? 'range' : bad.slice(5, 10) === '02-30' ? 'feb30' : 'hour24');
    }
    expect(seen).toEqual(new Set(['range', 'feb30', 'hour24']));
    // The February 30th form is the trap: a lenient Date.parse rolls it over into March.
    const feb30 = Array.from({ length: 20 }, (_, i) => badObTime('2026-01-01T05:00:00.000Z', i)).find((b) => b.includes('-02-30T'));
    expect(new Date(Date.parse(feb30 as string)).toISOString()).toBe('2026-03-02T05:00:00.000Z');
  });

  it('conflicting values always differ', () => {
    for (const v of [0, -1e31, 3.2e-6]) expect(conflictValue(v)).not.toBe(v);
  });
});

describe('a data set with duplicates, conflicts and bad times', () => {
  const ds = dataset({ duplicateShare: 0.05, conflictShare: 0.05, badObTimeShare: 0.05, subSecondShare: 0.01, seed: 7 });
  const sel = ds.select({});
  const bounds = range('2026-01-01T05:00:00.000Z', '2026-01-01T05:20:00.000Z');
  const recs = allRecords(ds, sel, bounds);

  it('sends a duplicate twice in a row, byte-identical, and a conflict as a twin with the same id', () => {
    const text = `[${pageText(ds, sel, bounds, 0, Number.MAX_SAFE_INTEGER)}]`;
    const raw = (JSON.parse(text) as unknown[]).map((r) => JSON.stringify(r));
    const byId = new Map<string, number[]>();
    recs.forEach((r, i) => {
      byId.set(r.id, [...(byId.get(r.id) ?? []), i]);
    });
    let duplicates = 0;
    let conflicts = 0;
    for (const idx of byId.values()) {
      expect(idx.length).toBeLessThanOrEqual(2);
      if (idx.length < 2) continue;
      const [i, j] = idx as [number, number];
      expect(j).toBe(i + 1);
      if (raw[i] === raw[j]) duplicates++;
      else {
        conflicts++;
        const [a, b] = [recs[i] as Rec, recs[j] as Rec];
        expect(a.seoList[0]?.obValue).not.toBe(b.seoList[0]?.obValue);
        expect({ ...a, seoList: [] }).toEqual({ ...b, seoList: [] });
      }
    }
    const regular = 3 * 4 * 241;
    expect(duplicates / regular).toBeCloseTo(0.05, 1);
    // A page may end between a record and its twin; the next page starts with the twin.
    const pair = [...byId.values()].find((idx) => idx.length === 2)?.[0] as number;
    const head = pageText(ds, sel, bounds, 0, pair + 1);
    const tail = pageText(ds, sel, bounds, pair + 1, Number.MAX_SAFE_INTEGER);
    expect(`[${head},${tail}]`).toBe(text);
    expect((JSON.parse(`[${tail}]`) as Rec[])[0]?.id).toBe(recs[pair]?.id);
    expect(conflicts / regular).toBeCloseTo(0.05, 1);
    expect(ds.count(sel, bounds)).toBe(recs.length);
  });

  it('serves bad obTimes in the position of the real time, changing nothing else', () => {
    // Bad times take the ranks after duplicates and conflicts, so those stay where they were.
    const truth = allRecords(dataset({ duplicateShare: 0.05, conflictShare: 0.05, subSecondShare: 0.01, seed: 7 }), sel, bounds);
    expect(recs).toHaveLength(truth.length);
    let bad = 0;
    recs.forEach((r, i) => {
      const real = truth[i] as Rec;
      if (r.obTime === real.obTime) {
        expect(r).toEqual(real);
        return;
      }
      bad++;
      expect(() => parseUdlTime(r.obTime)).toThrow(QueryError);
      // Only regular records (on the 5 s ticks) are affected.
      expect(real.obTime).toMatch(/[05]\.000Z$/);
      expect({ ...r, obTime: real.obTime }).toEqual(real);
    });
    expect(bad / (3 * 4 * 241)).toBeCloseTo(0.05, 1);
  });

  it('counts whole days and hours from the draws, agreeing with partial hours walked tick by tick', () => {
    const day = range('2026-01-01T00:00:00.000Z', '2026-01-01T23:59:59.999Z');
    const one = ds.select({ idSensor: 'REACH-102' });
    let walked = 0;
    for (let h = 0; h < 24; h++) {
      const from = day.from + h * HOUR_MS;
      // Starting 1 ms into the hour forces the tick-by-tick path; the tick at :00 is added alone.
      walked += ds.count(one, { from: from + 1, to: from + HOUR_MS - 1 }) + ds.count(one, { from, to: from });
    }
    expect(ds.count(one, day)).toBe(walked);
    const q = ds.select({ descriptor: 'QUICKLOOK' });
    const p = ds.select({ descriptor: 'PROVISIONAL' });
    expect(ds.count(q, day) + ds.count(p, day)).toBe(ds.count(sel, day));
    expect(ds.count(sel, day)).toBeGreaterThan(2 * 3 * 2 * 17_280);
  });

  it('pages and counts agree for any page split, with every mode on', () => {
    const base = t('2026-01-01T22:50:00.000Z');
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 1000 }),
          duplicateShare: fc.constantFrom(0, 0.1, 1),
          conflictShare: fc.constantFrom(0, 0.1),
          badObTimeShare: fc.constantFrom(0, 0.1),
          gapShare: fc.constantFrom(0, 0.3),
          subSecondShare: fc.constantFrom(0, 0.05),
          realtime: fc.boolean(),
          lateShare: fc.constantFrom(0, 0.5),
          from: fc.integer({ min: 0, max: 40 * 60_000 }),
          length: fc.integer({ min: 0, max: 8 * 60_000 }),
          now: fc.integer({ min: 0, max: 3 * HOUR_MS }),
          sizes: fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
          sensor: fc.constantFrom(undefined, 'REACH-105'),
        }),
        (p) => {
          const { seed, duplicateShare, conflictShare, badObTimeShare, gapShare, subSecondShare, realtime, lateShare } = p;
          const d = dataset({ seed, duplicateShare, conflictShare, badObTimeShare, gapShare, subSecondShare, realtime, lateShare, lateMs: HOUR_MS });
          const s = d.select({ idSensor: p.sensor });
          const b = { from: base + p.from, to: base + p.from + p.length };
          const now = base + p.now;
          const whole = pageText(d, s, b, 0, Number.MAX_SAFE_INTEGER, now);
          const n = whole === '' ? 0 : (JSON.parse(`[${whole}]`) as unknown[]).length;
          expect(d.count(s, b, now)).toBe(n);
          expect(pagedText(d, s, b, p.sizes, now).join(',')).toBe(whole);
        },
      ),
      { seed: 20260103, numRuns: 40 },
    );
  });

  it('is the same for the same seed and differs for another', () => {
    const again = dataset({ duplicateShare: 0.05, conflictShare: 0.05, badObTimeShare: 0.05, subSecondShare: 0.01, seed: 7 });
    expect(pageText(again, sel, bounds, 0, 2_000)).toBe(pageText(ds, sel, bounds, 0, 2_000));
    const other = dataset({ duplicateShare: 0.05, conflictShare: 0.05, badObTimeShare: 0.05, subSecondShare: 0.01, seed: 8 });
    expect(pageText(other, sel, bounds, 0, 2_000)).not.toBe(pageText(ds, sel, bounds, 0, 2_000));
  });
});
