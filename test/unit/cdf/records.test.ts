import { describe, expect, it } from 'vitest';
import {
  ADR_SIZE,
  aedrSize,
  CDR_SIZE,
  CPR_SIZE,
  cvvrHeader,
  GDR_SIZE,
  RecordType,
  vvrHeader,
  vxrSize,
  writeAdr,
  writeAedr,
  writeCdr,
  writeCpr,
  writeGdr,
  writeVxr,
  writeZvdr,
  zvdrSize,
} from '../../../src/cdf/records.js';

/** RecordSize (8, big-endian) and RecordType (4) of the record at `at`. */
function header(buf: Buffer, at = 0): [number, number] {
  return [Number(buf.readBigInt64BE(at)), buf.readInt32BE(at + 8)];
}

describe('record encoders', () => {
  it('have the sizes the golden file shows (PROCESSING.md 6)', () => {
    expect([CDR_SIZE, GDR_SIZE, ADR_SIZE, vxrSize(7)]).toEqual([312, 84, 324, 140]);
    expect(aedrSize(13)).toBe(69); // Data_level's AgrEDR
    expect(zvdrSize(0, 8)).toBe(352); // Epoch
    expect(zvdrSize(2, 8)).toBe(368); // dose_rate
    expect(zvdrSize(1, 9)).toBe(361); // sensor_labels
  });

  it('CDR: size, type, GDR offset, version 3.9, encoding, row-major single-file flags, NUL-padded copyright', () => {
    const buf = Buffer.alloc(CDR_SIZE);
    writeCdr(buf, 0, { gdrOffset: 320, encoding: 6 });
    expect(header(buf)).toEqual([312, RecordType.CDR]);
    expect(Number(buf.readBigInt64BE(12))).toBe(320);
    expect([buf.readInt32BE(20), buf.readInt32BE(24), buf.readInt32BE(28), buf.readInt32BE(32)]).toEqual([3, 9, 6, 3]);
    expect(buf.toString('latin1', 56, 81)).toBe('\nCommon Data Format (CDF)');
    expect(buf[311]).toBe(0);
  });

  it('GDR: heads, eof, counts, no rVariables, LeapSecondLastUpdated', () => {
    const buf = Buffer.alloc(GDR_SIZE);
    writeGdr(buf, 0, { zVdrHead: 1000, adrHead: 404, eof: 5000, numAttr: 55, nzVars: 14, leapSecondLastUpdated: 20170101 });
    expect(header(buf)).toEqual([84, RecordType.GDR]);
    expect([12, 20, 28, 36].map((o) => Number(buf.readBigInt64BE(o)))).toEqual([0, 1000, 404, 5000]);
    expect([44, 48, 52, 56, 60].map((o) => buf.readInt32BE(o))).toEqual([0, 55, -1, 0, 14]);
    expect(buf.readInt32BE(76)).toBe(20170101);
  });

  it('ADR: scope, number, entry counts and heads, NUL-padded name', () => {
    const buf = Buffer.alloc(ADR_SIZE);
    writeAdr(buf, 0, { next: 9, global: false, num: 35, agrEdrHead: 0, nGrEntries: 0, maxGrEntry: -1, azEdrHead: 77, nzEntries: 14, maxZEntry: 13, name: 'CATDESC' });
    expect(header(buf)).toEqual([324, RecordType.ADR]);
    expect(Number(buf.readBigInt64BE(12))).toBe(9);
    expect([28, 32, 36, 40].map((o) => buf.readInt32BE(o))).toEqual([2, 35, 0, -1]);
    expect(Number(buf.readBigInt64BE(48))).toBe(77);
    expect([56, 60].map((o) => buf.readInt32BE(o))).toEqual([14, 13]);
    expect(buf.toString('latin1', 68, 76)).toBe('CATDESC\0');
  });

  it('AEDR: AgrEDR / AzEDR type, entry fields, NumStrings, value bytes after the 56-byte header', () => {
    const buf = Buffer.alloc(aedrSize(3));
    writeAedr(buf, 0, { z: true, next: 0, attrNum: 40, dataType: 51, num: 6, numElems: 3, numStrings: 1, value: Buffer.from(' > ') });
    expect(header(buf)).toEqual([59, RecordType.AzEDR]);
    expect([20, 24, 28, 32, 36].map((o) => buf.readInt32BE(o))).toEqual([40, 51, 6, 3, 1]);
    expect(buf.toString('latin1', 56)).toBe(' > ');
    writeAedr(buf, 0, { z: false, next: 0, attrNum: 0, dataType: 51, num: 0, numElems: 3, numStrings: 0, value: Buffer.from('abc') });
    expect(header(buf)[1]).toBe(RecordType.AgrEDR);
  });

  it('zVDR: type, MaxRec, flags, NumElems, CPR offset, dims, dimension variances (-1 = VARY), pad value', () => {
    const pad = Buffer.alloc(8);
    pad.writeDoubleLE(-1e30);
    const buf = Buffer.alloc(zvdrSize(2, 8));
    writeZvdr(buf, 0, { next: 0, dataType: 45, maxRec: 12, vxrHead: 500, vxrTail: 500, flags: 3, numElems: 1, num: 6, cprOffset: -1, name: 'dose_rate', dims: [32, 2], pad });
    expect(header(buf)).toEqual([368, RecordType.zVDR]);
    expect([20, 24].map((o) => buf.readInt32BE(o))).toEqual([45, 12]);
    expect(buf.readInt32BE(44)).toBe(3);
    expect(Number(buf.readBigInt64BE(72))).toBe(-1);
    expect(buf.toString('latin1', 84, 94)).toBe('dose_rate\0');
    expect([340, 344, 348, 352, 356].map((o) => buf.readInt32BE(o))).toEqual([2, 32, 2, -1, -1]);
    expect(buf.readDoubleLE(360)).toBe(-1e30);
  });

  it('VXR: exactly the entries given, firsts, lasts, then 8-byte offsets', () => {
    const buf = Buffer.alloc(vxrSize(2));
    writeVxr(buf, 0, [
      { first: 0, last: 9, offset: 1000 },
      { first: 10, last: 12, offset: 2000 },
    ]);
    expect(header(buf)).toEqual([60, RecordType.VXR]);
    expect([20, 24, 28, 32, 36, 40].map((o) => buf.readInt32BE(o))).toEqual([2, 2, 0, 10, 9, 12]);
    expect([44, 52].map((o) => Number(buf.readBigInt64BE(o)))).toEqual([1000, 2000]);
  });

  it('VVR, CPR and CVVR headers', () => {
    expect(header(vvrHeader(100))).toEqual([112, RecordType.VVR]);
    const cpr = Buffer.alloc(CPR_SIZE);
    writeCpr(cpr, 0, 6);
    expect(header(cpr)).toEqual([28, RecordType.CPR]);
    expect([12, 16, 20, 24].map((o) => cpr.readInt32BE(o))).toEqual([5, 0, 1, 6]); // GZIP, rfuA, 1 parameter: level
    const cvvr = cvvrHeader(77);
    expect(header(cvvr)).toEqual([101, RecordType.CVVR]);
    expect(Number(cvvr.readBigInt64BE(16))).toBe(77);
  });
});
