import { describe, expect, it } from 'vitest';
import { L1cBuilder, L1cInputError, L1cOptionsError, type L1cInputCode, type L1cRecord } from '../../../src/l1c/index.js';
import { at, build, DAY, DOSE1, DOSE2, grid, product, rec } from './records.js';

const FILL = -1e31;

describe('L1cBuilder: axes and arrays (PROCESSING.md 3.5, 3.6)', () => {
  it('sorts times and sensors, puts each sensor\'s sorted descriptions in flavor slots, values where they belong', () => {
    const records = grid([140, 101, 113], [10, 0, 5]).reverse();
    const { product: p, stats } = product(records);
    expect(stats).toEqual({ records: 18, droppedNoSensor: 0, droppedOutsideDay: 0, duplicates: 0, cells: 18 });
    expect(Array.from(p.epoch, (tt) => tt - p.epoch[0]!)).toEqual([0n, 5_000_000_000n, 10_000_000_000n]);
    expect(p.sensorLabels).toEqual(['REACH-101', 'REACH-113', 'REACH-140']);
    expect(Array.from(p.sensorIds)).toEqual([101, 113, 140]);
    expect(p.flavorSlots).toBe(2);
    expect(p.flavors).toEqual([DOSE1('X'), DOSE2('W'), DOSE1('X'), DOSE2('W'), DOSE1('X'), DOSE2('W')]);
    // grid() wrote time index 0 at 10 s, 1 at 0 s, 2 at 5 s.
    const tIndex = [1, 2, 0];
    for (let t = 0; t < 3; t++) {
      [101, 113, 140].forEach((n, s) => {
        expect(p.doseRate[(t * 3 + s) * 2]).toBe(tIndex[t]! * 1000 + n + 0.25);
        expect(p.doseRate[(t * 3 + s) * 2 + 1]).toBe(tIndex[t]! * 1000 + n + 0.5);
        expect(p.lat[t * 3 + s]).toBe(n / 8 + tIndex[t]!);
        expect(p.sensorPositionZ[t * 3 + s]).toBe(tIndex[t]! / 8);
        expect(p.obQuality[t * 3 + s]).toBe(n % 3);
      });
    }
    expect(p.resolution).toBe('5s');
    expect(p.udlSource).toBe('QUICKLOOK');
  });

  it('fills absent cells, NaN and non-numeric obValue; keeps an input -1e+31; empty lat is fill', () => {
    const { product: p } = product([
      { obValue: 'nan' },
      { obDescription: DOSE2('W'), obValue: 'n/a' },
      { idSensor: 'REACH-102', obValue: '-1e+31', lat: '' },
      { idSensor: 'REACH-102', obTime: at(5), obValue: '7' },
    ]);
    expect(Array.from(p.doseRate)).toEqual([FILL, FILL, -1e31, FILL, FILL, FILL, 7, FILL]);
    expect(Array.from(p.lat)).toEqual([1.5, FILL, FILL, 1.5]);
    expect(Array.from(p.alt)).toEqual([800, 800, FILL, 800]);
  });

  it('pads a sensor with fewer descriptions with "" slots; a third description widens every sensor to 3', () => {
    const { product: p } = product([
      { idSensor: 'REACH-101', obDescription: DOSE2('W') },
      { idSensor: 'REACH-101', obDescription: 'DOSE3 (Flavor Q) in rad/second', obValue: '3' },
      { idSensor: 'REACH-101', obDescription: DOSE1('X'), obValue: '1' },
      { idSensor: 'REACH-102', obDescription: DOSE1('Y'), obValue: '9' },
    ]);
    expect(p.flavorSlots).toBe(3);
    expect(p.flavors).toEqual([DOSE1('X'), DOSE2('W'), 'DOSE3 (Flavor Q) in rad/second', DOSE1('Y'), '', '']);
    expect(Array.from(p.doseRate)).toEqual([1, 0.25, 3, 9, FILL, FILL]);
  });

  it('finds each description\'s slot whatever order a sensor\'s records come in, among other sensors\' and imputed ones', () => {
    const Q = 'DOSE3 (Flavor Q) in rad/second';
    // Per sensor, its descriptions in an order that repeats, alternates and returns to older ones.
    const order = [DOSE1('X'), DOSE2('W'), DOSE2('W'), DOSE1('X'), Q, DOSE2('W'), Q, Q, DOSE1('X')];
    const value = (sensor: number, desc: string): string => String(sensor * 10 + [DOSE1('X'), DOSE2('W'), Q].indexOf(desc));
    const records = order.flatMap((desc, t) => [
      { idSensor: 'REACH-101', obTime: at(5 * t), obDescription: desc, obValue: value(101, desc) },
      { idSensor: '', observatoryName: 'Iridium-102', obTime: at(5 * t), obDescription: desc, obValue: value(101, desc) },
      { idSensor: 'REACH-102', obTime: at(5 * t), obDescription: order[(t + 4) % order.length], obValue: value(102, order[(t + 4) % order.length]!) },
    ]);
    const { product: p, stats } = product(records);
    expect(p.flavors).toEqual([DOSE1('X'), DOSE2('W'), Q, DOSE1('X'), DOSE2('W'), Q]);
    // The imputed records (Iridium-102 is REACH-101) are duplicates of REACH-101's, created at the same time.
    expect(stats.duplicates).toBe(order.length);
    for (let t = 0; t < order.length; t++) {
      const row = Array.from(p.doseRate.subarray(t * 6, t * 6 + 6));
      const d101 = [DOSE1('X'), DOSE2('W'), Q].indexOf(order[t]!);
      const d102 = [DOSE1('X'), DOSE2('W'), Q].indexOf(order[(t + 4) % order.length]!);
      expect(row.filter((v) => v !== FILL)).toEqual([1010 + d101, 1020 + d102]);
      expect(row[d101]).toBe(1010 + d101);
      expect(row[3 + d102]).toBe(1020 + d102);
    }
  });

  it('takes lat/lon/alt/obQuality/senPos from the first description\'s record, whatever the input order', () => {
    const dose2First = product([
      { obDescription: DOSE2('W'), lat: '20', senPos2: '200' },
      { obDescription: DOSE1('X'), lat: '10', senPos2: '100' },
    ]).product;
    expect([dose2First.lat[0], dose2First.sensorPositionZ[0]]).toEqual([10, 100]);
    const dose1First = product([
      { obDescription: DOSE1('X'), lat: '10' },
      { obDescription: DOSE2('W'), lat: '20' },
    ]).product;
    expect(dose1First.lat[0]).toBe(10);
  });

  it('one distinct time gives a product with the nominal 5s resolution; others give the exact spacing', () => {
    expect(product([{}]).product.resolution).toBe('5s');
    expect(product([{ obTime: at(0) }, { obTime: `${DAY}T00:00:02.500Z` }]).product.resolution).toBe('2.5s');
    expect(product([{ obTime: at(0) }, { obTime: at(60) }]).product.resolution).toBe('60s');
  });

  it('a leap-second day keeps 23:59:60 and orders it between 23:59:59 and the next day', () => {
    const { product: p } = product(
      ['2016-12-31T23:59:55.000Z', '2016-12-31T23:59:60.000Z', '2016-12-31T23:59:59.000Z', '2017-01-01T00:00:00.000Z'].map((obTime) => ({ obTime })),
      '2016-12-31',
    );
    expect(p.epoch).toHaveLength(3);
    expect(p.epoch[2]! - p.epoch[1]!).toBe(1_000_000_000n);
    expect(p.epoch[1]! - p.epoch[0]!).toBe(4_000_000_000n);
  });
});

