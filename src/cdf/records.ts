/**
 * Encoders for the CDF v3 internal records this module writes (CDF Internal Format Description, v3).
 * Every record starts with RecordSize (8 bytes) and RecordType (4 bytes); all record fields are
 * big-endian whatever the file's encoding. Only attribute values, pad values and variable data use the
 * encoding, and they arrive here already as bytes. Each encoder writes into a caller's buffer at an
 * offset the caller computed from the size functions, so the whole file is laid out before a byte is written.
 */

export const RecordType = {
  CDR: 1,
  GDR: 2,
  ADR: 4,
  AgrEDR: 5,
  VXR: 6,
  VVR: 7,
  zVDR: 8,
  AzEDR: 9,
  CPR: 11,
  CVVR: 13,
} as const;

/** Names (attributes, variables) occupy a fixed 256-byte field, NUL-padded. */
export const NAME_BYTES = 256;
/** Magic: CDF v3 (0xCDF30001), then 0x0000FFFF = not file-compressed. */
export const MAGIC = Buffer.from([0xcd, 0xf3, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff]);
export const CDR_OFFSET = 8;
export const CDR_SIZE = 312;
export const GDR_SIZE = 84;
export const ADR_SIZE = 324;
export const VVR_HEADER_SIZE = 12;
export const CVVR_HEADER_SIZE = 24;
/** A CPR with one parameter (the GZIP level). */
export const CPR_SIZE = 28;
export const GZIP_COMPRESSION = 5;
/** VDR Flags bits. */
export const VDR_RECORD_VARIANCE = 1;
export const VDR_PAD_VALUE = 2;
export const VDR_COMPRESSED = 4;
/** CDR Flags: row majority (bit 0) + single file (bit 1); no checksum. */
export const CDR_FLAGS_ROW_MAJOR_SINGLE_FILE = 3;

export const aedrSize = (valueBytes: number): number => 56 + valueBytes;
export const zvdrSize = (numDims: number, padBytes: number): number => 344 + 8 * numDims + padBytes;
export const vxrSize = (entries: number): number => 28 + 16 * entries;

/** The text the CDF library puts in the CDR's copyright field; identifies the format to anyone with a hex dump. */
const COPYRIGHT =
  '\nCommon Data Format (CDF)\nhttps://cdf.gsfc.nasa.gov\nSpace Physics Data Facility\nNASA/Goddard Space Flight Center\nGreenbelt, Maryland 20771 USA\n';

/** Sequential big-endian field writer over one record. */
class Fields {
  constructor(
    private readonly buf: Buffer,
    private pos: number,
  ) {}

  header(size: number, type: number): this {
    return this.i64(size).i32(type);
  }
  i32(v: number): this {
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }
  i64(v: number): this {
    this.pos = this.buf.writeBigInt64BE(BigInt(v), this.pos);
    return this;
  }
  text(s: string, width: number): this {
    this.buf.fill(0, this.pos, this.pos + width);
    this.buf.write(s, this.pos, width, 'utf8');
    this.pos += width;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
    return this;
  }
}

export interface CdrFields {
  gdrOffset: number;
  encoding: number;
}

/** CDR, format version 3.9.0 (the release that defines the GDR's LeapSecondLastUpdated and AEDR NumStrings). */
export function writeCdr(buf: Buffer, at: number, f: CdrFields): void {
  new Fields(buf, at)
    .header(CDR_SIZE, RecordType.CDR)
    .i64(f.gdrOffset)
    .i32(3) // Version
    .i32(9) // Release
    .i32(f.encoding)
    .i32(CDR_FLAGS_ROW_MAJOR_SINGLE_FILE)
    .i32(0) // rfuA
    .i32(0) // rfuB
    .i32(0) // Increment
    .i32(-1) // Identifier
    .i32(-1) // rfuE
    .text(COPYRIGHT, 256);
}

export interface GdrFields {
  zVdrHead: number;
  adrHead: number;
  eof: number;
  numAttr: number;
  nzVars: number;
  leapSecondLastUpdated: number;
}

export function writeGdr(buf: Buffer, at: number, f: GdrFields): void {
  new Fields(buf, at)
    .header(GDR_SIZE, RecordType.GDR)
    .i64(0) // rVDRhead: no rVariables
    .i64(f.zVdrHead)
    .i64(f.adrHead)
    .i64(f.eof)
    .i32(0) // NrVars
    .i32(f.numAttr)
    .i32(-1) // rMaxRec
    .i32(0) // rNumDims
    .i32(f.nzVars)
    .i64(0) // UIRhead: no unused records
    .i32(0) // rfuC
    .i32(f.leapSecondLastUpdated)
    .i32(-1); // rfuE
}

