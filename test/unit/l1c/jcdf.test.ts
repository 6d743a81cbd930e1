/**
 * Every kind of L1C file the builder makes, read back by jcdf (an independent reader): one sensor, ALL,
 * a day with gaps, a day with duplicates, a leap-second day, and a GZIP-compressed dose_rate. One java
 * start per file, all started together.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCdf, type CdfSpec } from '../../../src/cdf/index.js';
import { l1cCdfSpec, type L1cProduct, type L1cRecord } from '../../../src/l1c/index.js';
import { tempDir } from '../../helpers/cli.js';
import { jcdfList, type JcdfListing } from '../../helpers/jcdf.js';
import { at, DAY, grid, product } from './records.js';

const ALL_SENSORS = [101, 102, 105, 108, 113, 114, 115, 116, 133, 134, 135, 136, 137, 138, 139, 140, 148, 149, 162, 163, 164, 165, 166, 169, 170, 171, 172, 173, 175, 176, 180, 181];

/** Java's Double.toString for the values these tests use (at most 17 significant digits, dyadic fractions). */
function javaDouble(x: number): string {
  const abs = Math.abs(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(x) ? `${x}.0` : String(x);
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

const row = (values: ArrayLike<number>): string => Array.from(values, javaDouble).join(', ');

interface Case {
  sensorId: string;
  day: string;
  records: Partial<L1cRecord>[];
  gzipDose?: boolean;
}

const seconds = (n: number, step = 5): number[] => Array.from({ length: n }, (_, i) => i * step);

const CASES: Record<string, Case> = {
  oneSensor: { sensorId: 'REACH-137', day: DAY, records: grid([137], seconds(5)) },
  all: { sensorId: 'ALL', day: DAY, records: grid(ALL_SENSORS, seconds(300)) },
  // REACH-102 missing 10..20 s and nothing at all at 30 s: gaps in the grid and in the time axis.
  gaps: {
    sensorId: 'ALL',
    day: DAY,
    records: grid([101, 102], seconds(8)).filter((r) => r.obTime !== at(30) && !(r.idSensor === 'REACH-102' && [at(10), at(15), at(20)].includes(r.obTime!))),
  },
  duplicates: {
    sensorId: 'ALL',
    day: DAY,
    records: [
      ...grid([101], seconds(2)),
      { idSensor: 'REACH-101', obTime: at(0), obDescription: 'DOSE1 (Flavor X) in rad/second', obValue: '7.5', lat: '-7.5', createdAt: `${DAY}T09:00:00.000Z` },
      { idSensor: 'REACH-101', obTime: at(5), obDescription: 'DOSE2 (Flavor W) in rad/second', obValue: '8.5', createdAt: `${DAY}T00:30:00.000Z` },
    ],
  },
  leapSecond: {
    sensorId: 'ALL',
    day: '2016-12-31',
    records: ['2016-12-31T23:59:55.000Z', '2016-12-31T23:59:59.000Z', '2016-12-31T23:59:60.000Z', '2016-12-31T23:59:60.500Z', '2017-01-01T00:00:00.000Z'].map((obTime, i) => ({
      obTime,
      obValue: String(i),
    })),
  },
  gzip: { sensorId: 'ALL', day: DAY, records: grid(ALL_SENSORS, seconds(300)), gzipDose: true },
};

function specOf(c: Case, p: L1cProduct): CdfSpec {
  const spec = l1cCdfSpec(p, { sensorId: c.sensorId, generatedAt: new Date('2030-01-02T03:04:05Z'), softwareVersion: '1.2.3', swxsocVersion: 's', reachVersion: 'r' });
  return c.gzipDose ? { ...spec, variables: spec.variables.map((v) => (v.name === 'dose_rate' ? { ...v, gzipLevel: 6 } : v)) } : spec;
}

describe('jcdf reads every kind of L1C file', () => {
  const products: Record<string, L1cProduct> = {};
  const listings: Record<string, JcdfListing> = {};
  const sizes: Record<string, number> = {};

  beforeAll(async () => {
    const dir = await tempDir('l1c-jcdf-');
    await Promise.all(
      Object.entries(CASES).map(async ([name, c]) => {
        const p = product(c.records, c.day).product;
        const chunks = encodeCdf(specOf(c, p));
        const file = join(dir, `${name}.cdf`);
        await writeFile(file, chunks);
        sizes[name] = chunks.reduce((n, b) => n + b.length, 0);
        products[name] = p;
        listings[name] = await jcdfList(file);
      }),
    );
  });

  it('one sensor: [1, 2] dims, the mode in Instrument_mode, Logical_source and Logical_file_id', () => {
    const l = listings['oneSensor']!;
    expect(l.variables['dose_rate']!.header).toBe('DOUBLE (z) 2:[1,2] T/TT');
    expect(l.variables['sensor_labels']!.records).toEqual(['REACH-137']);
    expect(l.variables['sensor_ids']!.records).toEqual(['137']);
    expect(l.globals['Instrument_mode']).toEqual(['137']);
    expect(l.globals['Logical_source']).toEqual(['reach_137_prelim']);
    expect(l.globals['Logical_file_id']).toEqual(['reach_137_l1c_prelim_20250904T000000_v1.0.0']);
    expect(l.globals['Generation_date']).toEqual(['2030-01-02']);
    expect(l.globals['CDF_Lib_version']).toEqual(['reach-udl 1.2.3']);
    expect(l.variables['dose_rate']!.records).toEqual(seconds(5).map((_, t) => row([t * 1000 + 137.25, t * 1000 + 137.5])));
    expect(l.variables['lat']!.records).toEqual(seconds(5).map((_, t) => row([137 / 8 + t])));
    expect(l.variables['Epoch']!.attributes['RESOLUTION']).toBe('5s');
  });

  it('ALL: 32 sensors, 300 times, every value where it belongs', () => {
    const l = listings['all']!;
    const p = products['all']!;
    expect(l.variables['dose_rate']!.header).toBe('DOUBLE (z) 2:[32,2] T/TT');
    expect(l.variables['dosimeter_flavors']!.header).toBe('CHAR (z) 2:[32,2] F/TT');
    expect(l.variables['sensor_ids']!.records).toEqual([ALL_SENSORS.join(', ')]);
    expect(l.variables['Epoch']!.records).toHaveLength(300);
    expect(l.variables['Epoch']!.records[299]).toBe('2025-09-04T00:24:55.000000000');
    for (const t of [0, 1, 150, 299]) {
      expect(l.variables['dose_rate']!.records[t]).toBe(row(ALL_SENSORS.flatMap((n) => [t * 1000 + n + 0.25, t * 1000 + n + 0.5])));
      expect(l.variables['sensor_position_x']!.records[t]).toBe(row(ALL_SENSORS.map((n) => n * 10 + t)));
    }
    expect(l.variables['obQuality']!.records[7]).toBe(row(p.obQuality.subarray(7 * 32, 8 * 32)));
    expect(l.globals['Instrument_mode']).toEqual(['all']);
  });

  it('a day with gaps: absent times are not records, absent cells print the fill', () => {
    const l = listings['gaps']!;
    expect(l.variables['Epoch']!.records.map((e) => e.slice(11, 19))).toEqual(['00:00:00', '00:00:05', '00:00:10', '00:00:15', '00:00:20', '00:00:25', '00:00:35']);
    const F = '-1.0E31';
    expect(l.variables['dose_rate']!.records[2]).toBe(`${row([2101.25, 2101.5])}, ${F}, ${F}`);
    expect(l.variables['dose_rate']!.records[5]).toBe(row([5101.25, 5101.5, 5102.25, 5102.5]));
    expect(l.variables['alt']!.records[3]).toBe(`${row([803])}, ${F}`);
    expect(l.variables['dose_rate']!.records[6]).toBe(row([7101.25, 7101.5, 7102.25, 7102.5]));
  });

  it('a day with duplicates: the greater createdAt decides', () => {
    const l = listings['duplicates']!;
    // 09:00 beats the grid's 01:00 at 0 s; 00:30 loses to it at 5 s.
    expect(l.variables['dose_rate']!.records).toEqual([row([7.5, 101.5]), row([1101.25, 1101.5])]);
    expect(l.variables['lat']!.records[0]).toBe(row([-7.5]));
  });

  it('a leap-second day: 23:59:60 and 23:59:60.5 print as such, the next day is clipped', () => {
    const l = listings['leapSecond']!;
    expect(l.variables['Epoch']!.records).toEqual([
      '2016-12-31T23:59:55.000000000',
      '2016-12-31T23:59:59.000000000',
      '2016-12-31T23:59:60.000000000',
      '2016-12-31T23:59:60.500000000',
    ]);
    expect(l.variables['dose_rate']!.header).toBe('DOUBLE (z) 2:[1,1] T/TT');
    expect(l.variables['dose_rate']!.records).toEqual(['0.0', '1.0', '2.0', '3.0']);
    expect(l.variables['Epoch']!.attributes['RESOLUTION']).toBe('4s');
    expect(l.globals['Logical_file_id']).toEqual(['reach_all_l1c_prelim_20161231T000000_v1.0.0']);
  });

  it('GZIP-compressed dose_rate: a smaller file, listed exactly as the uncompressed one', () => {
    expect(sizes['gzip']!).toBeLessThan(sizes['all']! - 50_000);
    expect(listings['gzip']!.text).toBe(listings['all']!.text);
  });
});