describe('L1cBuilder: records dropped, duplicates (PROCESSING.md 3.3, 3.4)', () => {
  it('imputes an empty idSensor from observatoryName and drops records it cannot place', () => {
    const result = product([
      { idSensor: '', observatoryName: 'Iridium-168' },
      { idSensor: '', observatoryName: 'Iridium-999' },
      { idSensor: '', observatoryName: '' },
    ]);
    expect(result.product.sensorLabels).toEqual(['REACH-175']);
    expect(result.stats).toMatchObject({ records: 3, droppedNoSensor: 2, cells: 1 });
  });

  it('drops records outside the UTC day (the next day\'s 00:00:00.000 included) and counts them', () => {
    const result = product([{ obTime: at(-5) }, { obTime: at(0) }, { obTime: at(86_395) }, { obTime: at(86_400) }]);
    expect(result.product.epoch).toHaveLength(2);
    expect(result.stats).toMatchObject({ droppedOutsideDay: 2, cells: 2 });
  });

  it('keeps the record with the greatest createdAt per (idSensor, obDescription, obTime), in any order', () => {
    const older = { createdAt: `${DAY}T01:00:00.000Z`, obValue: '1', lat: '10' };
    const newer = { createdAt: `${DAY}T02:00:00.000Z`, obValue: '2', lat: '20' };
    for (const order of [[older, newer], [newer, older]]) {
      const { product: p, stats } = product(order);
      expect([p.doseRate[0], p.lat[0]]).toEqual([2, 20]);
      expect(stats).toMatchObject({ records: 2, duplicates: 1, cells: 1 });
    }
  });

  it('ties keep the first record; other descriptions or sensors are not duplicates', () => {
    const { product: p, stats } = product([{ obValue: '1' }, { obValue: '2' }, { obDescription: DOSE2('W'), obValue: '3' }, { idSensor: 'REACH-102', obValue: '4' }]);
    expect(Array.from(p.doseRate)).toEqual([1, 3, 4, FILL]);
    expect(stats.duplicates).toBe(1);
  });

  it('compares createdAt as strings when they are not in the canonical form', () => {
    // As strings, '...T01:00:00Z' > '...T01:00:00.500Z' ('Z' > '.'), although it is the earlier time.
    const canonical = { createdAt: `${DAY}T01:00:00.500Z`, obValue: '1' };
    const short = { createdAt: `${DAY}T01:00:00Z`, obValue: '2' };
    const later = { createdAt: `${DAY}T01:00:01Z`, obValue: '3' };
    expect(product([canonical, short]).product.doseRate[0]).toBe(2);
    expect(product([short, canonical]).product.doseRate[0]).toBe(2);
    expect(product([short, later, canonical]).product.doseRate[0]).toBe(3);
    expect(product([{ createdAt: '', obValue: '5' }, canonical]).product.doseRate[0]).toBe(1);
  });

  it('reports a day without records, or whose records were all dropped, as no data', () => {
    expect(build([])).toEqual({ kind: 'no-data', stats: { records: 0, droppedNoSensor: 0, droppedOutsideDay: 0, duplicates: 0, cells: 0 } });
    expect(build([{ obTime: at(86_400) }, { idSensor: '', observatoryName: 'x' }]).kind).toBe('no-data');
  });

  it('a sensor seen only outside the day is not in the product', () => {
    const { product: p } = product([{}, { idSensor: 'REACH-102', obTime: at(86_400) }]);
    expect(p.sensorLabels).toEqual(['REACH-101']);
  });
});

