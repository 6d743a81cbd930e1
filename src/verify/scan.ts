/**
 * Ids and obTimes of an artifact, streamed through its format's reader, and how many ids repeat. Ids are
 * kept as two 32-bit string hashes packed in a double; equal hashes are rare (~1e-8 for a day) and are
 * then confirmed by reading the file again for just those ids.
 */
import type { ArtifactFormat } from '../formats/index.js';

export interface IdScan {
  records: number;
  /** Records whose id an earlier record already had. */
  duplicates: number;
}

const FIELDS = ['id', 'obTime'];

export async function scanIds(format: ArtifactFormat, path: string, onObTime: (obTime: string) => void): Promise<IdScan> {
  let hashes = new Float64Array(1 << 16);
  let records = 0;
  for await (const b of format.read(path, { fields: FIELDS })) {
    const [ids, obTimes] = b.columns as [string[], string[]];
    if (records + b.count > hashes.length) {
      const grown = new Float64Array(Math.max(2 * hashes.length, records + b.count));
      grown.set(hashes.subarray(0, records));
      hashes = grown;
    }
    for (let i = 0; i < b.count; i++) {
      hashes[records + i] = hash(ids[i]!);
      onObTime(obTimes[i]!);
    }
    records += b.count;
  }
  const sorted = hashes.subarray(0, records).sort();
  const suspects = new Set<number>();
  for (let i = 1; i < records; i++) if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i]!);
  if (suspects.size === 0) return { records, duplicates: 0 };
  // Equal hashes: count the ids that really repeat.
  const seen = new Set<string>();
  let duplicates = 0;
  for await (const b of format.read(path, { fields: ['id'] })) {
    for (const id of b.columns[0]!) {
      if (!suspects.has(hash(id))) continue;
      if (seen.has(id)) duplicates++;
      else seen.add(id);
    }
  }
  return { records, duplicates };
}

/** FNV-1a and a multiplicative hash of the string, 32 + 21 bits: exact in a double. */
function hash(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b + c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
}
