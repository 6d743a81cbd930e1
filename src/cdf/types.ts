/**
 * CDF v3 data types, encodings and the shapes the writer takes and the reader returns.
 * Only what this module writes and reads is described; codes are the ones cdf.h defines.
 */

/** CDF data type codes (cdf.h). EPOCH16 (32) is not supported. */
export const CdfType = {
  INT1: 1,
  INT2: 2,
  INT4: 4,
  INT8: 8,
  UINT1: 11,
  UINT2: 12,
  UINT4: 14,
  REAL4: 21,
  REAL8: 22,
  EPOCH: 31,
  TIME_TT2000: 33,
  BYTE: 41,
  FLOAT: 44,
  DOUBLE: 45,
  CHAR: 51,
  UCHAR: 52,
} as const;
export type CdfType = (typeof CdfType)[keyof typeof CdfType];

/** Encoding codes in the CDR. The writer produces NETWORK or IBMPC; the reader also takes the other IEEE ones. */
export const CdfEncoding = {
  NETWORK: 1,
  SUN: 2,
  DECSTATION: 4,
  SGi: 5,
  IBMPC: 6,
  IBMRS: 7,
  PPC: 8,
  HP: 9,
  NeXT: 10,
  ALPHAOSF1: 11,
  ALPHAVMSi: 12,
  ARM_LITTLE: 17,
  ARM_BIG: 18,
} as const;
export type CdfEncoding = (typeof CdfEncoding)[keyof typeof CdfEncoding];

const LITTLE_ENDIAN_ENCODINGS: ReadonlySet<number> = new Set([4, 6, 11, 12, 17]);
const BIG_ENDIAN_ENCODINGS: ReadonlySet<number> = new Set([1, 2, 5, 7, 8, 9, 10, 18]);

/** true = little-endian IEEE, false = big-endian IEEE, undefined = an encoding this module cannot read (VAX floats, unknown). */
export function isLittleEndianEncoding(encoding: number): boolean | undefined {
  if (LITTLE_ENDIAN_ENCODINGS.has(encoding)) return true;
  if (BIG_ENDIAN_ENCODINGS.has(encoding)) return false;
  return undefined;
}

/** Numeric values of one variable or entry, one typed array class per CDF type (see TYPE_INFO). */
export type CdfNumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;

type NumericArrayClass =
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export interface TypeInfo {
  readonly name: string;
  /** Bytes per element. */
  readonly size: number;
  /** undefined for the character types, whose values are strings. */
  readonly array: NumericArrayClass | undefined;
  /** The CDF library's default pad value, used when a variable gives none. */
  readonly defaultPad: number | bigint | string;
}

export const TYPE_INFO: Readonly<Record<CdfType, TypeInfo>> = {
  1: { name: 'INT1', size: 1, array: Int8Array, defaultPad: -127 },
  2: { name: 'INT2', size: 2, array: Int16Array, defaultPad: -32767 },
  4: { name: 'INT4', size: 4, array: Int32Array, defaultPad: -2147483647 },
  8: { name: 'INT8', size: 8, array: BigInt64Array, defaultPad: -9223372036854775807n },
  11: { name: 'UINT1', size: 1, array: Uint8Array, defaultPad: 254 },
  12: { name: 'UINT2', size: 2, array: Uint16Array, defaultPad: 65534 },
  14: { name: 'UINT4', size: 4, array: Uint32Array, defaultPad: 4294967294 },
  21: { name: 'REAL4', size: 4, array: Float32Array, defaultPad: -1e30 },
  22: { name: 'REAL8', size: 8, array: Float64Array, defaultPad: -1e30 },
  31: { name: 'EPOCH', size: 8, array: Float64Array, defaultPad: 0 },
  33: { name: 'TIME_TT2000', size: 8, array: BigInt64Array, defaultPad: -9223372036854775807n },
  41: { name: 'BYTE', size: 1, array: Int8Array, defaultPad: -127 },
  44: { name: 'FLOAT', size: 4, array: Float32Array, defaultPad: -1e30 },
  45: { name: 'DOUBLE', size: 8, array: Float64Array, defaultPad: -1e30 },
  51: { name: 'CHAR', size: 1, array: undefined, defaultPad: ' ' },
  52: { name: 'UCHAR', size: 1, array: undefined, defaultPad: ' ' },
};