describe('L1cBuilder: inputs that fail the day (PROCESSING.md 3.8)', () => {
  const failures: [string, Partial<L1cRecord>[], L1cInputCode, RegExp][] = [
    ['no descriptor column', [{ descriptor: undefined }], 'ERR_L1C_NO_DESCRIPTOR', /record 1: no descriptor column/],
    ['two descriptors', [{}, { descriptor: 'PROVISIONAL' }], 'ERR_L1C_MIXED_DESCRIPTORS', /record 2: descriptor "PROVISIONAL" differs from "QUICKLOOK"/],
    ['a blank and a descriptor', [{ descriptor: '' }, {}], 'ERR_L1C_MIXED_DESCRIPTORS', /descriptor "QUICKLOOK" differs from ""/],
    ['three descriptors', [{}, {}, { descriptor: 'quicklook' }], 'ERR_L1C_MIXED_DESCRIPTORS', /record 3: descriptor "quicklook"/],
    ['idSensor not REACH-<int>', [{ idSensor: 'REACH-1a' }], 'ERR_L1C_BAD_SENSOR_ID', /idSensor "REACH-1a" is not REACH-<int>/],
    ['idSensor of another kind', [{ idSensor: 'Iridium-102' }], 'ERR_L1C_BAD_SENSOR_ID', /idSensor "Iridium-102"/],
    ['idSensor beyond INT4', [{ idSensor: 'REACH-2147483648' }], 'ERR_L1C_BAD_SENSOR_ID', /REACH-2147483648/],
    ['empty seoList', [{ seoCount: 0 }], 'ERR_L1C_EMPTY_SEO_LIST', /record 1: empty seoList/],
    ['senPos with 2 items', [{ senPosCount: 2 }], 'ERR_L1C_SHORT_SEN_POS', /senPos has 2 items, 3 needed/],
    ['non-numeric lat', [{ lat: 'north' }], 'ERR_L1C_NOT_NUMERIC', /record 1: lat is not a number: "north"/],
    ['hex lon', [{ lon: '0x10' }], 'ERR_L1C_NOT_NUMERIC', /lon is not a number/],
    ['non-numeric obQuality', [{ obQuality: 'good' }], 'ERR_L1C_NOT_NUMERIC', /obQuality is not a number/],
    ['non-numeric senPos', [{}, { obTime: at(5), senPos1: '[1]' }], 'ERR_L1C_NOT_NUMERIC', /record 2: senPos\[1\] is not a number/],
    ['non-numeric lat in the second row of a pair', [{}, { obDescription: DOSE2('W'), lat: 'x' }], 'ERR_L1C_NOT_NUMERIC', /record 2: lat/],
    ['bad obTime', [{ obTime: '04/09/2025 00:00' }], 'ERR_L1C_BAD_OBTIME', /obTime "04\/09\/2025 00:00"/],
  ];
  for (const [what, records, code, message] of failures) {
    it(`${what}: ${code}`, () => {
      let error: unknown;
      try {
        build(records);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(L1cInputError);
      const e = error as L1cInputError;
      expect(e.code).toBe(code);
      expect(e.name).toBe('L1cInputError');
      expect(e.message).toMatch(message);
      expect(e.message).not.toMatch(/\n/);
    });
  }

  it('keeps messages one line however long or multi-line the bad value is', () => {
    expect(() => build([{ lat: `a\n${'b'.repeat(500)}` }])).toThrow(/^record 1: lat is not a number: "a\\nb{38}…"$/);
  });

  it('refuses a bad day, and use after finish(), with L1cOptionsError', () => {
    expect(() => new L1cBuilder('2025-02-30')).toThrow(L1cOptionsError);
    const b = new L1cBuilder(DAY);
    b.add(rec());
    b.finish();
    expect(() => b.add(rec())).toThrow(L1cOptionsError);
    expect(() => b.finish()).toThrow(L1cOptionsError);
  });
});
