/**
 * Turns a day's committed windows into the artifact: a temp file beside the target, written in window
 * order, fsync'ed, then renamed into place. A crash at any point leaves either no artifact or a whole one.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { commitFile } from './fsutil.js';
import { tempPath } from './naming.js';
import { sameKeys, type ChunkMeta, type DaySpool, type Segment } from './spool.js';
import { csvHeader } from './transcode.js';

const COPY_BUFFER_BYTES = 1 << 20;

export interface Assembled {
  path: string;
  records: number;
  bytes: number;
}

/** First-appearance union of the segments' keys: what a writer over the whole day would use as header. */
export function unionKeys(chunks: readonly ChunkMeta[]): string[] {
  const seen = new Set<string>();
  for (const c of chunks) for (const s of c.segments) for (const k of s.keys) seen.add(k);
  return [...seen];
}

export async function assembleArtifact(
  spool: DaySpool,
  chunks: readonly ChunkMeta[],
  format: 'csv' | 'json',
  finalPath: string,
  tag: string,
): Promise<Assembled> {
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  const tmp = tempPath(finalPath, tag);
  const fh = await open(tmp, 'w');
  let bytes = 0;
  const write = async (data: string | Buffer) => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await fh.write(buf);
    bytes += buf.length;
  };
  // One buffer carries every window's bytes across: no per-window allocation left for the collector.
  const carry = Buffer.allocUnsafeSlow(COPY_BUFFER_BYTES);
  const copyInto = async (path: string) => {
    const src = await open(path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await src.read(carry, 0, carry.length, null);
        if (bytesRead === 0) break;
        await fh.write(carry, 0, bytesRead);
        bytes += bytesRead;
      }
    } finally {
      await src.close();
    }
  };
  try {
    if (format === 'csv') {
      const keys = unionKeys(ordered);
      await write(csvHeader(keys));
      for (const c of ordered) {
        if (c.records === 0) continue;
        if (c.segments.every((s) => sameKeys(s.keys, keys))) await copyInto(spool.dataPath(c.index));
        else await write(remapSegments(await readFile(spool.dataPath(c.index)), c.segments, keys));
      }
    } else {
      await write('[\n');
      let first = true;
      for (const c of ordered) {
        if (c.records === 0) continue;
        await write(first ? '' : ',\n');
        await copyInto(spool.dataPath(c.index));
        first = false;
      }
      await write('\n]\n');
    }
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await commitFile(tmp, finalPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { path: finalPath, records: ordered.reduce((n, c) => n + c.records, 0), bytes };
}

/**
 * The rare path: a segment whose columns differ from the day's header is re-read and written in the
 * header's order, through the same CSV rules, so the bytes equal a whole-day writer's.
 */
function remapSegments(data: Buffer, segments: readonly Segment[], keys: readonly string[]): string {
  let offset = 0;
  let out = '';
  for (const s of segments) {
    const text = data.subarray(offset, offset + s.bytes).toString('utf8');
    offset += s.bytes;
    if (sameKeys(s.keys, keys)) {
      out += text;
      continue;
    }
    const rows = parse(text, { columns: s.keys, relax_column_count: false }) as Array<Record<string, string>>;
    out += stringify(rows.map((r) => keys.map((k) => r[k] ?? '')));
  }
  return out;
}
