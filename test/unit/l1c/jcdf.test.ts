/**
 * L1C files read back by jcdf (an independent reader): one sensor, a day with gaps, a day with
 * duplicates, a leap-second day. ALL days and GZIP: jcdf-all.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { at, DAY, grid } from './records.js';
import { listCases, row, seconds, type Case, type Listed } from './jcdf-cases.js';

const CASES: Record<string, Case> = {
  oneSensor: { sensorId: 'REACH-137', day: DAY, records: grid([137], seconds(5)) },
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
};

describe('jcdf reads L1C files', () => {
  let files: Record<string, Listed>;
  beforeAll(async () => {
    files = await listCases(CASES);
  });

  it('one sensor: [1, 2] dims, the mode in Instrument_mode, Logical_source and Logical_file_id', () => {
    const l = files['oneSensor']!.listing;
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

  it('a day with gaps: absent times are not records, absent cells print the fill', () => {
    const l = files['gaps']!.listing;
    expect(l.variables['Epoch']!.records.map((e) => e.slice(11, 19))).toEqual(['00:00:00', '00:00:05', '00:00:10', '00:00:15', '00:00:20', '00:00:25', '00:00:35']);
    const F = '-1.0E31';
    expect(l.variables['dose_rate']!.records[2]).toBe(`${row([2101.25, 2101.5])}, ${F}, ${F}`);
    expect(l.variables['dose_rate']!.records[5]).toBe(row([5101.25, 5101.5, 5102.25, 5102.5]));
    expect(l.variables['alt']!.records[3]).toBe(`${row([803])}, ${F}`);
    expect(l.variables['dose_rate']!.records[6]).toBe(row([7101.25, 7101.5, 7102.25, 7102.5]));
  });

  it('a day with duplicates: the greater createdAt decides', () => {
    const l = files['duplicates']!.listing;
    // 09:00 beats the grid's 01:00 at 0 s; 00:30 loses to it at 5 s.
    expect(l.variables['dose_rate']!.records).toEqual([row([7.5, 101.5]), row([1101.25, 1101.5])]);
    expect(l.variables['lat']!.records[0]).toBe(row([-7.5]));
  });

  it('a leap-second day: 23:59:60 and 23:59:60.5 print as such, the next day is clipped', () => {
    const l = files['leapSecond']!.listing;
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
});
