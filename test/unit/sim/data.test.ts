import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { DAY_MS, HOUR_MS, type Dataset, type DatasetConfig, type Selection, type SensorSpec, type TimeBounds } from '../../../src/sim/index.js';
import { dataset as threeSensors, range, sensors, t } from './helpers.js';

/** Key order of real UDL records (from the REACH samples). */
const RECORD_KEYS = [
  'id',
  'classificationMarking',
  'dataType',
  'genTime',
  'idOnOrbit',
  'satNo',
  'idSensor',
  'origSensorId',
  'observatoryType',
  'observatoryName',
  'instrumentType',
  'lat',
  'lon',
  'alt',
  'senPos',
  'obSetId',
  'particleType',
  'obTime',
  'seoList',
  'descriptor',
  'createdAt',
  'createdBy',
  'source',
  'dataMode',
  'origNetwork',
];
const SEO_KEYS = ['obType', 'obUoM', 'obValue', 'obQuality', 'obDescription'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Rec {
  id: string;
  idSensor: string;
  obTime: string;
  obSetId: string;
  descriptor: string;
  lat: number;
  lon: number;
  alt: number;
  senPos: [number, number, number];
  seoList: { obValue: number; obQuality: string; obDescription: string }[];
  [key: string]: unknown;
}

/** All 32 sensors: the shared fixture's dataset defaults to the first three. */
const dataset = (overrides: Partial<DatasetConfig> = {}): Dataset => threeSensors({ sensors, ...overrides });

const DAY = range('2026-01-01T00:00:00.000Z', '2026-01-01T23:59:59.999Z');

function all(ds: Dataset, sel: Selection, bounds: TimeBounds, first = 0, max = Number.MAX_SAFE_INTEGER): Rec[] {
  const cursor = ds.cursor(sel, bounds, first, max);
  const parts: string[] = [];
  for (let s = cursor.next(1000); s !== ''; s = cursor.next(1000)) parts.push(s);
  return JSON.parse(`[${parts.join(',')}]`) as Rec[];
}

describe('counts', () => {
  it('has 1,105,920 QUICKLOOK records in a full day for 32 sensors', () => {
    const ds = dataset();
    expect(sensors).toHaveLength(32);
    expect(ds.count(ds.select({ descriptor: 'QUICKLOOK' }), DAY)).toBe(1_105_920);
    expect(ds.count(ds.select({}), DAY)).toBe(2 * 1_105_920);
    expect(ds.count(ds.select({ idSensor: 'REACH-105', descriptor: 'PROVISIONAL' }), DAY)).toBe(34_560);
  });

  it('counts ticks inclusively at millisecond precision', () => {
    const ds = dataset();
    const sel = ds.select({ idSensor: 'REACH-101', descriptor: 'QUICKLOOK' });
    expect(ds.count(sel, range('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:05.000Z'))).toBe(4);
    expect(ds.count(sel, range('2026-01-01T00:00:00.001Z', '2026-01-01T00:00:04.999Z'))).toBe(0);
    expect(ds.count(sel, range('2026-01-01T00:00:05.000Z', '2026-01-01T00:00:05.000Z'))).toBe(2);
    expect(ds.count(sel, range('2026-01-01T00:00:05.000Z', '2026-01-01T00:00:04.000Z'))).toBe(0);
  });

  it('selects nothing for filter values that match nothing', () => {
    const ds = dataset();
    for (const f of [{ idSensor: 'REACH-999' }, { source: 'Other' }, { dataMode: 'TEST' }, { descriptor: 'FINAL' }]) {
      expect(ds.count(ds.select(f), DAY)).toBe(0);
    }
    expect(ds.count(ds.select({ source: 'Aerospace', dataMode: 'REAL' }), DAY)).toBe(2 * 1_105_920);
  });

  it('has no data outside [start, end) and on empty days', () => {
    const ds = dataset({ start: t('2026-01-01T00:00:00.000Z'), end: t('2026-01-03T00:00:00.000Z'), emptyDays: [t('2026-01-02T00:00:00.000Z') / DAY_MS] });
    const sel = ds.select({ idSensor: 'REACH-101', descriptor: 'QUICKLOOK' });
    expect(ds.count(sel, { from: -Infinity, to: Infinity })).toBe(34_560);
    expect(ds.count(sel, range('2025-12-31T00:00:00.000Z', '2025-12-31T23:59:59.999Z'))).toBe(0);
    expect(ds.count(sel, range('2026-01-02T00:00:00.000Z', '2026-01-02T23:59:59.999Z'))).toBe(0);
    expect(all(ds, sel, range('2026-01-01T23:59:55.000Z', '2026-01-03T00:00:00.000Z')).map((r) => r.obTime)).toEqual([
      '2026-01-01T23:59:55.000Z',
      '2026-01-01T23:59:55.000Z',
    ]);
  });
});

describe('records', () => {
  it('have the fields, order and shapes of real UDL records', () => {
    const ds = dataset();
    const recs = all(ds, ds.select({}), range('2026-01-01T12:00:00.000Z', '2026-01-01T12:00:00.000Z'));
    expect(recs).toHaveLength(32 * 2 * 2);
    for (const r of recs) {
      expect(Object.keys(r)).toEqual(RECORD_KEYS);
      expect(Object.keys(r.seoList[0] as object)).toEqual(SEO_KEYS);
      expect(r.id).toMatch(UUID_V4);
      expect(r).toMatchObject({
        classificationMarking: 'U',
        dataType: 'ECP',
        observatoryType: 'ONORBIT',
        instrumentType: 'DOSIMETER',
        createdBy: 'system.reach',
        source: 'Aerospace',
        dataMode: 'REAL',
        origNetwork: 'OPS1',
        obTime: '2026-01-01T12:00:00.000Z',
      });
      expect(String(r.satNo)).toBe(r.idOnOrbit);
      expect(r.observatoryName).toMatch(/^Iridium-\d+$/);
      expect(['PROTONS', 'ELECTRONS', 'PROTONS+ELECTRONS']).toContain(r.particleType);
      expect(['0', '4', '16']).toContain(r.seoList[0]?.obQuality);
      expect(Date.parse(r.createdAt as string)).toBeGreaterThan(Date.parse(r.genTime as string));
      const [x, y, z] = r.senPos;
      const radius = Math.hypot(x, y, z);
      expect(radius - 6378.137).toBeCloseTo(r.alt, 6);
      expect(Math.asin(z / radius) * (180 / Math.PI)).toBeCloseTo(r.lat, 6);
      expect(r.alt).toBeGreaterThan(770);
      expect(r.alt).toBeLessThan(820);
      expect(Math.abs(r.lat)).toBeLessThanOrEqual(86.4 + 1e-9);
      expect(r.lon).toBeGreaterThanOrEqual(-180);
      expect(r.lon).toBeLessThan(180);
    }
  });

  it('are compact JSON exactly as JSON.stringify writes it', () => {
    const ds = dataset({ subSecondShare: 0.02 });
    const cursor = ds.cursor(ds.select({}), range('2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z'), 0, 5000);
    const text = `[${cursor.next(5000)}]`;
    expect(JSON.stringify(JSON.parse(text))).toBe(text);
    expect(cursor.next(1)).toBe('');
  });

  it('label DOSE1 and DOSE2 with the flavors of sensors.json', () => {
    const ds = dataset();
    const recs = all(ds, ds.select({ descriptor: 'QUICKLOOK' }), range('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'));
    recs.forEach((r, i) => {
      const spec = sensors[i >> 1] as SensorSpec;
      const dose = i & 1;
      const flavor = spec.flavors[dose];
      expect(r.idSensor).toBe(spec.id);
      expect(r.obSetId).toBe(`REACH_${flavor}`);
      expect(r.seoList[0]?.obDescription).toBe(`DOSE${dose + 1} (Flavor ${flavor}) in rad/second`);
    });
  });

  it('are sorted by obTime, then sensor, DOSE1 before DOSE2, then descriptor', () => {
    const ds = dataset({ subSecondShare: 0.05 });
    const recs = all(ds, ds.select({}), range('2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z'));
    const order = recs.map((r) => [
      Date.parse(r.obTime),
      sensors.findIndex((s) => s.id === r.idSensor),
      r.seoList[0]?.obDescription.startsWith('DOSE1') ? 0 : 1,
      r.descriptor === 'QUICKLOOK' ? 0 : 1,
    ]);
    const sorted = [...order].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]! || a[3]! - b[3]!);
    expect(order).toEqual(sorted);
    expect(new Set(order.map((o) => o.join())).size).toBe(order.length);
  });

  it('have stable, unique ids that depend on the descriptor but not on the seed', () => {
    const a = dataset({ seed: 1 });
    const b = dataset({ seed: 99 });
    const bounds = range('2026-03-01T00:00:00.000Z', '2026-03-01T00:02:00.000Z');
    const ra = all(a, a.select({}), bounds);
    const rb = all(b, b.select({}), bounds);
    expect(ra.map((r) => r.id)).toEqual(rb.map((r) => r.id));
    expect(new Set(ra.map((r) => r.id)).size).toBe(ra.length);
    expect(ra.map((r) => JSON.stringify(r))).toEqual(rb.map((r) => JSON.stringify(r)));
  });

  it('serve the same positions for both descriptors, with values of the same magnitude', () => {
    const ds = dataset();
    const recs = all(ds, ds.select({ idSensor: 'REACH-135' }), range('2026-01-01T06:00:00.000Z', '2026-01-01T06:00:00.000Z'));
    const [ql, pv] = recs as [Rec, Rec];
    expect([ql.descriptor, pv.descriptor]).toEqual(['QUICKLOOK', 'PROVISIONAL']);
    expect(pv.senPos).toEqual(ql.senPos);
    expect(pv.id).not.toBe(ql.id);
    const [vq, vp] = [ql.seoList[0]!.obValue, pv.seoList[0]!.obValue];
    if (vq > 0) expect(vp / vq).toBeGreaterThan(0.9);
  });

  it('look like dose rates: mostly small positive values, some zeros and fill values', () => {
    const ds = dataset();
    const values = all(ds, ds.select({ descriptor: 'QUICKLOOK' }), range('2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z')).map(
      (r) => r.seoList[0]!.obValue,
    );
    const positive = values.filter((v) => v > 0);
    expect(positive.length / values.length).toBeGreaterThan(0.7);
    expect(values).toContain(0);
    expect(values).toContain(-1e31);
    for (const v of positive) {
      expect(v).toBeGreaterThan(1e-9);
      expect(v).toBeLessThan(1e-3);
    }
  });
});

