/**
 * CDF v3 reader for single-file, row-major CDFs with zVariables: what the writer writes and what the
 * CDF library writes for the L1C product (including ARM_LITTLE files, which common readers reject).
 * It follows offsets (never assumes the writer's record order), bounds-checks every record, reads VXR
 * trees, VVRs and GZIP CVVRs, and fills records no VVR holds with the pad value. Not supported, with a
 * CdfUnsupportedError: rVariables, column majority, multi-file CDFs, file-level compression, RLE/Huffman.
 */
import { gunzipSync } from 'node:zlib';
import { GZIP_COMPRESSION, MAGIC, NAME_BYTES, RecordType, VDR_COMPRESSED, VDR_PAD_VALUE, VDR_RECORD_VARIANCE } from './records.js';
import {
  CdfFormatError,
  CdfUnsupportedError,
  type CdfEntry,
  type CdfType,
  type CdfValues,
  isLittleEndianEncoding,
  type TypeInfo,
  typeInfo,
} from './types.js';
import { decodeChars, decodeNumeric } from './values.js';

/** An attribute entry as stored: the value plus the AEDR's NumElems and NumStrings fields. */
export type CdfReadEntry = CdfEntry & { readonly numElems: number; readonly numStrings: number };

export interface CdfGlobalAttribute {
  name: string;
  num: number;
  /** gEntries by entry number; a number no entry has is undefined. */
  entries: (CdfReadEntry | undefined)[];
}

export interface CdfVariable {
  name: string;
  num: number;
  type: CdfType;
  /** NumElems: characters per value for CHAR/UCHAR, 1 otherwise. */
  elements: number;
  dims: number[];
  dimVarys: boolean[];
  recVary: boolean;
  /** Last record number, -1 for none. */
  maxRec: number;
  pad: number | bigint | string | undefined;
  /** GZIP level when the values are stored compressed. */
  gzipLevel: number | undefined;
  /** (maxRec + 1) * product(dims) values, row-major. */
  values: CdfValues;
  /** This variable's entries by attribute name, in attribute-number order. */
  attributes: Record<string, CdfReadEntry>;
}

export interface CdfFile {
  /** `version.release.increment` from the CDR, e.g. `3.9.2`. */
  version: string;
  encoding: number;
  leapSecondLastUpdated: number;
  globalAttributes: CdfGlobalAttribute[];
  variables: CdfVariable[];
}

/** Bounds-checked big-endian fields of one record. */
class RecordView {
  private pos: number;
  readonly size: number;
  readonly type: number;

  constructor(
    private readonly buf: Buffer,
    readonly offset: number,
    what: string,
  ) {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + 12 > buf.length) throw new CdfFormatError(`${what} at ${offset}: outside the file`);
    this.size = Number(buf.readBigInt64BE(offset));
    this.type = buf.readInt32BE(offset + 8);
    if (this.size < 12 || offset + this.size > buf.length) throw new CdfFormatError(`${what} at ${offset}: record size ${this.size} runs past the file`);
    this.pos = offset + 12;
  }

  expect(...types: number[]): this {
    if (!types.includes(this.type)) throw new CdfFormatError(`record at ${this.offset}: type ${this.type}, expected ${types.join(' or ')}`);
    return this;
  }
  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.offset + this.size) throw new CdfFormatError(`record at ${this.offset}: field past its end`);
    this.pos += n;
    return at;
  }
  i32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  i64(): number {
    return Number(this.buf.readBigInt64BE(this.need(8)));
  }
  i32s(n: number): number[] {
    return Array.from({ length: n }, () => this.i32());
  }
  i64s(n: number): number[] {
    return Array.from({ length: n }, () => this.i64());
  }
  name(): string {
    const at = this.need(NAME_BYTES);
    const nul = this.buf.indexOf(0, at);
    return this.buf.toString('utf8', at, nul === -1 || nul > at + NAME_BYTES ? at + NAME_BYTES : nul);
  }
  /** The rest of the record (or n bytes of it). */
  bytes(n = this.offset + this.size - this.pos): Buffer {
    return this.buf.subarray(this.need(n), this.pos);
  }
}

