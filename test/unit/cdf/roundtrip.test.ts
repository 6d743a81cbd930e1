import { readFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CdfEncoding,
  CdfFormatError,
  CdfSpecError,
  CdfType,
  CdfUnsupportedError,
  encodeCdf,
  entry,
  readCdf,
  writeCdf,
  type CdfSpec,
  type CdfVariableSpec,
} from '../../../src/cdf/index.js';
import { tempDir } from '../../helpers/cli.js';
import { runs } from '../../helpers/runs.js';

const GOLDEN = new URL('../../fixtures/reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf', import.meta.url);

const bytes = (spec: CdfSpec): Buffer => Buffer.concat(encodeCdf(spec));
const roundTrip = (spec: CdfSpec) => readCdf(bytes(spec));

/** One record-varying variable of every type the writer supports, 2 records of [2, 3]. */
function everyType(): CdfVariableSpec[] {
  const n = 12;
  const ramp = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return [
    { name: 'int1', type: CdfType.INT1, values: Int8Array.from(ramp((i) => i - 6)) },
    { name: 'int2', type: CdfType.INT2, values: Int16Array.from(ramp((i) => -30000 + i)) },
    { name: 'int4', type: CdfType.INT4, values: Int32Array.from(ramp((i) => 2147483647 - i)) },
    { name: 'int8', type: CdfType.INT8, values: BigInt64Array.from(ramp((i) => i), (i) => -(2n ** 62n) + BigInt(i)) },
    { name: 'uint1', type: CdfType.UINT1, values: Uint8Array.from(ramp((i) => 250 + (i % 5))) },
    { name: 'uint2', type: CdfType.UINT2, values: Uint16Array.from(ramp((i) => 65535 - i)) },
    { name: 'uint4', type: CdfType.UINT4, values: Uint32Array.from(ramp((i) => 4294967295 - i)) },
    { name: 'real4', type: CdfType.REAL4, values: Float32Array.from(ramp((i) => i / 3)) },
    { name: 'real8', type: CdfType.REAL8, values: Float64Array.from(ramp((i) => Math.PI * i)) },
    { name: 'epoch', type: CdfType.EPOCH, values: Float64Array.from(ramp((i) => 63_000_000_000_000 + i)) },
    { name: 'tt2000', type: CdfType.TIME_TT2000, values: BigInt64Array.from(ramp((i) => i), (i) => 810216069184000000n + BigInt(i) * 5_000_000_000n) },
    { name: 'byte', type: CdfType.BYTE, values: Int8Array.from(ramp((i) => -i)) },
    { name: 'float', type: CdfType.FLOAT, values: Float32Array.from(ramp((i) => -i / 7)) },
    { name: 'double', type: CdfType.DOUBLE, values: Float64Array.from(ramp((i) => (i % 2 ? -1e31 : 1 / (i + 1)))) },
    { name: 'char', type: CdfType.CHAR, values: Array.from({ length: n }, (_, i) => `${'x'.repeat(i % 4)}${i}`) },
    { name: 'uchar', type: CdfType.UCHAR, values: Array.from({ length: n }, (_, i) => `é${i}`) },
  ].map((v) => ({ ...v, dims: [2, 3], recVary: true }) as CdfVariableSpec);
}

