/**
 * Records per sensor in an artifact, read by streaming (an ALL day is ~520 MB of CSV or ~860 MB of JSON),
 * with a per-artifact cache keyed by the file's size and mtime so a second report reads nothing.
 */
import { createReadStream, type Stats } from 'node:fs';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../artifacts/fsutil.js';
import { workDir } from '../artifacts/naming.js';
import { ArtifactFormatError, type SensorCounts } from '../formats/sensor-counts.js';
import { formatByName, formatOfPath } from '../formats/index.js';

export { ArtifactFormatError, CsvSensorScanner, JsonSensorScanner, type SensorCounts } from '../formats/sensor-counts.js';

const READ_CHUNK = 1 << 20;

/** Streams the file through the scanner for its format. */
export async function countFile(path: string): Promise<SensorCounts> {
  return countStream(createReadStream(path, { highWaterMark: READ_CHUNK }), path);
}

async function countStream(stream: AsyncIterable<unknown>, path: string): Promise<SensorCounts> {
  const format = formatOfPath(path);
  if (format === undefined) throw new ArtifactFormatError(path, 'its extension names no artifact format');
  const scanner = formatByName(format).sensorScanner(path);
  for await (const chunk of stream) scanner.push(chunk as Buffer);
  return scanner.end();
}

export interface CountResult {
  counts: SensorCounts;
  /** Sum over sensors. */
  records: number;
  fromCache: boolean;
  bytes: number;
  /** Time spent counting; 0 when served from the cache. */
  seconds: number;
  /** Set when the cache could not be written (e.g. a read-only output dir): the counts are still right. */
  cacheError?: string;
}

interface CacheEntry {
  version: 1;
  artifact: string;
  size: number;
  mtimeMs: number;
  counts: SensorCounts;
}

export function countsCacheDir(outputDir: string): string {
  return join(workDir(outputDir), 'counts');
}

/**
 * Counts an artifact, or returns the cached counts when the cache entry's size and mtime still match the
 * file. A stale, unreadable or foreign cache entry is simply recounted and overwritten.
 */
export async function countArtifact(path: string, cacheDir: string): Promise<CountResult> {
  const name = basename(path);
  const cachePath = join(cacheDir, `${name}.json`);
  const cached = await readCache(cachePath);
  const now = await stat(path);
  if (cached && cached.artifact === name && cached.size === now.size && cached.mtimeMs === now.mtimeMs) {
    return { counts: cached.counts, records: sum(cached.counts), fromCache: true, bytes: now.size, seconds: 0 };
  }
  // The key is taken from the open file, so a download replacing the file meanwhile cannot pair the new
  // file's size and mtime with the old file's counts.
  const fh = await open(path, 'r');
  const t0 = performance.now();
  let st: Stats;
  let counts: SensorCounts;
  try {
    st = await fh.stat();
    counts = await countStream(fh.createReadStream({ highWaterMark: READ_CHUNK, autoClose: false }), path);
  } finally {
    await fh.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const entry: CacheEntry = { version: 1, artifact: name, size: st.size, mtimeMs: st.mtimeMs, counts };
  const result: CountResult = { counts, records: sum(counts), fromCache: false, bytes: st.size, seconds };
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(cachePath, `${JSON.stringify(entry)}\n`);
  } catch (err) {
    result.cacheError = `${cachePath}: ${(err as Error).message}`;
  }
  return result;
}

async function readCache(path: string): Promise<CacheEntry | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  const e = parsed as Partial<CacheEntry> | null;
  if (e?.version !== 1 || typeof e.size !== 'number' || typeof e.mtimeMs !== 'number' || typeof e.counts !== 'object' || !e.counts) {
    return undefined;
  }
  if (!Object.values(e.counts).every((v) => Number.isInteger(v) && v >= 0)) return undefined;
  return e as CacheEntry;
}

function sum(counts: SensorCounts): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v;
  return n;
}
