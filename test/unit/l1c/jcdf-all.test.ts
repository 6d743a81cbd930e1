/** ALL-day L1C files read back by jcdf: 32 sensors, a few hundred times, plain and with dose_rate GZIP-compressed. */
import { beforeAll, describe, expect, it } from 'vitest';
import { DAY, grid } from './records.js';
import { ALL_SENSORS, listCases, row, seconds, type Listed } from './jcdf-cases.js';

describe('jcdf reads ALL-day L1C files', () => {
  let files: Record<string, Listed>;
  beforeAll(async () => {
    const records = grid(ALL_SENSORS, seconds(300));
    files = await listCases({ all: { sensorId: 'ALL', day: DAY, records }, gzip: { sensorId: 'ALL', day: DAY, records, gzipDose: true } });
  });

  it('32 sensors, 300 times, every value where it belongs', () => {
    const l = files['all']!.listing;
    const p = files['all']!.product;
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

  it('GZIP-compressed dose_rate: a smaller file, listed exactly as the uncompressed one', () => {
    expect(files['gzip']!.size).toBeLessThan(files['all']!.size - 50_000);
    expect(files['gzip']!.listing.text).toBe(files['all']!.listing.text);
  });
});