describe('writer -> reader round trip', () => {
  for (const encoding of [CdfEncoding.IBMPC, CdfEncoding.NETWORK]) {
    it(`every type, dims [2,3], 2 records, encoding ${encoding}`, () => {
      const variables = everyType();
      const file = roundTrip({ encoding, globalAttributes: [], variables });
      expect(file.encoding).toBe(encoding);
      expect(file.version).toBe('3.9.0');
      expect(file.leapSecondLastUpdated).toBe(20170101);
      expect(file.variables.map((v) => v.name)).toEqual(variables.map((v) => v.name));
      file.variables.forEach((v, i) => {
        const spec = variables[i]!;
        expect(v.type).toBe(spec.type);
        expect(v.dims).toEqual([2, 3]);
        expect(v.dimVarys).toEqual([true, true]);
        expect(v.recVary).toBe(true);
        expect(v.maxRec).toBe(1);
        expect(v.gzipLevel).toBeUndefined();
        expect(v.values, v.name).toEqual(spec.values);
      });
      expect(file.variables.find((v) => v.name === 'char')!.elements).toBe(5); // 'xxx11'
      expect(file.variables.find((v) => v.name === 'uchar')!.elements).toBe(4); // 'é11' in UTF-8
    });
  }

  it('the two encodings differ only in byte order of values and the CDR encoding field', () => {
    const spec = (encoding: typeof CdfEncoding.IBMPC | typeof CdfEncoding.NETWORK): CdfSpec => ({
      encoding,
      globalAttributes: [],
      variables: [{ name: 'x', type: CdfType.DOUBLE, recVary: true, values: Float64Array.of(1.5) }],
    });
    const le = bytes(spec(CdfEncoding.IBMPC));
    const be = bytes(spec(CdfEncoding.NETWORK));
    expect(le.length).toBe(be.length);
    expect(le.readInt32BE(36)).toBe(6);
    expect(be.readInt32BE(36)).toBe(1);
    expect(le.subarray(le.length - 8).readDoubleLE(0)).toBe(1.5);
    expect(be.subarray(be.length - 8).readDoubleBE(0)).toBe(1.5);
  });

  it('non-varying variables, a scalar record-varying one, a variable with no records, pad values', () => {
    const file = roundTrip({
      globalAttributes: [],
      variables: [
        { name: 'labels', type: CdfType.CHAR, dims: [3], recVary: false, values: ['a', 'bb', ''] },
        { name: 'ids', type: CdfType.INT4, dims: [3], recVary: false, values: Int32Array.of(1, 2, 3), pad: -5 },
        { name: 't', type: CdfType.TIME_TT2000, recVary: true, values: BigInt64Array.of(1n, 2n, 3n) },
        { name: 'none', type: CdfType.DOUBLE, dims: [4], recVary: true, values: new Float64Array(0) },
      ],
    });
    const [labels, ids, t, none] = file.variables;
    expect(labels).toMatchObject({ recVary: false, maxRec: 0, elements: 2, values: ['a', 'bb', ''], pad: ' ' });
    expect(ids).toMatchObject({ recVary: false, maxRec: 0, pad: -5 });
    expect(Array.from(ids!.values as Int32Array)).toEqual([1, 2, 3]);
    expect(t).toMatchObject({ dims: [], recVary: true, maxRec: 2, pad: -9223372036854775807n });
    expect(none).toMatchObject({ maxRec: -1, pad: -1e30 });
    expect(none!.values).toHaveLength(0);
  });

  it('GZIP-compressed variables: CPR + CVVR, smaller, same values, in both encodings', () => {
    const values = Float64Array.from({ length: 4000 }, (_, i) => (i % 10 === 0 ? -1e31 : Math.floor(i / 50)));
    for (const encoding of [CdfEncoding.IBMPC, CdfEncoding.NETWORK]) {
      const plain = bytes({ encoding, globalAttributes: [], variables: [{ name: 'v', type: CdfType.DOUBLE, dims: [4], recVary: true, values }] });
      const packed = bytes({ encoding, globalAttributes: [], variables: [{ name: 'v', type: CdfType.DOUBLE, dims: [4], recVary: true, values, gzipLevel: 6 }] });
      expect(packed.length).toBeLessThan(plain.length / 4);
      const v = readCdf(packed).variables[0]!;
      expect(v.gzipLevel).toBe(6);
      expect(v.maxRec).toBe(999);
      expect(v.values).toEqual(values);
    }
  });

  it('global attributes with several typed entries, variable attributes numbered by first appearance, NumStrings', () => {
    const file = roundTrip({
      globalAttributes: [
        { name: 'TITLE', entries: [entry.char('hello'), entry.double(1.5, -2), entry.int4(7), entry.tt2000(-9223372036854775808n)] },
        { name: 'EMPTY', entries: [entry.char('')] },
      ],
      variables: [
        { name: 'a', type: CdfType.DOUBLE, recVary: true, values: Float64Array.of(1), attributes: { CATDESC: entry.char('A'), FILLVAL: entry.double(-1e31) } },
        { name: 'b', type: CdfType.DOUBLE, recVary: true, values: Float64Array.of(2), attributes: { UNITS: entry.char('km'), CATDESC: entry.char('B') } },
      ],
    });
    expect(file.globalAttributes.map((g) => [g.name, g.num])).toEqual([
      ['TITLE', 0],
      ['EMPTY', 1],
    ]);
    const [title, empty] = file.globalAttributes;
    expect(title!.entries).toEqual([
      { type: CdfType.CHAR, value: 'hello', numElems: 5, numStrings: 0 },
      { type: CdfType.DOUBLE, value: Float64Array.of(1.5, -2), numElems: 2, numStrings: 0 },
      { type: CdfType.INT4, value: Int32Array.of(7), numElems: 1, numStrings: 0 },
      { type: CdfType.TIME_TT2000, value: BigInt64Array.of(-9223372036854775808n), numElems: 1, numStrings: 0 },
    ]);
    expect(empty!.entries).toEqual([{ type: CdfType.CHAR, value: '', numElems: 1, numStrings: 0 }]);
    const [a, b] = file.variables;
    // Attribute numbers: CATDESC 2, FILLVAL 3, UNITS 4, so b lists CATDESC before UNITS.
    expect(Object.keys(b!.attributes)).toEqual(['CATDESC', 'UNITS']);
    expect(a!.attributes).toEqual({
      CATDESC: { type: CdfType.CHAR, value: 'A', numElems: 1, numStrings: 1 },
      FILLVAL: { type: CdfType.DOUBLE, value: Float64Array.of(-1e31), numElems: 1, numStrings: 0 },
    });
  });

  it('writeCdf writes the same bytes to a file handle and returns the size', async () => {
    const spec: CdfSpec = { globalAttributes: [], variables: [{ name: 'v', type: CdfType.INT4, dims: [2], recVary: true, values: Int32Array.of(1, 2, 3, 4), gzipLevel: 3 }] };
    const file = join(await tempDir('cdf-write-'), 'v.cdf');
    const handle = await open(file, 'w');
    const size = await writeCdf(handle, spec);
    await handle.close();
    const written = await readFile(file);
    expect(size).toBe(written.length);
    expect(written.equals(bytes(spec))).toBe(true);
  });

  it('data chunks are views of the typed arrays on a little-endian host (no copy of a large variable)', () => {
    const values = new Float64Array(1000);
    const chunks = encodeCdf({ globalAttributes: [], variables: [{ name: 'v', type: CdfType.DOUBLE, recVary: true, values }] });
    expect(chunks.at(-1)!.buffer).toBe(values.buffer);
  });

  it('refuses inconsistent specs with CdfSpecError', () => {
    const bad: [string, CdfSpec][] = [
      ['values class', { globalAttributes: [], variables: [{ name: 'x', type: CdfType.DOUBLE, recVary: true, values: Int32Array.of(1) }] }],
      ['record size', { globalAttributes: [], variables: [{ name: 'x', type: CdfType.DOUBLE, dims: [2], recVary: true, values: Float64Array.of(1, 2, 3) }] }],
      ['non-varying 2 records', { globalAttributes: [], variables: [{ name: 'x', type: CdfType.INT4, recVary: false, values: Int32Array.of(1, 2) }] }],
      ['string too long', { globalAttributes: [], variables: [{ name: 'x', type: CdfType.CHAR, recVary: true, elements: 2, values: ['abc'] }] }],
      ['duplicate variable', { globalAttributes: [], variables: [{ name: 'x', type: CdfType.INT4, recVary: true, values: Int32Array.of(1) }, { name: 'x', type: CdfType.INT4, recVary: true, values: Int32Array.of(1) }] }],
      ['gzip level', { globalAttributes: [], variables: [{ name: 'x', type: CdfType.INT4, recVary: true, values: Int32Array.of(1), gzipLevel: 10 }] }],
      ['name length', { globalAttributes: [{ name: 'n'.repeat(257), entries: [] }], variables: [] }],
      ['global and variable', { globalAttributes: [{ name: 'A', entries: [] }], variables: [{ name: 'x', type: CdfType.INT4, recVary: true, values: Int32Array.of(1), attributes: { A: entry.char('a') } }] }],
      ['empty numeric entry', { globalAttributes: [{ name: 'A', entries: [entry.double()] }], variables: [] }],
      ['encoding', { encoding: 17 as typeof CdfEncoding.IBMPC, globalAttributes: [], variables: [] }],
    ];
    for (const [what, spec] of bad) expect(() => encodeCdf(spec), what).toThrow(CdfSpecError);
  });
});