describe('paging and counting agree', () => {
  it('for any range, page split, gaps and sub-second share', () => {
    const base = t('2026-01-01T22:30:00.000Z');
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 1000 }),
          gapShare: fc.constantFrom(0, 0.3),
          subSecondShare: fc.constantFrom(0, 0.003, 0.05),
          from: fc.integer({ min: 0, max: 3 * HOUR_MS }),
          length: fc.integer({ min: 0, max: 20 * 60_000 }),
          page: fc.integer({ min: 40, max: 700 }),
          sensor: fc.constantFrom(undefined, 'REACH-101', 'REACH-181'),
        }),
        (p) => {
          const ds = dataset({ seed: p.seed, gapShare: p.gapShare, subSecondShare: p.subSecondShare, sensors: sensors.slice(0, 4).concat(sensors.slice(-1)) });
          const sel = ds.select({ idSensor: p.sensor });
          const bounds = { from: base + p.from, to: base + p.from + p.length };
          const full = all(ds, sel, bounds);
          expect(ds.count(sel, bounds)).toBe(full.length);
          for (const r of full) {
            const ms = Date.parse(r.obTime);
            expect(ms).toBeGreaterThanOrEqual(bounds.from);
            expect(ms).toBeLessThanOrEqual(bounds.to);
          }
          const paged: Rec[] = [];
          for (let first = 0; ; first += p.page) {
            const page = all(ds, sel, bounds, first, p.page);
            paged.push(...page);
            if (page.length < p.page) break;
          }
          expect(paged.map((r) => r.id)).toEqual(full.map((r) => r.id));
          // A sub-range counts exactly the records of the full list inside it.
          const mid = Math.floor((bounds.from + bounds.to) / 2);
          const inside = full.filter((r) => Date.parse(r.obTime) <= mid).length;
          expect(ds.count(sel, { from: bounds.from, to: mid })).toBe(inside);
        },
      ),
      { seed: 20260101, numRuns: 40 },
    );
  });

  it('for whole days, walking day, hour and tick levels', () => {
    const ds = dataset({ gapShare: 0.2, subSecondShare: 0.01, sensors: sensors.slice(0, 1) });
    const sel = ds.select({ descriptor: 'QUICKLOOK' });
    const bounds = range('2026-01-01T00:00:00.000Z', '2026-01-02T23:59:59.999Z');
    const n = ds.count(sel, bounds);
    const full = all(ds, sel, bounds);
    expect(full).toHaveLength(n);
    for (const first of [0, 1, 12_345, Math.floor(n / 2), n - 1, n]) {
      const page = all(ds, sel, bounds, first, 3);
      expect(page.map((r) => r.id)).toEqual(full.slice(first, first + 3).map((r) => r.id));
    }
  });
});

