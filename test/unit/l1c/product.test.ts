import { describe, expect, it } from 'vitest';
import { readCdf, encodeCdf } from '../../../src/cdf/index.js';
import { l1cCdfSpec, L1cOptionsError, type L1cFileOptions } from '../../../src/l1c/index.js';
import { product } from './records.js';

const OPTIONS: L1cFileOptions = { sensorId: 'ALL', generatedAt: new Date('2030-01-02T23:59:59Z'), softwareVersion: '1.2.3', swxsocVersion: 's 1', reachVersion: 'r 2' };

describe('l1cCdfSpec', () => {
  it('writes the per-file attributes from the options and the data (PROVISIONAL stays prelim)', () => {
    const p = product([{ descriptor: 'PROVISIONAL' }]).product;
    const file = readCdf(Buffer.concat(encodeCdf(l1cCdfSpec(p, { ...OPTIONS, sensorId: 'REACH-101' }))));
    const g = Object.fromEntries(file.globalAttributes.map((a) => [a.name, a.entries[0]!.value]));
    expect(file.globalAttributes).toHaveLength(35);
    expect(g).toMatchObject({
      Instrument_mode: '101',
      Data_type: 'prelim>Preliminary',
      UDL_Source: 'PROVISIONAL',
      Generation_date: '2030-01-02',
      Logical_file_id: 'reach_101_l1c_prelim_20250904T000000_v1.0.0',
      Logical_source: 'reach_101_prelim',
      CDF_Lib_version: 'reach-udl 1.2.3',
      SWxSOC_version: 's 1',
      REACH_version: 'r 2',
      Data_version: '1.0.0',
    });
    // 20 variable attributes numbered after the globals, as in the golden file.
    const names = new Set(file.variables.flatMap((v) => Object.keys(v.attributes)));
    expect(names.size).toBe(20);
  });

  it('a day with one distinct time is a valid file with the nominal resolution', () => {
    const file = readCdf(Buffer.concat(encodeCdf(l1cCdfSpec(product([{}, { idSensor: 'REACH-102' }]).product, OPTIONS))));
    const epoch = file.variables.find((v) => v.name === 'Epoch')!;
    expect(epoch.maxRec).toBe(0);
    expect(epoch.attributes['RESOLUTION']!.value).toBe('5s');
    expect(file.variables.find((v) => v.name === 'dose_rate')!.dims).toEqual([2, 1]);
  });

  it('refuses bad options with L1cOptionsError', () => {
    const p = product([{}]).product;
    for (const bad of [{ softwareVersion: '' }, { reachVersion: 'a\nb' }, { generatedAt: new Date(NaN) }, { sensorId: 'REACH-x' }]) {
      expect(() => l1cCdfSpec(p, { ...OPTIONS, ...bad }), JSON.stringify(bad)).toThrow(L1cOptionsError);
    }
  });
});
