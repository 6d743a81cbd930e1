/**
 * CDF v3 writer: zVariables, global and variable attributes, optional per-variable GZIP.
 *
 * One pass: every record's size is computed first, so every offset is known before a byte is written.
 * File order: magic, CDR, GDR, each attribute's ADR followed by its entries (in attribute-number order),
 * each variable's zVDR (+ CPR) + VXR, then each variable's VVR (or CVVR) with its data. One VVR per
 * variable holding exactly its records (no pre-allocated room, no sparse records). Metadata goes into one
 * buffer; each variable's data is its own chunk, a view of the caller's typed array when the byte order
 * allows, so a large variable is never copied.
 */
import type { FileHandle } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { LEAP_SECONDS_LAST_UPDATED } from './leap-seconds.js';
import {
  ADR_SIZE,
  aedrSize,
  CDR_OFFSET,
  CDR_SIZE,
  CPR_SIZE,
  cvvrHeader,
  CVVR_HEADER_SIZE,
  GDR_SIZE,
  MAGIC,
  NAME_BYTES,
  VDR_COMPRESSED,
  VDR_PAD_VALUE,
  VDR_RECORD_VARIANCE,
  vvrHeader,
  VVR_HEADER_SIZE,
  vxrSize,
  writeAdr,
  writeAedr,
  writeCdr,
  writeCpr,
  writeGdr,
  writeVxr,
  writeZvdr,
  zvdrSize,
} from './records.js';
import { CdfEncoding, CdfSpecError, CdfWriteError, type CdfEntry, type CdfSpec, type CdfVariableSpec, isLittleEndianEncoding, typeInfo } from './types.js';
import { charBytes, entryBytes, numericBytes, padBytes, valuesMatchType } from './values.js';

/** A variable checked and turned into bytes, with its place in the file. */
interface PlannedVariable {
  spec: CdfVariableSpec;
  num: number;
  dims: readonly number[];
  numElems: number;
  records: number;
  pad: Buffer;
  /** What the VVR (or, compressed, the CVVR) holds. */
  payload: Buffer;
  gzipLevel: number | undefined;
  vdrAt: number;
  cprAt: number;
  vxrAt: number;
  dataAt: number;
}

interface PlannedEntry {
  at: number;
  num: number;
  entry: CdfEntry;
  numElems: number;
  bytes: Buffer;
}

interface PlannedAttribute {
  name: string;
  num: number;
  global: boolean;
  at: number;
  entries: PlannedEntry[];
}

function checkName(name: string, what: string): void {
  if (name.length === 0 || Buffer.byteLength(name, 'utf8') > NAME_BYTES) throw new CdfSpecError(`${what}: a name must have 1 to ${NAME_BYTES} bytes`);
}

function planVariable(spec: CdfVariableSpec, num: number, little: boolean): PlannedVariable {
  const what = `variable ${JSON.stringify(spec.name)}`;
  checkName(spec.name, what);
  const info = typeInfo(spec.type);
  if (info === undefined) throw new CdfSpecError(`${what}: unsupported type ${spec.type}`);
  if (!valuesMatchType(spec.type, spec.values)) {
    throw new CdfSpecError(`${what}: ${info.name} values must be ${info.array === undefined ? 'a string array' : info.array.name}`);
  }
  const dims = spec.dims ?? [];
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 1)) throw new CdfSpecError(`${what}: dimension sizes must be integers >= 1`);
  const perRecord = dims.reduce((a, b) => a * b, 1);
  const records = spec.values.length / perRecord;
  if (!Number.isInteger(records)) throw new CdfSpecError(`${what}: ${spec.values.length} values is not a whole number of records of ${perRecord}`);
  if (!spec.recVary && records > 1) throw new CdfSpecError(`${what}: a non-varying variable holds at most 1 record, got ${records}`);
  let numElems = 1;
  let data: Buffer;
  if (Array.isArray(spec.values)) {
    const strings: readonly string[] = spec.values;
    numElems = spec.elements ?? Math.max(1, ...strings.map((s) => Buffer.byteLength(s, 'utf8')));
    if (!Number.isSafeInteger(numElems) || numElems < 1) throw new CdfSpecError(`${what}: elements must be an integer >= 1`);
    data = charBytes(strings, numElems, what);
  } else {
    if (spec.elements !== undefined && spec.elements !== 1) throw new CdfSpecError(`${what}: a numeric variable has 1 element per value`);
    data = numericBytes(spec.values as Exclude<typeof spec.values, readonly string[]>, little);
  }
  const gzipLevel = spec.gzipLevel;
  if (gzipLevel !== undefined && !(Number.isInteger(gzipLevel) && gzipLevel >= 1 && gzipLevel <= 9)) {
    throw new CdfSpecError(`${what}: gzipLevel must be an integer 1..9`);
  }
  // Full gzip framing (header + CRC), which is what the CDF library and readers such as jcdf expect.
  const payload = gzipLevel === undefined || records === 0 ? data : gzipSync(data, { level: gzipLevel });
  const pad = padBytes(spec.type, spec.pad ?? info.defaultPad, numElems, little, what);
  return { spec, num, dims, numElems, records, pad, payload, gzipLevel, vdrAt: 0, cprAt: -1, vxrAt: 0, dataAt: 0 };
}