function typeOf(code: number, what: string): TypeInfo {
  const info = typeInfo(code);
  if (info === undefined) throw new CdfUnsupportedError(`${what}: data type ${code}`);
  return info;
}

function decodeValues(info: TypeInfo, bytes: Uint8Array, count: number, elements: number, little: boolean): CdfValues {
  return info.array === undefined ? decodeChars(bytes, count, elements) : decodeNumeric(info, bytes, count, little);
}

/** An AEDR's entry number (gEntry number or variable number) and entry. */
function readEntry(v: RecordView, little: boolean, what: string): { num: number; entry: CdfReadEntry } {
  v.i64(); // AEDRnext: records() follows it
  v.i32(); // AttrNum
  const dataType = v.i32();
  const num = v.i32();
  const numElems = v.i32();
  if (numElems < 0 || num < 0) throw new CdfFormatError(`${what}: entry ${num} with ${numElems} elements`);
  const numStrings = v.i32();
  v.i32s(4); // rfuB, rfuC, rfuD, rfuE
  const info = typeOf(dataType, what);
  const raw = v.bytes(numElems * info.size);
  const value = decodeValues(info, raw, info.array === undefined ? 1 : numElems, numElems, little);
  const entry = (info.array === undefined ? { type: dataType, value: (value as string[])[0] ?? '' } : { type: dataType, value }) as CdfEntry;
  return { num, entry: { ...entry, numElems, numStrings } };
}

class Reader {
  private readonly little: boolean;

  constructor(
    private readonly buf: Buffer,
    encoding: number,
  ) {
    const little = isLittleEndianEncoding(encoding);
    if (little === undefined) throw new CdfUnsupportedError(`numeric encoding ${encoding}`);
    this.little = little;
  }

  records(first: number, count: number, what: string, ...types: number[]): RecordView[] {
    const out: RecordView[] = [];
    const seen = new Set<number>();
    let at = first;
    for (let i = 0; i < count; i++) {
      if (at === 0 || seen.has(at)) throw new CdfFormatError(`${what}: list ends or loops after ${i} of ${count} records`);
      seen.add(at);
      const v = new RecordView(this.buf, at, what).expect(...types);
      if (v.size < 20) throw new CdfFormatError(`${what}: record at ${at} too short`);
      out.push(v);
      at = Number(this.buf.readBigInt64BE(at + 12)); // every chained record's first field is its "next"
    }
    return out;
  }

  attributes(adrHead: number, numAttr: number, variables: CdfVariable[]): CdfGlobalAttribute[] {
    const globals: CdfGlobalAttribute[] = [];
    const zEntries: { num: number; name: string; entries: Map<number, CdfReadEntry> }[] = [];
    for (const adr of this.records(adrHead, numAttr, 'ADR list', RecordType.ADR)) {
      adr.i64(); // next
      const agrHead = adr.i64();
      const scope = adr.i32();
      const num = adr.i32();
      const nGr = adr.i32();
      adr.i32s(2); // MAXgrEntry, rfuA
      const azHead = adr.i64();
      const nZ = adr.i32();
      adr.i32s(2); // MAXzEntry, rfuE
      const name = adr.name();
      const what = `attribute ${JSON.stringify(name)}`;
      const global = scope === 1 || scope === 3;
      const gEntries: (CdfReadEntry | undefined)[] = [];
      for (const e of this.records(agrHead, nGr, `${what} gEntries`, RecordType.AgrEDR)) {
        const { num: entryNum, entry } = readEntry(e, this.little, what);
        gEntries[entryNum] = entry;
      }
      const z = new Map<number, CdfReadEntry>();
      for (const e of this.records(azHead, nZ, `${what} zEntries`, RecordType.AzEDR)) {
        const { num: varNum, entry } = readEntry(e, this.little, what);
        z.set(varNum, entry);
      }
      if (global) globals.push({ name, num, entries: gEntries });
      else zEntries.push({ num, name, entries: z });
    }
    zEntries.sort((a, b) => a.num - b.num);
    for (const a of zEntries) {
      for (const [varNum, e] of a.entries) {
        const v = variables.find((x) => x.num === varNum);
        if (v === undefined) throw new CdfFormatError(`attribute ${JSON.stringify(a.name)}: entry for missing variable ${varNum}`);
        v.attributes[a.name] = e;
      }
    }
    return globals.sort((a, b) => a.num - b.num);
  }