describe('reader', () => {
  it('reads the golden file (ARM_LITTLE): 14 variables, 55 attributes, values of PROCESSING.md 4.5', () => {
    const file = readCdf(readFileSync(GOLDEN));
    expect(file.encoding).toBe(17);
    expect(file.version).toBe('3.9.2');
    expect(file.globalAttributes).toHaveLength(35);
    expect(file.variables.map((v) => v.name)).toEqual([
      'Epoch', 'sensor_labels', 'sensor_ids', 'dosimeter_flavor_labels', 'dosimeter_flavor_ids', 'dosimeter_flavors',
      'dose_rate', 'lat', 'lon', 'alt', 'obQuality', 'sensor_position_x', 'sensor_position_y', 'sensor_position_z',
    ]);
    const v = Object.fromEntries(file.variables.map((x) => [x.name, x]));
    // The golden's VVRs hold pre-allocated records past MaxRec: only MaxRec + 1 are data.
    expect(v['Epoch']!.values).toHaveLength(13);
    expect(v['Epoch']!.values[0]).toBe(810216069184000000n);
    expect(v['Epoch']!.values[12]).toBe(810216129184000000n);
    const dose = v['dose_rate']!.values as Float64Array;
    expect(dose).toHaveLength(13 * 64);
    expect([dose[0], dose[1], dose[4], dose[5], dose[10], dose[11], dose[26], dose[27]]).toEqual([3.333333333333335e-7, 0, 6.0000000000000035e-6, 0, -1e31, -1e31, -1e31, -1e31]);
    expect(dose.filter((x) => x === -1e31)).toHaveLength(118);
    expect((v['lat']!.values as Float64Array)[0]).toBe(-33.49605724403091);
    expect((v['obQuality']!.values as Float64Array)[19]).toBe(16);
    expect((v['sensor_position_x']!.values as Float64Array)[0]).toBe(-5403.36138121124);
    expect((v['dosimeter_flavors']!.values as string[]).slice(0, 2)).toEqual(['DOSE1 (Flavor X) in rad/second', 'DOSE2 (Flavor W) in rad/second']);
    expect(v['Epoch']!.attributes['RESOLUTION']!.value).toBe('4.999999999994387s');
  });

  it('refuses what is not a CDF, or a truncated one, with CdfFormatError', () => {
    const good = bytes({ globalAttributes: [{ name: 'A', entries: [entry.char('a')] }], variables: [{ name: 'x', type: CdfType.DOUBLE, recVary: true, values: Float64Array.of(1, 2) }] });
    expect(() => readCdf(Buffer.from('not a cdf at all, not at all'))).toThrow(CdfFormatError);
    expect(() => readCdf(good.subarray(0, good.length - 4))).toThrow(CdfFormatError);
    const looped = Buffer.from(good);
    looped.writeBigInt64BE(BigInt(8 + 312 + 84), 8 + 312 + 84 + 12); // the ADR's next points at itself
    looped.writeInt32BE(2, 8 + 312 + 48); // ... and the GDR claims 2 attributes
    expect(() => readCdf(looped)).toThrow(/loops/);
  });

  it('never fails on corrupt bytes with anything but its own errors (no RangeError, no hang)', () => {
    const good = bytes({
      globalAttributes: [{ name: 'A', entries: [entry.char('abc'), entry.double(1, 2)] }],
      variables: [
        { name: 'x', type: CdfType.DOUBLE, dims: [3], recVary: true, values: Float64Array.from({ length: 30 }, (_, i) => i), attributes: { U: entry.char('u') } },
        { name: 'z', type: CdfType.INT4, dims: [2], recVary: true, values: Int32Array.from({ length: 40 }, (_, i) => i), gzipLevel: 1 },
        { name: 'c', type: CdfType.CHAR, dims: [2], recVary: false, values: ['ab', 'c'] },
      ],
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const bad = Buffer.from(good);
        for (const [at, byte] of flips) bad[at] = byte;
        try {
          readCdf(bad);
        } catch (err) {
          expect([CdfFormatError, CdfUnsupportedError].some((E) => err instanceof E), String(err)).toBe(true);
        }
      }),
      { numRuns: runs(300) },
    );
  });

  it('refuses column-major and file-compressed CDFs with CdfUnsupportedError', () => {
    const good = bytes({ globalAttributes: [], variables: [] });
    const columnMajor = Buffer.from(good);
    columnMajor.writeInt32BE(2, 40);
    expect(() => readCdf(columnMajor)).toThrow(CdfUnsupportedError);
    const compressed = Buffer.from(good);
    compressed.writeUInt32BE(0xcccc0001, 4);
    expect(() => readCdf(compressed)).toThrow(CdfUnsupportedError);
  });
});
