/**
 * A record id as a number, for duplicate checks over a whole day without a string per record (an ALL
 * day is 1.1 million ids: 9 MB of hashes instead of ~200 MB of strings). Two 32-bit hashes of the id's
 * UTF-8 bytes, FNV-1a and a multiplicative one, packed into 53 bits so the double is exact. Readers
 * hash the bytes in their buffer; `idHash` gives the same number for the decoded string. Equal hashes
 * of different ids are rare (~1e-4 for a pair among a day's 1.1 million) and callers settle them
 * exactly by comparing the ids.
 */

export function idHashBytes(buf: Uint8Array, from: number, to: number): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b + c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
}

export function idHash(id: string): number {
  // ASCII ids (all of UDL's) are their own UTF-8 bytes: no encoding needed.
  for (let i = 0; i < id.length; i++) {
    if (id.charCodeAt(i) > 0x7f) {
      const bytes = Buffer.from(id, 'utf8');
      return idHashBytes(bytes, 0, bytes.length);
    }
  }
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b + c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
}