  /** Every (first, last, offset) leaf under a VXR list, descending into nested VXRs. */
  private vxrEntries(head: number, what: string, depth = 0): { first: number; last: number; at: number }[] {
    if (depth > 8) throw new CdfFormatError(`${what}: VXR tree deeper than 8`);
    const out: { first: number; last: number; at: number }[] = [];
    for (let at = head, guard = 0; at !== 0; guard++) {
      if (guard > 1_000_000) throw new CdfFormatError(`${what}: VXR list does not end`);
      const vxr = new RecordView(this.buf, at, what).expect(RecordType.VXR);
      const next = vxr.i64();
      const nEntries = vxr.i32();
      const nUsed = vxr.i32();
      if (nEntries < 0 || nUsed < 0 || nUsed > nEntries) throw new CdfFormatError(`${what}: VXR uses ${nUsed} of ${nEntries} entries`);
      const firsts = vxr.i32s(nEntries);
      const lasts = vxr.i32s(nEntries);
      const offsets = vxr.i64s(nEntries);
      for (let i = 0; i < nUsed; i++) {
        const first = firsts[i]!;
        const last = lasts[i]!;
        const child = offsets[i]!;
        if (new RecordView(this.buf, child, what).type === RecordType.VXR) out.push(...this.vxrEntries(child, what, depth + 1));
        else out.push({ first, last, at: child });
      }
      at = next;
    }
    return out;
  }

  variable(vdr: RecordView): CdfVariable {
    vdr.i64(); // next
    const type = vdr.i32();
    const maxRec = vdr.i32();
    const vxrHead = vdr.i64();
    vdr.i64(); // VXRtail
    const flags = vdr.i32();
    const sRecords = vdr.i32();
    vdr.i32s(3); // rfuB, rfuC, rfuF
    const elements = vdr.i32();
    const num = vdr.i32();
    const cprOffset = vdr.i64();
    vdr.i32(); // BlockingFactor
    const name = vdr.name();
    const numDims = vdr.i32();
    const what = `variable ${JSON.stringify(name)}`;
    if (numDims < 0 || numDims > 10) throw new CdfFormatError(`${what}: ${numDims} dimensions`);
    const dims = vdr.i32s(numDims);
    if (!dims.every((d) => d >= 1) || elements < 1 || maxRec < -1) throw new CdfFormatError(`${what}: dimensions [${dims.join(',')}], ${elements} elements, MaxRec ${maxRec}`);
    const dimVarys = vdr.i32s(numDims).map((d) => d !== 0);
    const info = typeOf(type, what);
    if (info.array !== undefined && elements !== 1) throw new CdfFormatError(`${what}: numeric NumElems ${elements}`);
    if (sRecords !== 0) throw new CdfUnsupportedError(`${what}: sparse records`);
    const valueBytes = info.size * (info.array === undefined ? elements : 1);
    const padRaw = (flags & VDR_PAD_VALUE) !== 0 ? vdr.bytes(valueBytes) : undefined;
    const pad = padRaw === undefined ? undefined : decodeValues(info, padRaw, 1, elements, this.little)[0];
    // Non-varying dimensions hold one value along that axis.
    const perRecord = dims.reduce((n, d, i) => n * (dimVarys[i] ? d : 1), 1);
    const recordBytes = perRecord * valueBytes;
    const records = maxRec + 1;
    // Records no VVR holds are pad; a corrupt MaxRec must not ask for more than the file could hold
    // even compressed (gzip's best ratio is about 1032:1).
    if (records * recordBytes > this.buf.length * 1032) throw new CdfFormatError(`${what}: ${records} records cannot come from ${this.buf.length} bytes`);
    const data = Buffer.alloc(records * recordBytes);
    if (padRaw !== undefined) for (let at = 0; at < data.length; at += valueBytes) data.set(padRaw, at);
    let gzipLevel: number | undefined;
    if ((flags & VDR_COMPRESSED) !== 0) {
      const cpr = new RecordView(this.buf, cprOffset, `${what} CPR`).expect(RecordType.CPR);
      const cType = cpr.i32();
      cpr.i32(); // rfuA
      const pCount = cpr.i32();
      if (pCount < 0 || pCount > 16) throw new CdfFormatError(`${what}: CPR with ${pCount} parameters`);
      const params = cpr.i32s(pCount);
      if (cType !== GZIP_COMPRESSION) throw new CdfUnsupportedError(`${what}: compression type ${cType}`);
      gzipLevel = params[0];
    }
    for (const { first, last, at } of records > 0 ? this.vxrEntries(vxrHead, what) : []) {
      const vvr = new RecordView(this.buf, at, what).expect(RecordType.VVR, RecordType.CVVR);
      let stored: Buffer;
      if (vvr.type === RecordType.CVVR) {
        vvr.i32(); // rfuA
        try {
          stored = gunzipSync(vvr.bytes(vvr.i64()), { maxOutputLength: Math.max(1, (last - first + 1) * recordBytes) });
        } catch (err) {
          if (err instanceof CdfFormatError) throw err;
          throw new CdfFormatError(`${what}: bad GZIP data: ${(err as Error).message}`);
        }
      } else {
        stored = vvr.bytes();
      }
      // Records past MaxRec may be pre-allocated room (the CDF library leaves fill there): not data.
      const upTo = Math.min(last, maxRec);
      const n = upTo - first + 1;
      if (first < 0 || n <= 0) continue;
      if (stored.length < n * recordBytes) throw new CdfFormatError(`${what}: records ${first}..${upTo} need ${n * recordBytes} bytes, VVR has ${stored.length}`);
      data.set(stored.subarray(0, n * recordBytes), first * recordBytes);
    }
    return {
      name,
      num,
      type: type as CdfType,
      elements,
      dims,
      dimVarys,
      recVary: (flags & VDR_RECORD_VARIANCE) !== 0,
      maxRec,
      pad,
      gzipLevel,
      values: decodeValues(info, data, records * perRecord, elements, this.little),
      attributes: {},
    };
  }
}