/** Attribute numbers: globals in order, then variable attributes by first appearance over the variables. */
function planAttributes(spec: CdfSpec, little: boolean): PlannedAttribute[] {
  const attributes: PlannedAttribute[] = [];
  const byName = new Map<string, PlannedAttribute>();
  const add = (name: string, global: boolean): PlannedAttribute => {
    checkName(name, `attribute ${JSON.stringify(name)}`);
    const a: PlannedAttribute = { name, num: attributes.length, global, at: 0, entries: [] };
    attributes.push(a);
    byName.set(name, a);
    return a;
  };
  for (const g of spec.globalAttributes) {
    if (byName.has(g.name)) throw new CdfSpecError(`attribute ${JSON.stringify(g.name)} is defined twice`);
    const a = add(g.name, true);
    g.entries.forEach((entry, num) => {
      const { numElems, bytes } = entryBytes(entry, little, `global attribute ${JSON.stringify(g.name)} entry ${num}`);
      a.entries.push({ at: 0, num, entry, numElems, bytes });
    });
  }
  spec.variables.forEach((v, varNum) => {
    for (const [name, entry] of Object.entries(v.attributes ?? {})) {
      const a = byName.get(name) ?? add(name, false);
      if (a.global) throw new CdfSpecError(`attribute ${JSON.stringify(name)} is both global and a variable attribute`);
      const { numElems, bytes } = entryBytes(entry, little, `attribute ${JSON.stringify(name)} of ${JSON.stringify(v.name)}`);
      a.entries.push({ at: 0, num: varNum, entry, numElems, bytes });
    }
  });
  return attributes;
}

function layout(attributes: PlannedAttribute[], variables: PlannedVariable[]): { metaSize: number; eof: number } {
  let at = CDR_OFFSET + CDR_SIZE + GDR_SIZE;
  for (const a of attributes) {
    a.at = at;
    at += ADR_SIZE;
    for (const e of a.entries) {
      e.at = at;
      at += aedrSize(e.bytes.byteLength);
    }
  }
  for (const v of variables) {
    v.vdrAt = at;
    at += zvdrSize(v.dims.length, v.pad.byteLength);
    if (v.gzipLevel !== undefined) {
      v.cprAt = at;
      at += CPR_SIZE;
    }
    if (v.records > 0) {
      v.vxrAt = at;
      at += vxrSize(1);
    }
  }
  const metaSize = at;
  for (const v of variables) {
    if (v.records === 0) continue;
    v.dataAt = at;
    at += (v.gzipLevel === undefined ? VVR_HEADER_SIZE : CVVR_HEADER_SIZE) + v.payload.byteLength;
  }
  return { metaSize, eof: at };
}

