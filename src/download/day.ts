/**
 * One day, end to end: plan windows (from /count when the spool has no plan yet), fetch the windows not
 * yet committed with up to N in flight, continue any window whose page came back full, and assemble the
 * artifact. Throws on failure; the spool keeps what was committed so a rerun resumes.
 */
import { join } from 'node:path';
import type { DayWindow } from '../plan/dates.js';
import { afterPage, type PageRequest } from '../plan/paging.js';
import { planWindows, planningDensity, recordsPerTick } from '../plan/windows.js';
import { assembleArtifact } from '../artifacts/assemble.js';
import { artifactName, spoolDir, type OutputFormat } from '../artifacts/naming.js';
import { DaySpool, type ChunkMeta, type Segment, type SpoolManifest } from '../artifacts/spool.js';
import { PageFormatError, splitPageJson, transcodePageToCsv } from '../artifacts/transcode.js';
import type { UdlClient } from '../udl/client.js';
import { UdlBadPageError, UdlHttpError } from '../udl/errors.js';

export class IncompleteDayError extends Error {
  readonly code = 'ERR_INCOMPLETE_DAY';
  constructor(readonly records: number, readonly counted: number, maxResults: number) {
    super(
      `got ${records} records but /count reported ${counted}: the server returned fewer rows per page than --max-results ${maxResults} promises; set --max-results to the server's row cap and rerun with --retry-failed`,
    );
    this.name = 'IncompleteDayError';
  }
}

export interface DayContext {
  client: UdlClient;
  outputDir: string;
  sensorId: string;
  descriptor: string;
  format: OutputFormat;
  maxResults: number;
  /** Windows fetched at once; the gate still bounds requests in flight. */
  parallelWindows: number;
  /** Bad pages (unparseable, rows outside the window) refetched at most this often per page. */
  maxRetries: number;
  /** Distinguishes this process's temp files. */
  tempTag: string;
  onProgress?: (p: DayProgress) => void;
}

export interface DayProgress {
  day: string;
  windowsDone: number;
  windowsTotal: number;
  records: number;
  /** Windows found already committed in the spool when the day started. */
  resumed: number;
}

export interface DayResult {
  status: 'DOWNLOADED' | 'SKIPPED_NO_DATA';
  records: number;
  /** Artifact size in bytes; 0 without one. */
  bytes: number;
  path: string;
  spool: DaySpool;
}

export async function downloadDay(ctx: DayContext, day: DayWindow): Promise<DayResult> {
  const artifact = artifactName(ctx.sensorId, day, ctx.format);
  const path = join(ctx.outputDir, artifact);
  let spool = await DaySpool.open(spoolDir(ctx.outputDir, artifact), {
    artifact,
    sensorId: ctx.sensorId,
    descriptor: ctx.descriptor,
    format: ctx.format,
    maxResults: ctx.maxResults,
  });
  const query = { descriptor: ctx.descriptor, sensorId: ctx.sensorId };
  if (!spool.manifest) {
    const count = await countOrUndefined(ctx.client, { ...query, startMs: day.startMs, endMs: day.endMs });
    if (count === 0) return { status: 'SKIPPED_NO_DATA', records: 0, bytes: 0, path, spool };
    const perTick = count === undefined ? recordsPerTick(ctx.sensorId) : planningDensity(count, ctx.sensorId);
    const manifest: SpoolManifest = {
      version: 1,
      artifact,
      sensorId: ctx.sensorId,
      descriptor: ctx.descriptor,
      format: ctx.format,
      maxResults: ctx.maxResults,
      count,
      windows: planWindows(day, perTick, ctx.maxResults).map((w) => [w.startMs, w.endMs]),
    };
    spool = await spool.start(manifest);
  }
  const windows = spool.manifest!.windows;
  const done = await spool.committed();
  const resumed = done.size;
  let records = [...done.values()].reduce((n, c) => n + c.records, 0);
  const progress = () =>
    ctx.onProgress?.({ day: day.day, windowsDone: done.size, windowsTotal: windows.length, records, resumed });
  progress();

  const todo = windows.map((_, i) => i).filter((i) => !done.has(i));
  let failure: unknown;
  const worker = async () => {
    for (let i = todo.shift(); i !== undefined && failure === undefined; i = todo.shift()) {
      const [startMs, endMs] = windows[i]!;
      try {
        const meta = await fetchWindow(ctx, spool, i, { ...query, startMs, endMs });
        done.set(i, meta);
        records += meta.records;
        progress();
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, ctx.parallelWindows) }, worker));
  if (failure !== undefined) throw failure;

  const counted = spool.manifest!.count;
  if (counted !== undefined && records < counted) {
    // Rows went missing between /count and the pages: most likely a page cap below --max-results.
    await spool.discard();
    throw new IncompleteDayError(records, counted, ctx.maxResults);
  }
  if (records === 0) return { status: 'SKIPPED_NO_DATA', records: 0, bytes: 0, path, spool };
  const chunks: ChunkMeta[] = [...done.values()];
  const out = await assembleArtifact(spool, chunks, ctx.format, path, ctx.tempTag);
  return { status: 'DOWNLOADED', records: out.records, bytes: out.bytes, path, spool };
}