/** Parses a whole CDF file held in memory. */
export function readCdf(bytes: Uint8Array): CdfFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 + 12 || buf.readUInt32BE(0) !== MAGIC.readUInt32BE(0)) throw new CdfFormatError('not a CDF v3 file (magic)');
  if (buf.readUInt32BE(4) !== MAGIC.readUInt32BE(4)) throw new CdfUnsupportedError('file-level compression');
  const cdr = new RecordView(buf, 8, 'CDR').expect(RecordType.CDR);
  const gdrOffset = cdr.i64();
  const [version, release, encoding, flags, , , increment] = cdr.i32s(7) as [number, number, number, number, number, number, number];
  if ((flags & 1) === 0) throw new CdfUnsupportedError('column-major variables');
  if ((flags & 2) === 0) throw new CdfUnsupportedError('multi-file CDF');
  const reader = new Reader(buf, encoding);
  const gdr = new RecordView(buf, gdrOffset, 'GDR').expect(RecordType.GDR);
  gdr.i64(); // rVDRhead
  const zVdrHead = gdr.i64();
  const adrHead = gdr.i64();
  gdr.i64(); // eof
  const [nrVars, numAttr, , , nzVars] = gdr.i32s(5) as [number, number, number, number, number];
  gdr.i64(); // UIRhead
  gdr.i32(); // rfuC
  const leapSecondLastUpdated = gdr.i32();
  if (nrVars !== 0) throw new CdfUnsupportedError(`${nrVars} rVariables`);
  const variables = reader.records(zVdrHead, nzVars, 'zVDR list', RecordType.zVDR).map((vdr) => reader.variable(vdr));
  variables.sort((a, b) => a.num - b.num);
  const globalAttributes = reader.attributes(adrHead, numAttr, variables);
  return { version: `${version}.${release}.${increment}`, encoding, leapSecondLastUpdated, globalAttributes, variables };
}
