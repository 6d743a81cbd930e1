import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CdfEncoding, CdfType, encodeCdf, entry, utcToTt2000, type CdfSpec, type CdfVariableSpec } from '../../../src/cdf/index.js';
import { tempDir } from '../../helpers/cli.js';
import { jcdfList, type JcdfListing } from '../../helpers/jcdf.js';

type Row = [string, CdfVariableSpec['type'], CdfVariableSpec['values'], string, string];

const LEAP = utcToTt2000('2016-12-31T23:59:60Z');
const DAY = utcToTt2000('2025-09-04T00:00:00Z');

/** name, type, 2 records of [2] values (a, b then b, a), and how jcdf prints a and b. */
const ROWS: Row[] = [
  ['i1', CdfType.INT1, Int8Array.of(-128, 127, 127, -128), '-128', '127'],
  ['i2', CdfType.INT2, Int16Array.of(-32768, 32767, 32767, -32768), '-32768', '32767'],
  ['i4', CdfType.INT4, Int32Array.of(-2147483648, 2147483647, 2147483647, -2147483648), '-2147483648', '2147483647'],
  ['i8', CdfType.INT8, BigInt64Array.of(-(2n ** 63n) + 1n, 2n ** 63n - 1n, 2n ** 63n - 1n, -(2n ** 63n) + 1n), '-9223372036854775807', '9223372036854775807'],
  ['u1', CdfType.UINT1, Uint8Array.of(0, 255, 255, 0), '0', '255'],
  ['u2', CdfType.UINT2, Uint16Array.of(0, 65535, 65535, 0), '0', '65535'],
  ['u4', CdfType.UINT4, Uint32Array.of(0, 4294967295, 4294967295, 0), '0', '4294967295'],
  ['r4', CdfType.REAL4, Float32Array.of(0.5, -2.25, -2.25, 0.5), '0.5', '-2.25'],
  ['r8', CdfType.REAL8, Float64Array.of(0.1, -1e31, -1e31, 0.1), '0.1', '-1.0E31'],
  ['ep', CdfType.EPOCH, Float64Array.of(63e12, 63e12 + 500, 63e12 + 500, 63e12), '1996-05-22T16:00:00.000', '1996-05-22T16:00:00.500'],
  ['tt', CdfType.TIME_TT2000, BigInt64Array.of(DAY, LEAP, LEAP, DAY), '2025-09-04T00:00:00.000000000', '2016-12-31T23:59:60.000000000'],
  ['b', CdfType.BYTE, Int8Array.of(-1, 1, 1, -1), '-1', '1'],
  ['f', CdfType.FLOAT, Float32Array.of(1.5, 3, 3, 1.5), '1.5', '3.0'],
  ['d', CdfType.DOUBLE, Float64Array.of(3.333333333333335e-7, 5e-324, 5e-324, 3.333333333333335e-7), '3.333333333333335E-7', '4.9E-324'],
  // jcdf prints CHAR values with their NUL padding.
  ['c', CdfType.CHAR, ['ab', 'abc', 'abc', 'ab'], 'ab\0', 'abc'],
];

function spec(encoding: typeof CdfEncoding.IBMPC | typeof CdfEncoding.NETWORK, gzip: boolean): CdfSpec {
  return {
    encoding,
    globalAttributes: [{ name: 'G', entries: [entry.char('text'), entry.int4(-3, 4), entry.tt2000(DAY)] }],
    variables: [
      ...ROWS.map(([name, type, values]): CdfVariableSpec => ({ name, type, dims: [2], recVary: true, values, attributes: { FIELDNAM: entry.char(name) }, ...(gzip ? { gzipLevel: 9 } : {}) })),
      { name: 'labels', type: CdfType.UCHAR, dims: [2, 2], recVary: false, values: ['x', 'yz', 'w', 'v'], attributes: { FILLVAL: entry.char(' ') } },
    ],
  };
}

describe('jcdf reads what the writer writes', () => {
  const listings: Record<string, JcdfListing> = {};

  beforeAll(async () => {
    const dir = await tempDir('cdf-jcdf-');
    const cases = { ibmpc: spec(CdfEncoding.IBMPC, false), networkGzip: spec(CdfEncoding.NETWORK, true) };
    await Promise.all(
      Object.entries(cases).map(async ([name, s]) => {
        const file = join(dir, `${name}.cdf`);
        await writeFile(file, encodeCdf(s));
        listings[name] = await jcdfList(file);
      }),
    );
  });

  for (const name of ['ibmpc', 'networkGzip']) {
    it(`${name}: every type's values, headers, attributes`, () => {
      const l = listings[name]!;
      expect(l.globals['G']).toEqual(['text', '-3, 4', '2025-09-04T00:00:00.000000000']);
      for (const [v, , , a, b] of ROWS) {
        expect(l.variables[v]?.records, v).toEqual([`${a}, ${b}`, `${b}, ${a}`]);
        expect(l.variables[v]!.attributes).toEqual({ FIELDNAM: v });
        expect(l.variables[v]!.header).toMatch(/ \(z\) 1:\[2\] T\/T$/);
      }
      expect(l.variables['labels']).toEqual({ header: 'UCHAR (z) 2:[2,2] F/TT', attributes: { FILLVAL: ' ' }, records: ['x\0, yz, w\0, v\0'] });
    });
  }
});