export function typeInfo(type: number): TypeInfo | undefined {
  return Object.hasOwn(TYPE_INFO, type) ? TYPE_INFO[type as CdfType] : undefined;
}

/** Values of a variable: a typed array (numeric types) or one string per value (CHAR, UCHAR). */
export type CdfValues = CdfNumericArray | readonly string[];

/**
 * One attribute entry. A character entry is one string (NumElems = its UTF-8 byte length);
 * a numeric entry is one or more values (NumElems = how many).
 */
export type CdfEntry =
  | { readonly type: typeof CdfType.CHAR | typeof CdfType.UCHAR; readonly value: string }
  | { readonly type: Exclude<CdfType, typeof CdfType.CHAR | typeof CdfType.UCHAR>; readonly value: CdfNumericArray };

/** A zVariable for the writer. Values are flattened row-major: record, then dims, last index fastest. */
export interface CdfVariableSpec {
  readonly name: string;
  readonly type: CdfType;
  /** Dimension sizes; [] (the default) for a scalar per record. Every dimension varies. */
  readonly dims?: readonly number[];
  /** Record variance: true for one record per time, false for one record for the whole file. */
  readonly recVary: boolean;
  /**
   * Characters per value (NumElems) for CHAR/UCHAR; default the longest value's UTF-8 length (at least 1).
   * Numeric variables always have 1.
   */
  readonly elements?: number;
  /** Record count = values.length / product(dims). A non-varying variable holds 0 or 1 record. */
  readonly values: CdfValues;
  /** VDR pad value; default the CDF library's default for the type (TYPE_INFO.defaultPad). */
  readonly pad?: number | bigint | string;
  /** GZIP level 1..9 to store the values compressed (CPR + CVVR); omitted = uncompressed VVR. */
  readonly gzipLevel?: number;
  /**
   * Variable attributes, in order. Attribute numbers: globals first, then variable attributes in
   * order of first appearance over the variables in variable order.
   */
  readonly attributes?: Readonly<Record<string, CdfEntry>>;
}

export interface CdfGlobalAttributeSpec {
  readonly name: string;
  /** gEntries numbered 0, 1, ... */
  readonly entries: readonly CdfEntry[];
}

export interface CdfSpec {
  /** Default IBMPC (little-endian: typed arrays go to disk as they are on x86 and ARM hosts). */
  readonly encoding?: typeof CdfEncoding.IBMPC | typeof CdfEncoding.NETWORK;
  readonly globalAttributes: readonly CdfGlobalAttributeSpec[];
  readonly variables: readonly CdfVariableSpec[];
}

/** Entry helpers, so specs read like the attribute tables they come from. */
export const entry = {
  char: (value: string): CdfEntry => ({ type: CdfType.CHAR, value }),
  double: (...values: number[]): CdfEntry => ({ type: CdfType.DOUBLE, value: Float64Array.from(values) }),
  int4: (...values: number[]): CdfEntry => ({ type: CdfType.INT4, value: Int32Array.from(values) }),
  tt2000: (...values: bigint[]): CdfEntry => ({ type: CdfType.TIME_TT2000, value: BigInt64Array.from(values) }),
};

/** The spec cannot be written: inconsistent sizes, wrong value class, name too long, ... */
export class CdfSpecError extends Error {
  override readonly name = 'CdfSpecError';
  readonly code = 'ERR_CDF_SPEC';
}

/** The bytes are not a CDF this module can read (bad magic, a record out of bounds, a wrong record type). */
export class CdfFormatError extends Error {
  override readonly name = 'CdfFormatError';
  readonly code = 'ERR_CDF_FORMAT';
}

/** A valid CDF using a feature this module does not implement (rVariables, column majority, RLE, ...). */
export class CdfUnsupportedError extends Error {
  override readonly name = 'CdfUnsupportedError';
  readonly code = 'ERR_CDF_UNSUPPORTED';
}

/** The file system took fewer bytes than the CDF has. */
export class CdfWriteError extends Error {
  override readonly name = 'CdfWriteError';
  readonly code = 'ERR_CDF_WRITE';
}