/** /count plans the day; where the server has no count endpoint the expected density plans it instead. */
async function countOrUndefined(client: UdlClient, q: Parameters<UdlClient['count']>[0]): Promise<number | undefined> {
  try {
    return await client.count(q);
  } catch (err) {
    if (err instanceof UdlHttpError && (err.status === 404 || err.status === 405 || err.status === 501)) return undefined;
    throw err;
  }
}

async function fetchWindow(
  ctx: DayContext,
  spool: DaySpool,
  index: number,
  q: { descriptor: string; sensorId: string; startMs: number; endMs: number },
): Promise<ChunkMeta> {
  const kept: Kept[] = [];
  let req: PageRequest | undefined = { startMs: q.startMs, endMs: q.endMs, firstResult: 0 };
  while (req) {
    const page = await fetchPage(ctx, { ...q, startMs: req.startMs, endMs: req.endMs }, req.firstResult);
    // obTimes as numbers matter only to continue after a full page; most pages are not.
    const step = afterPage(req, page.count, ctx.maxResults, page.count >= ctx.maxResults ? page.obTimesMs() : []);
    if (step.keep > 0) kept.push(page.take(step.keep));
    req = step.done ? undefined : step.next;
  }
  const { data, segments } = ctx.format === 'csv' ? joinCsv(kept) : joinJson(kept);
  return spool.commit(index, data, segments);
}

interface Kept {
  keys: string[];
  text: string;
  records: number;
}

/** Consecutive pages with one column order share a segment; the assembler only remaps the odd ones. */
function joinCsv(kept: readonly Kept[]): { data: string; segments: Segment[] } {
  const segments: Segment[] = [];
  for (const k of kept) {
    const bytes = Buffer.byteLength(k.text);
    const last = segments[segments.length - 1];
    if (last && sameKeys(last.keys, k.keys)) {
      last.records += k.records;
      last.bytes += bytes;
    } else {
      segments.push({ keys: k.keys, records: k.records, bytes });
    }
  }
  return { data: kept.map((k) => k.text).join(''), segments };
}

function joinJson(kept: readonly Kept[]): { data: string; segments: Segment[] } {
  const data = kept.map((k) => k.text).join(',\n');
  const records = kept.reduce((n, k) => n + k.records, 0);
  return { data, segments: records === 0 ? [] : [{ keys: [], records, bytes: Buffer.byteLength(data) }] };
}

interface FetchedPage {
  count: number;
  obTimesMs(): number[];
  take(n: number): Kept;
}

async function fetchPage(
  ctx: DayContext,
  q: { descriptor: string; sensorId: string; startMs: number; endMs: number },
  firstResult: number,
): Promise<FetchedPage> {
  for (let attempt = 0; ; attempt++) {
    const text = await ctx.client.page(q, firstResult, ctx.maxResults);
    try {
      return parsePage(text, ctx.format, q.startMs, q.endMs);
    } catch (err) {
      const bad =
        err instanceof PageFormatError || err instanceof RangeError
          ? new UdlBadPageError(err.message, `window starting ${new Date(q.startMs).toISOString()}`)
          : err;
      if (!(bad instanceof UdlBadPageError) || attempt >= ctx.maxRetries) throw bad;
    }
  }
}

function parsePage(text: string, format: OutputFormat, startMs: number, endMs: number): FetchedPage {
  if (format === 'csv') {
    const page = transcodePageToCsv(text);
    checkObTimes(page.obTimes, startMs, endMs);
    return {
      count: page.count,
      obTimesMs: () => page.obTimes.map((t) => Date.parse(t)),
      take: (n) => ({ keys: page.keys, records: n, text: n === page.count ? page.rows : page.rows.slice(0, page.rowEnds[n - 1]) }),
    };
  }
  const page = splitPageJson(text);
  checkObTimes(page.obTimes, startMs, endMs);
  return {
    count: page.count,
    obTimesMs: () => page.obTimes.map((t) => Date.parse(t)),
    take: (n) => ({ keys: [], records: n, text: page.records.slice(0, n).join(',\n') }),
  };
}

/**
 * Every row must lie inside the asked window and come sorted by obTime: the exactness of the whole day
 * rests on it. Sorted means the bounds need checking only at the ends. Canonical ISO strings (24 chars,
 * ms, Z) compare as text; any other form is normalised first.
 */
function checkObTimes(obTimes: readonly string[], startMs: number, endMs: number): void {
  if (obTimes.length === 0) return;
  const lo = new Date(startMs).toISOString();
  const hi = new Date(endMs).toISOString();
  const fail = (i: number) => {
    throw new RangeError(`record ${i} has obTime ${obTimes[i] || '(none)'} outside [${lo}, ${hi}) or out of order`);
  };
  let prev = lo;
  for (let i = 0; i < obTimes.length; i++) {
    const raw = obTimes[i]!;
    const t = raw.length === 24 && raw.charCodeAt(23) === 90 ? raw : canonicalIso(raw);
    if (t < prev) fail(i);
    prev = t;
  }
  if (prev >= hi) fail(obTimes.length - 1);
}

function canonicalIso(t: string): string {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}