function writeMetadata(meta: Buffer, encoding: number, eof: number, attributes: PlannedAttribute[], variables: PlannedVariable[]): void {
  meta.set(MAGIC, 0);
  writeCdr(meta, CDR_OFFSET, { gdrOffset: CDR_OFFSET + CDR_SIZE, encoding });
  writeGdr(meta, CDR_OFFSET + CDR_SIZE, {
    zVdrHead: variables[0]?.vdrAt ?? 0,
    adrHead: attributes[0]?.at ?? 0,
    eof,
    numAttr: attributes.length,
    nzVars: variables.length,
    leapSecondLastUpdated: LEAP_SECONDS_LAST_UPDATED,
  });
  attributes.forEach((a, i) => {
    const first = a.entries[0]?.at ?? 0;
    const maxEntry = a.entries.reduce((m, e) => Math.max(m, e.num), -1);
    writeAdr(meta, a.at, {
      next: attributes[i + 1]?.at ?? 0,
      global: a.global,
      num: a.num,
      agrEdrHead: a.global ? first : 0,
      nGrEntries: a.global ? a.entries.length : 0,
      maxGrEntry: a.global ? maxEntry : -1,
      azEdrHead: a.global ? 0 : first,
      nzEntries: a.global ? 0 : a.entries.length,
      maxZEntry: a.global ? -1 : maxEntry,
      name: a.name,
    });
    a.entries.forEach((e, j) => {
      const isChar = typeof e.entry.value === 'string';
      writeAedr(meta, e.at, {
        z: !a.global,
        next: a.entries[j + 1]?.at ?? 0,
        attrNum: a.num,
        dataType: e.entry.type,
        num: e.num,
        numElems: e.numElems,
        // As the CDF library writes it: 1 on character zEntries, 0 on global and numeric entries.
        numStrings: !a.global && isChar ? 1 : 0,
        value: e.bytes,
      });
    });
  });
  variables.forEach((v, i) => {
    const compressed = v.gzipLevel !== undefined;
    writeZvdr(meta, v.vdrAt, {
      next: variables[i + 1]?.vdrAt ?? 0,
      dataType: v.spec.type,
      maxRec: v.records - 1,
      vxrHead: v.records > 0 ? v.vxrAt : 0,
      vxrTail: v.records > 0 ? v.vxrAt : 0,
      flags: (v.spec.recVary ? VDR_RECORD_VARIANCE : 0) | VDR_PAD_VALUE | (compressed ? VDR_COMPRESSED : 0),
      numElems: v.numElems,
      num: v.num,
      cprOffset: compressed ? v.cprAt : -1,
      name: v.spec.name,
      dims: v.dims,
      pad: v.pad,
    });
    if (v.gzipLevel !== undefined) writeCpr(meta, v.cprAt, v.gzipLevel);
    if (v.records > 0) writeVxr(meta, v.vxrAt, [{ first: 0, last: v.records - 1, offset: v.dataAt }]);
  });
}

/**
 * The CDF file as a list of buffers to write in order (metadata first, then each variable's record
 * header and data). Data buffers may be views of the spec's typed arrays: write them before changing those.
 */
export function encodeCdf(spec: CdfSpec): Buffer[] {
  const encoding = spec.encoding ?? CdfEncoding.IBMPC;
  const little = isLittleEndianEncoding(encoding);
  if (little === undefined || (encoding !== CdfEncoding.IBMPC && encoding !== CdfEncoding.NETWORK)) {
    throw new CdfSpecError(`encoding must be IBMPC (6) or NETWORK (1), got ${String(encoding)}`);
  }
  const names = new Set<string>();
  const variables = spec.variables.map((v, num) => {
    if (names.has(v.name)) throw new CdfSpecError(`variable ${JSON.stringify(v.name)} is defined twice`);
    names.add(v.name);
    return planVariable(v, num, little);
  });
  const attributes = planAttributes(spec, little);
  const { metaSize, eof } = layout(attributes, variables);
  const meta = Buffer.alloc(metaSize);
  writeMetadata(meta, encoding, eof, attributes, variables);
  const chunks: Buffer[] = [meta];
  for (const v of variables) {
    if (v.records === 0) continue;
    chunks.push(v.gzipLevel === undefined ? vvrHeader(v.payload.byteLength) : cvvrHeader(v.payload.byteLength), v.payload);
  }
  return chunks;
}

/** Writes the CDF at the handle's current position (a fresh file: the caller fsyncs and renames). Returns its size in bytes. */
export async function writeCdf(handle: FileHandle, spec: CdfSpec): Promise<number> {
  const chunks = encodeCdf(spec);
  const size = chunks.reduce((n, c) => n + c.byteLength, 0);
  const { bytesWritten } = await handle.writev(chunks);
  if (bytesWritten !== size) throw new CdfWriteError(`short write: ${bytesWritten} of ${size} bytes`);
  return size;
}
