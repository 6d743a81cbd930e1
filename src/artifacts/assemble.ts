/**
 * Turns a day's committed windows into the artifact: a temp file beside the target, written in window
 * order, fsync'ed, then renamed into place. A crash at any point leaves either no artifact or a whole one.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { commitFile } from './fsutil.js';
import { tempPath } from './naming.js';
import { sameKeys, type ChunkMeta, type DaySpool, type Segment } from './spool.js';
import type { ArtifactFormat } from '../formats/index.js';

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
  format: ArtifactFormat,
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
    const keys = unionKeys(ordered);
    await write(format.head(keys));
    let first = true;
    for (const c of ordered) {
      if (c.records === 0) continue;
      if (!first) await write(format.separator);
      first = false;
      if (c.segments.every((s) => sameKeys(s.keys, keys))) await copyInto(spool.dataPath(c.index));
      else await write(remapSegments(format, await readFile(spool.dataPath(c.index)), c.segments, keys));
    }
    await write(format.tail);
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
 * header's order, through the format's rules, so the bytes equal a whole-day writer's.
 */
function remapSegments(format: ArtifactFormat, data: Buffer, segments: readonly Segment[], keys: readonly string[]): Buffer {
  let offset = 0;
  const out: Buffer[] = [];
  for (const s of segments) {
    const part = data.subarray(offset, offset + s.bytes);
    offset += s.bytes;
    out.push(sameKeys(s.keys, keys) ? part : format.rewrite(part, s.keys, keys));
  }
  return Buffer.concat(out);
}
