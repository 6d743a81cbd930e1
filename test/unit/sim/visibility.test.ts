import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DAY_MS, HOUR_MS, hourVisible, isLateHour, lateArrival, type VisibilityConfig } from '../../../src/sim/index.js';
import { stringHash } from '../../../src/sim/hash.js';
import { allRecords, dataset, pagedText, pageText, range, sensors, t } from './helpers.js';

const late: VisibilityConfig = { realtime: false, lateShare: 0.25, lateMs: 2 * HOUR_MS, seed: 5 };
const DAY = range('2026-01-01T00:00:00.000Z', '2026-01-01T23:59:59.999Z');
const H0 = t('2026-01-01T00:00:00.000Z') / HOUR_MS;

describe('late sensor-hours', () => {
  it('are about lateShare of them, drawn from the seed', () => {
    const draws = (v: VisibilityConfig): boolean[] =>
      Array.from({ length: 4000 }, (_, i) => isLateHour(v, 0x1234 + (i % 40), H0 + Math.floor(i / 40)));
    const a = draws(late);
    expect(a.filter(Boolean).length / a.length).toBeCloseTo(0.25, 1);
    expect(draws(late)).toEqual(a);
    expect(draws({ ...late, seed: 6 })).not.toEqual(a);
    expect(draws({ ...late, lateShare: 0 }).some(Boolean)).toBe(false);
  });

  it('become visible exactly lateMs after the end of their hour', () => {
    const key = [...Array(200).keys()].find((k) => isLateHour(late, k, H0)) as number;
    const arrival = lateArrival(late, H0);
    expect(arrival).toBe((H0 + 1) * HOUR_MS + 2 * HOUR_MS);
    expect(hourVisible(late, key, H0, arrival - 1)).toBe(false);
    expect(hourVisible(late, key, H0, arrival)).toBe(true);
    const onTime = [...Array(200).keys()].find((k) => !isLateHour(late, k, H0)) as number;
    expect(hourVisible(late, onTime, H0, 0)).toBe(true);
  });
});

describe('a data set with a clock', () => {
  it('cuts at now in realtime mode, to the millisecond', () => {
    const ds = dataset({ realtime: true, subSecondShare: 0.01 });
    const sel = ds.select({ idSensor: 'REACH-101', descriptor: 'QUICKLOOK' });
    const now = t('2026-01-01T12:00:05.000Z');
    expect(ds.count(sel, DAY, now)).toBe(ds.count(sel, { from: DAY.from, to: now }));
    expect(ds.count(sel, DAY, now - 1) + 2).toBe(ds.count(sel, DAY, now));
    const recs = allRecords(ds, sel, range('2026-01-01T11:50:00.000Z', '2026-01-01T13:00:00.000Z'), now);
    expect(recs.at(-1)?.obTime).toBe('2026-01-01T12:00:05.000Z');
    expect(ds.count(sel, DAY, t('2025-12-31T23:59:59.999Z'))).toBe(0);
    // Without a clock reading (in-process callers), nothing is cut.
    expect(ds.count(sel, DAY)).toBeGreaterThan(34_560);
  });

  it('hides late sensor-hours until they arrive, so a day grows as the clock passes', () => {
    const v: VisibilityConfig = { realtime: false, lateShare: 0.3, lateMs: HOUR_MS, seed: 9 };
    const ds = dataset({ lateShare: v.lateShare, lateMs: v.lateMs, seed: v.seed });
    const sel = ds.select({ descriptor: 'QUICKLOOK' });
    const end = DAY.to + 1;
    const seen = [end - HOUR_MS, end, end + HOUR_MS / 2, end + HOUR_MS].map((now) => ds.count(sel, DAY, now));
    expect(seen[0]).toBeLessThan(seen[1] as number);
    expect(seen[1]).toBeLessThan(seen[3] as number);
    expect(seen[2]).toBe(seen[1]);
    expect(seen[3]).toBe(3 * 17_280 * 2);
    expect(ds.count(sel, DAY, end + DAY_MS)).toBe(seen[3]);
    // Before arrival a late sensor-hour is a whole-hour gap, exactly the hours the draw says.
    sensors.slice(0, 3).forEach((spec, s) => {
      const one = ds.select({ idSensor: spec.id, descriptor: 'QUICKLOOK' });
      for (let h = 0; h < 24; h++) {
        const from = DAY.from + h * HOUR_MS;
        const hidden = isLateHour(v, stringHash(spec.id), from / HOUR_MS) && end < lateArrival(v, from / HOUR_MS);
        expect([s, h, ds.count(one, { from, to: from + HOUR_MS - 1 }, end)]).toEqual([s, h, hidden ? 0 : 1_440]);
      }
    });
    const early = allRecords(ds, sel, range('2026-01-01T22:00:00.000Z', '2026-01-01T23:59:59.999Z'), end);
    expect(early).toHaveLength(ds.count(sel, range('2026-01-01T22:00:00.000Z', '2026-01-01T23:59:59.999Z'), end));
  });

  it('pages and counts agree for any clock, page split and mode', () => {
    const base = t('2026-01-01T21:00:00.000Z');
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 1000 }),
          realtime: fc.boolean(),
          lateShare: fc.constantFrom(0, 0.3, 1),
          lateMs: fc.integer({ min: 0, max: 2 * HOUR_MS }),
          gapShare: fc.constantFrom(0, 0.3),
          subSecondShare: fc.constantFrom(0, 0.01),
          from: fc.integer({ min: 0, max: 3 * HOUR_MS }),
          length: fc.integer({ min: 0, max: 10 * 60_000 }),
          now: fc.integer({ min: 0, max: 6 * HOUR_MS }),
          sizes: fc.array(fc.integer({ min: 3, max: 400 }), { minLength: 1, maxLength: 4 }),
        }),
        (p) => {
          const { seed, realtime, lateShare, lateMs, gapShare, subSecondShare } = p;
          const ds = dataset({ seed, realtime, lateShare, lateMs, gapShare, subSecondShare });
          const sel = ds.select({});
          const bounds = { from: base + p.from, to: base + p.from + p.length };
          const now = base + p.now;
          const whole = pageText(ds, sel, bounds, 0, Number.MAX_SAFE_INTEGER, now);
          const recs = whole === '' ? [] : (JSON.parse(`[${whole}]`) as { obTime: string }[]);
          expect(ds.count(sel, bounds, now)).toBe(recs.length);
          expect(pagedText(ds, sel, bounds, p.sizes, now).join(',')).toBe(whole);
          if (p.realtime) for (const r of recs) expect(Date.parse(r.obTime)).toBeLessThanOrEqual(now);
        },
      ),
      { seed: 20260102, numRuns: 40 },
    );
  });
});