export interface AdrFields {
  next: number;
  global: boolean;
  num: number;
  agrEdrHead: number;
  nGrEntries: number;
  maxGrEntry: number;
  azEdrHead: number;
  nzEntries: number;
  maxZEntry: number;
  name: string;
}

export function writeAdr(buf: Buffer, at: number, f: AdrFields): void {
  new Fields(buf, at)
    .header(ADR_SIZE, RecordType.ADR)
    .i64(f.next)
    .i64(f.agrEdrHead)
    .i32(f.global ? 1 : 2) // Scope: GLOBAL_SCOPE / VARIABLE_SCOPE
    .i32(f.num)
    .i32(f.nGrEntries)
    .i32(f.maxGrEntry)
    .i32(0) // rfuA
    .i64(f.azEdrHead)
    .i32(f.nzEntries)
    .i32(f.maxZEntry)
    .i32(-1) // rfuE
    .text(f.name, NAME_BYTES);
}

export interface AedrFields {
  /** true: AzEDR (an entry of a zVariable), false: AgrEDR (a global entry). */
  z: boolean;
  next: number;
  attrNum: number;
  dataType: number;
  /** Entry number: the gEntry number, or the variable number for a zEntry. */
  num: number;
  numElems: number;
  numStrings: number;
  value: Uint8Array;
}

export function writeAedr(buf: Buffer, at: number, f: AedrFields): void {
  new Fields(buf, at)
    .header(aedrSize(f.value.byteLength), f.z ? RecordType.AzEDR : RecordType.AgrEDR)
    .i64(f.next)
    .i32(f.attrNum)
    .i32(f.dataType)
    .i32(f.num)
    .i32(f.numElems)
    .i32(f.numStrings)
    .i32(0) // rfuB
    .i32(0) // rfuC
    .i32(-1) // rfuD
    .i32(-1) // rfuE
    .bytes(f.value);
}

export interface ZvdrFields {
  next: number;
  dataType: number;
  maxRec: number;
  vxrHead: number;
  vxrTail: number;
  flags: number;
  numElems: number;
  num: number;
  /** CPR offset, or -1 when not compressed. */
  cprOffset: number;
  name: string;
  dims: readonly number[];
  pad: Uint8Array;
}

export function writeZvdr(buf: Buffer, at: number, f: ZvdrFields): void {
  const w = new Fields(buf, at)
    .header(zvdrSize(f.dims.length, f.pad.byteLength), RecordType.zVDR)
    .i64(f.next)
    .i32(f.dataType)
    .i32(f.maxRec)
    .i64(f.vxrHead)
    .i64(f.vxrTail)
    .i32(f.flags)
    .i32(0) // SRecords: no sparse records
    .i32(0) // rfuB
    .i32(-1) // rfuC
    .i32(-1) // rfuF
    .i32(f.numElems)
    .i32(f.num)
    .i64(f.cprOffset)
    .i32(0) // BlockingFactor
    .text(f.name, NAME_BYTES)
    .i32(f.dims.length);
  for (const d of f.dims) w.i32(d);
  for (let i = 0; i < f.dims.length; i++) w.i32(-1); // DimVarys: every dimension varies
  w.bytes(f.pad);
}

export interface VxrEntry {
  first: number;
  last: number;
  offset: number;
}

/** A VXR holding exactly its entries (the CDF library pre-allocates 7; readers go by NusedEntries). */
export function writeVxr(buf: Buffer, at: number, entries: readonly VxrEntry[]): void {
  const w = new Fields(buf, at).header(vxrSize(entries.length), RecordType.VXR).i64(0).i32(entries.length).i32(entries.length);
  for (const e of entries) w.i32(e.first);
  for (const e of entries) w.i32(e.last);
  for (const e of entries) w.i64(e.offset);
}

export function vvrHeader(dataBytes: number): Buffer {
  const buf = Buffer.alloc(VVR_HEADER_SIZE);
  new Fields(buf, 0).header(VVR_HEADER_SIZE + dataBytes, RecordType.VVR);
  return buf;
}

export function writeCpr(buf: Buffer, at: number, gzipLevel: number): void {
  new Fields(buf, at).header(CPR_SIZE, RecordType.CPR).i32(GZIP_COMPRESSION).i32(0).i32(1).i32(gzipLevel);
}

export function cvvrHeader(compressedBytes: number): Buffer {
  const buf = Buffer.alloc(CVVR_HEADER_SIZE);
  new Fields(buf, 0).header(CVVR_HEADER_SIZE + compressedBytes, RecordType.CVVR).i32(0).i64(compressedBytes);
  return buf;
}
