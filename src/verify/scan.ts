/**
 * Ids and obTimes of an artifact, streamed through its format's reader, and how many ids repeat. Ids
 * come as hashes (formats/id-hash.ts), no string per record; equal hashes are rare and are then
 * confirmed by reading the file again for just those ids.
 */
import type { ArtifactFormat } from '../formats/index.js';

export interface IdScan {
  records: number;
  /** Records whose id an earlier record already had. */
  duplicates: number;
}

export async function scanIds(format: ArtifactFormat, path: string, onObTime: (obTime: string) => void): Promise<IdScan> {
  let hashes = new Float64Array(1 << 16);
  let records = 0;
  for await (const b of format.read(path, { fields: ['obTime'], idHashes: true, reuse: true })) {
    const obTimes = b.columns[0]!;
    if (records + b.count > hashes.length) {
      const grown = new Float64Array(Math.max(2 * hashes.length, records + b.count));
      grown.set(hashes.subarray(0, records));
      hashes = grown;
    }
    hashes.set(b.idHashes!, records);
    for (let i = 0; i < b.count; i++) onObTime(obTimes[i]!);
    records += b.count;
  }
  const sorted = hashes.subarray(0, records).sort();
  const suspects = new Set<number>();
  for (let i = 1; i < records; i++) if (sorted[i] === sorted[i - 1]) suspects.add(sorted[i]!);
  if (suspects.size === 0) return { records, duplicates: 0 };
  // Equal hashes: count the ids that really repeat.
  const seen = new Set<string>();
  let duplicates = 0;
  for await (const b of format.read(path, { fields: ['id'], idHashes: true, reuse: true })) {
    const ids = b.columns[0]!;
    for (let i = 0; i < b.count; i++) {
      if (!suspects.has(b.idHashes![i]!)) continue;
      const id = ids[i]!;
      if (seen.has(id)) duplicates++;
      else seen.add(id);
    }
  }
  return { records, duplicates };
}
