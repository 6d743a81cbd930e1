import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayWindow } from '../../../src/plan/dates.js';
import { afterPage } from '../../../src/plan/paging.js';
import { EXPECTED_ALL_DAY, TICK_MS, obTimeRange, planWindows, planningDensity, recordsPerTick } from '../../../src/plan/windows.js';
import { runs } from '../../helpers/runs.js';

const day = dayWindow('2026-01-01');

/** Which windows' queries select an instant, by the queries' own inclusive bounds as sent. */
function ownersOf(windows: ReturnType<typeof planWindows>): (t: number) => number[] {
  const bounds = windows.map((w) => obTimeRange(w.startMs, w.endMs).split('..').map((s) => Date.parse(s)) as [number, number]);
  return (t) => bounds.flatMap(([a, b], i) => (t >= a && t <= b ? [i] : []));
}

describe('planWindows', () => {
  it('cuts an ALL day at a 10,000 cap into 111 windows of 780 s holding 9,984 rows each', () => {
    const w = planWindows(day, recordsPerTick('ALL'), 10_000);
    expect(w).toHaveLength(111);
    expect(w[0]!.endMs - w[0]!.startMs).toBe(780_000);
    expect(((w[0]!.endMs - w[0]!.startMs) / TICK_MS) * 64).toBe(9_984);
    expect(w.length * 9_984).toBeGreaterThanOrEqual(EXPECTED_ALL_DAY);
  });
  it('cuts one sensor into 4 windows of 6 h', () => {
    const w = planWindows(day, recordsPerTick('REACH-101'), 10_000);
    expect(w.map((x) => x.endMs - x.startMs)).toEqual([21_600_000, 21_600_000, 21_600_000, 21_600_000]);
  });
  it('sizes from a measured density: 2 sensors fit in 7 windows', () => {
    expect(planWindows(day, 69_120 / 17_280, 10_000)).toHaveLength(7);
  });
  it.each([
    ['a full ALL day', 1_105_920, 'ALL', 111],
    ['an ALL day with 5% gaps still plans nominal windows', 1_050_624, 'ALL', 111],
    ['an ALL day with a few sub-second extras', 1_107_000, 'ALL', 113],
    ['2 of 32 sensors, with room for uneven gaps', 69_120, 'ALL', 9],
    ['one full sensor', 34_560, 'REACH-101', 4],
    ['one sensor dark half the day', 17_280, 'REACH-101', 3],
  ])('plans %s from /count', (_, counted, sensor, windows) => {
    expect(planWindows(day, planningDensity(counted, sensor), 10_000)).toHaveLength(windows);
  });
  it('partitions the day: contiguous, no overlap, first at 00:00:00.000, last ending at the next day', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 500, noNaN: true }), fc.integer({ min: 1, max: 20_000 }), (perTick, cap) => {
        const w = planWindows(day, perTick, cap);
        const broken = w.findIndex((x, i) => x.index !== i || x.endMs <= x.startMs || x.startMs !== (i === 0 ? day.startMs : w[i - 1]!.endMs));
        expect(broken).toBe(-1);
        expect(w[w.length - 1]!.endMs).toBe(day.endMs);
      }),
      { numRuns: runs(300) },
    );
  });
  it('puts every millisecond of the day in exactly one query, and the next day 00:00:00.000 in none', () => {
    const w = planWindows(day, 64, 10_000);
    const owners = ownersOf(w);
    fc.assert(
      fc.property(fc.integer({ min: day.startMs, max: day.endMs - 1 }), (t) => {
        expect(owners(t)).toHaveLength(1);
      }),
      { numRuns: runs(2_000) },
    );
    for (const x of w) {
      for (const t of [x.startMs - 1, x.startMs, x.startMs + 500, x.endMs - 1, x.endMs]) {
        const inDay = t >= day.startMs && t < day.endMs;
        expect(owners(t)).toHaveLength(inDay ? 1 : 0);
      }
    }
    expect(owners(day.endMs)).toEqual([]);
  });
  it('rejects nonsense', () => {
    expect(() => planWindows(day, 0, 10)).toThrow(RangeError);
    expect(() => planWindows(day, 64, 0)).toThrow(RangeError);
  });
});

describe('obTimeRange', () => {
  it('ends 1 ms before the exclusive end, because UDL ranges are inclusive', () => {
    expect(obTimeRange(day.startMs, day.endMs)).toBe('2026-01-01T00:00:00.000Z..2026-01-01T23:59:59.999Z');
  });
});

const at = (xs: number[]) => (i: number) => xs[i]!;

describe('afterPage', () => {
  const req = { startMs: 1_000, endMs: 9_000, firstResult: 0 };
  it('is done when the page is not full', () => {
    expect(afterPage(req, 3, 4, at([1_000, 1_005, 1_010]))).toEqual({ done: true, keep: 3 });
  });
  it('continues from the last obTime of a full page, dropping the rows at that millisecond', () => {
    expect(afterPage(req, 4, 4, at([1_000, 1_005, 1_010, 1_010]))).toEqual({
      done: false,
      keep: 2,
      next: { startMs: 1_010, endMs: 9_000, firstResult: 0 },
    });
  });
  it('pages by offset when the whole page shares the window start', () => {
    expect(afterPage(req, 4, 4, at([1_000, 1_000, 1_000, 1_000]))).toEqual({
      done: false,
      keep: 4,
      next: { startMs: 1_000, endMs: 9_000, firstResult: 4 },
    });
  });
  it('always makes progress and never keeps a row twice, whatever the pages hold', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (raw, cap) => {
        // A window [0, 51) holding `raw` rows; the server answers sorted pages of at most `cap`.
        const rows = [...raw].sort((a, b) => a - b);
        const kept: number[] = [];
        let r: { startMs: number; endMs: number; firstResult: number } | undefined = { startMs: 0, endMs: 51, firstResult: 0 };
        for (let guard = 0; r && guard < 10_000; guard++) {
          const sel = rows.filter((t) => t >= r!.startMs && t < r!.endMs).slice(r.firstResult, r.firstResult + cap);
          const step = afterPage(r, sel.length, cap, at(sel));
          kept.push(...sel.slice(0, step.keep));
          r = step.done ? undefined : step.next;
        }
        expect(r).toBeUndefined();
        expect(kept).toEqual(rows);
      }),
      { numRuns: runs(500) },
    );
  });
});