describe('sub-second records', () => {
  it('sit either side of 5-minute boundaries and of midnight', () => {
    const ds = dataset({ subSecondShare: 0.01, sensors: sensors.slice(0, 3) });
    const sel = ds.select({ descriptor: 'QUICKLOOK' });
    const times = new Set(all(ds, sel, range('2026-01-01T23:00:00.000Z', '2026-01-02T01:00:00.000Z')).map((r) => r.obTime));
    expect(times).toContain('2026-01-01T23:59:59.999Z');
    expect(times).toContain('2026-01-02T00:00:00.001Z');
    expect(times).toContain('2026-01-02T00:00:00.000Z');
    const subSecond = [...times].filter((s) => !s.endsWith('.000Z'));
    expect(subSecond.some((s) => /:[0-5]4:59\.999Z$/.test(s))).toBe(true);
    expect(subSecond.some((s) => /:[0-5][05]:00\.(001|500)Z$/.test(s))).toBe(true);
  });

  it('add about the requested share', () => {
    const ds = dataset({ subSecondShare: 0.05 });
    const sel = ds.select({ descriptor: 'QUICKLOOK' });
    const n = ds.count(sel, DAY);
    expect(n / 1_105_920 - 1).toBeCloseTo(0.05, 2);
    expect(dataset({ subSecondShare: 1 }).count(sel, DAY)).toBe(2 * 1_105_920);
  });
});

