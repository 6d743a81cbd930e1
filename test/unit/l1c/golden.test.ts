/**
 * The reference's golden pair: its input CSV through the builder and writer must give the golden file's
 * variables, values (bit for bit) and attributes, bar the deliberate differences (CDF_Lib_version names
 * this writer; RESOLUTION is exact). Per-file attributes are injected with the golden's values.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCdf, readCdf, type CdfFile, type CdfValues } from '../../../src/cdf/index.js';
import { fillFromCsvRow, L1cBuilder, l1cCdfSpec, l1cFileName, newL1cRecord, type L1cResult } from '../../../src/l1c/index.js';
import { tempDir } from '../../helpers/cli.js';
import { copyAsIbmpc, jcdfList } from '../../helpers/jcdf.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const CSV = new URL('REACH-TEST_20250904T000000_20250904T010000.csv', FIXTURES);
const GOLDEN = new URL('reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf', FIXTURES);

/** The same bytes: doubles and TT2000 compared bit for bit (-0 vs 0, NaN payloads), strings as strings. */
function sameValues(a: CdfValues, b: CdfValues): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  const bytes = (v: Exclude<CdfValues, readonly string[]>) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return a.constructor === b.constructor && bytes(a as Exclude<CdfValues, readonly string[]>).equals(bytes(b as Exclude<CdfValues, readonly string[]>));
}

describe('golden: REACH-TEST CSV -> reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf', () => {
  let result: L1cResult;
  let ours: Buffer;
  let golden: CdfFile;
  let mine: CdfFile;

  beforeAll(() => {
    const rows = parse(readFileSync(CSV), { columns: true }) as Record<string, string>[];
    const builder = new L1cBuilder('2025-09-04');
    const record = newL1cRecord();
    for (const row of rows) builder.add(fillFromCsvRow(record, row));
    result = builder.finish();
    if (result.kind !== 'data') throw new Error('no data');
    golden = readCdf(readFileSync(GOLDEN));
    const globalText = (name: string) => golden.globalAttributes.find((g) => g.name === name)!.entries[0]!.value as string;
    ours = Buffer.concat(
      encodeCdf(
        l1cCdfSpec(result.product, {
          sensorId: 'ALL',
          generatedAt: new Date(`${globalText('Generation_date')}T17:00:00Z`),
          softwareVersion: '0.1.0',
          swxsocVersion: globalText('SWxSOC_version'),
          reachVersion: globalText('REACH_version'),
        }),
      ),
    );
    mine = readCdf(ours);
  });

  it('reads 716 records into 13 times x 32 sensors x 2 flavors, no record dropped', () => {
    expect(result.stats).toEqual({ records: 716, droppedNoSensor: 0, droppedOutsideDay: 0, duplicates: 0, cells: 716 });
    expect(l1cFileName('all', '2025-09-04')).toBe('reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf');
  });

  it('has the golden variables: names, types, elements, dims, variances, record counts, pad values', () => {
    const shape = (f: CdfFile) => f.variables.map(({ values: _v, attributes: _a, ...rest }) => rest);
    expect(shape(mine)).toEqual(shape(golden));
    expect(mine.variables).toHaveLength(14);
  });

  it('has the golden values, bit for bit (TT2000, doubles, INT4, CHAR)', () => {
    golden.variables.forEach((g, i) => expect(sameValues(mine.variables[i]!.values, g.values), g.name).toBe(true));
  });

  it('has the golden variable attributes (types, NumElems, NumStrings, values) bar RESOLUTION', () => {
    golden.variables.forEach((g, i) => {
      const { RESOLUTION: ourResolution, ...ourRest } = mine.variables[i]!.attributes;
      const { RESOLUTION: goldenResolution, ...goldenRest } = g.attributes;
      expect(ourRest, g.name).toEqual(goldenRest);
      expect(ourResolution === undefined, g.name).toBe(goldenResolution === undefined);
    });
    expect(golden.variables[0]!.attributes['RESOLUTION']!.value).toBe('4.999999999994387s');
    expect(mine.variables[0]!.attributes['RESOLUTION']).toEqual({ type: 51, value: '5s', numElems: 2, numStrings: 1 });
  });

  it('has the golden global attributes, in order, bar CDF_Lib_version', () => {
    const without = (f: CdfFile) => f.globalAttributes.filter((g) => g.name !== 'CDF_Lib_version');
    expect(without(mine)).toEqual(without(golden));
    expect(mine.globalAttributes.map((g) => g.name)).toEqual(golden.globalAttributes.map((g) => g.name));
    expect(mine.globalAttributes.find((g) => g.name === 'CDF_Lib_version')!.entries[0]!.value).toBe('reach-udl 0.1.0');
  });

  it('jcdf lists ours as it lists the golden (encoding patched to IBMPC), bar those two lines', async () => {
    const dir = await tempDir('l1c-golden-');
    const oursFile = join(dir, 'ours.cdf');
    await writeFile(oursFile, ours);
    const [a, b] = await Promise.all([jcdfList(oursFile), jcdfList(await copyAsIbmpc(fileURLToPath(GOLDEN), join(dir, 'golden-ibmpc.cdf')))]);
    const ourLines = a.text.split('\n');
    const goldenLines = b.text.split('\n');
    expect(ourLines).toHaveLength(goldenLines.length);
    const differing = ourLines.flatMap((line, i) => (line === goldenLines[i] ? [] : [[goldenLines[i], line]]));
    expect(differing).toEqual([
      ["        3.9.2.b'0'", '        reach-udl 0.1.0'],
      ['    RESOLUTION:\t4.999999999994387s', '    RESOLUTION:\t5s'],
    ]);
    expect(goldenLines[goldenLines.indexOf("        3.9.2.b'0'") - 1]).toBe('    CDF_Lib_version');
    expect(a.variables['dose_rate']!.records[0]!.startsWith('3.333333333333335E-7, 0.0, ')).toBe(true);
  });
});
