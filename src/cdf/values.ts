/**
 * Values <-> bytes in a file's encoding: typed arrays (numbers), fixed-width strings (CHAR), pad values
 * and attribute entries. Shared by the writer and the reader, so both agree on every byte.
 */
import { endianness } from 'node:os';
import {
  CdfFormatError,
  CdfSpecError,
  type CdfEntry,
  type CdfNumericArray,
  type CdfType,
  type CdfValues,
  type TypeInfo,
  typeInfo,
} from './types.js';

const HOST_LITTLE = endianness() === 'LE';

function swapInPlace(bytes: Buffer, size: number): Buffer {
  if (size === 2) bytes.swap16();
  else if (size === 4) bytes.swap32();
  else if (size === 8) bytes.swap64();
  return bytes;
}

/**
 * The array's bytes in the given byte order. When that is the host's order the result is a view of the
 * array's memory, not a copy (a day's 9 MB of dose rates go to disk as they are).
 */
export function numericBytes(values: CdfNumericArray, little: boolean): Buffer {
  const view = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return little === HOST_LITTLE || values.BYTES_PER_ELEMENT === 1 ? view : swapInPlace(Buffer.from(view), values.BYTES_PER_ELEMENT);
}

/** `count` values of a numeric type from bytes in the given byte order, copied into a fresh typed array. */
export function decodeNumeric(info: TypeInfo, bytes: Uint8Array, count: number, little: boolean): CdfNumericArray {
  const ArrayType = info.array;
  if (ArrayType === undefined) throw new CdfFormatError(`${info.name} is not numeric`);
  const byteLength = count * info.size;
  if (bytes.byteLength < byteLength) throw new CdfFormatError(`${info.name} values need ${byteLength} bytes, found ${bytes.byteLength}`);
  // A fresh buffer: file offsets need not be aligned for a typed-array view.
  const copy = Buffer.alloc(byteLength);
  copy.set(bytes.subarray(0, byteLength));
  if (little !== HOST_LITTLE) swapInPlace(copy, info.size);
  return new ArrayType(copy.buffer, copy.byteOffset, count);
}

/** Strings as fixed-width CHAR values: UTF-8, NUL-padded to `elements` bytes each. */
export function charBytes(values: readonly string[], elements: number, what: string): Buffer {
  const out = Buffer.alloc(values.length * elements);
  values.forEach((value, i) => {
    const written = out.write(value, i * elements, elements, 'utf8');
    if (written !== Buffer.byteLength(value, 'utf8')) {
      throw new CdfSpecError(`${what}: value ${i} (${JSON.stringify(value.slice(0, 40))}) is longer than ${elements} bytes`);
    }
  });
  return out;
}

/** Fixed-width CHAR values back to strings, each cut at its first NUL. */
export function decodeChars(bytes: Uint8Array, count: number, elements: number): string[] {
  if (bytes.byteLength < count * elements) throw new CdfFormatError(`CHAR values need ${count * elements} bytes, found ${bytes.byteLength}`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, count * elements);
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const start = i * elements;
    const nul = buf.indexOf(0, start);
    out[i] = buf.toString('utf8', start, nul === -1 || nul > start + elements ? start + elements : nul);
  }
  return out;
}

/** True when the values are of the class the CDF type stores (Float64Array for DOUBLE, strings for CHAR, ...). */
export function valuesMatchType(type: CdfType, values: CdfValues): boolean {
  const info = typeInfo(type);
  if (info === undefined) return false;
  return info.array === undefined ? Array.isArray(values) : values instanceof info.array;
}

/** One pad value (numeric) or `elements` bytes (CHAR: the text, then NULs), in the file's byte order. */
export function padBytes(type: CdfType, pad: number | bigint | string, elements: number, little: boolean, what: string): Buffer {
  const info = typeInfo(type);
  if (info === undefined) throw new CdfSpecError(`${what}: unknown type ${type}`);
  if (info.array === undefined) {
    if (typeof pad !== 'string') throw new CdfSpecError(`${what}: a ${info.name} pad value must be a string`);
    return charBytes([pad], elements, `${what} pad`);
  }
  const one = new info.array(1);
  if (one instanceof BigInt64Array) {
    if (typeof pad !== 'bigint') throw new CdfSpecError(`${what}: a ${info.name} pad value must be a bigint`);
    one[0] = pad;
  } else {
    if (typeof pad !== 'number') throw new CdfSpecError(`${what}: a ${info.name} pad value must be a number`);
    one[0] = pad;
  }
  return Buffer.from(numericBytes(one, little));
}

/** An attribute entry's NumElems and value bytes. An empty string is stored as one NUL (NumElems >= 1). */
export function entryBytes(e: CdfEntry, little: boolean, what: string): { numElems: number; bytes: Buffer } {
  if (typeof e.value === 'string') {
    const text = Buffer.from(e.value, 'utf8');
    return text.length === 0 ? { numElems: 1, bytes: Buffer.alloc(1) } : { numElems: text.length, bytes: text };
  }
  if (!valuesMatchType(e.type, e.value)) throw new CdfSpecError(`${what}: values do not match type ${e.type}`);
  if (e.value.length === 0) throw new CdfSpecError(`${what}: a numeric entry needs at least one value`);
  return { numElems: e.value.length, bytes: Buffer.from(numericBytes(e.value, little)) };
}