describe('gaps', () => {
  function heatmap(ds: Dataset, days: number): number[][] {
    const start = t('2026-01-01T00:00:00.000Z');
    return sensors.map((s) =>
      Array.from({ length: days }, (_, d) => {
        const from = start + d * DAY_MS;
        return ds.count(ds.select({ idSensor: s.id, descriptor: 'QUICKLOOK' }), { from, to: from + DAY_MS - 1 }) / 34_560;
      }),
    );
  }

  it('remove whole sensor-hours, about gapShare of them, with per-sensor structure', () => {
    const map = heatmap(dataset({ gapShare: 0.15, seed: 3 }), 30);
    const cells = map.flat();
    for (const c of cells) expect(Math.round(c * 24 * 1e6) / 1e6).toBe(Math.round(c * 24));
    const missing = 1 - cells.reduce((a, b) => a + b, 0) / cells.length;
    expect(missing).toBeGreaterThan(0.08);
    expect(missing).toBeLessThan(0.22);
    expect(cells.filter((c) => c === 1).length).toBeGreaterThan(cells.length / 10);
    const perSensor = map.map((row) => row.reduce((a, b) => a + b, 0) / row.length);
    expect(Math.max(...perSensor) - Math.min(...perSensor)).toBeGreaterThan(0.15);
  });

  it('depend on the seed only', () => {
    expect(heatmap(dataset({ gapShare: 0.15, seed: 3 }), 5)).toEqual(heatmap(dataset({ gapShare: 0.15, seed: 3 }), 5));
    expect(heatmap(dataset({ gapShare: 0.15, seed: 4 }), 5)).not.toEqual(heatmap(dataset({ gapShare: 0.15, seed: 3 }), 5));
  });

  it('take everything at gapShare 1', () => {
    const ds = dataset({ gapShare: 1 });
    expect(ds.count(ds.select({}), DAY)).toBe(0);
  });
});
