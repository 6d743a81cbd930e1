/**
 * One day, end to end: plan windows (from /count when the spool has no plan yet), fetch the windows not
 * yet committed with up to N in flight, continue any window whose page came back full, and assemble the
 * artifact. Throws on failure; the spool keeps what was committed so a rerun resumes.
 */
import { stat } from 'node:fs/promises';
import { ReachUdlError, stoppedError } from '../errors.js';
import type { DayWindow } from '../plan/dates.js';
import { afterPage, type PageRequest, type PageStep } from '../plan/paging.js';
import { expectedRecords, planWindows, planningDensity, recordsPerTick } from '../plan/windows.js';
import type { Publisher } from '../artifacts/assemble.js';
import { DayFile, type WindowSink } from '../artifacts/day-file.js';
import { BufferPool } from '../artifacts/window-sink.js';
import { artifactName, spoolDir, type OutputFormat } from '../artifacts/naming.js';
import { DaySpool, sameKeys, type ChunkMeta, type Segment, type SpoolManifest } from '../artifacts/spool.js';
import { PageFormatError, formatByName, type ArtifactFormat, type FormatSession } from '../formats/index.js';
import { PageStream, PieceCutError, RECEIVE_BYTES, type PieceEntry, type StreamedPage } from './page-stream.js';
import type { UdlClient } from '../udl/client.js';
import { UdlBadPageError, UdlHttpError } from '../udl/errors.js';

export class IncompleteDayError extends ReachUdlError {
  readonly code = 'ERR_INCOMPLETE_DAY';
  readonly exitClass = 'failed';
  constructor(readonly records: number, readonly counted: number, maxResults: number) {
    super(
      `got ${records} records but /count reported ${counted}: the server returned fewer rows per page than --max-results ${maxResults} promises; set --max-results to the server's row cap and rerun with --retry-failed`,
    );
  }
}

export interface DayContext {
  client: UdlClient;
  /** The local directory the spool lives in: the output dir, or the work dir when artifacts go to a store. */
  workDir: string;
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
  /** Puts the day's finished file (in the spool) in its place: a rename into the output dir, or an upload. */
  publisher: Publisher;
  onProgress?: (p: DayProgress) => void;
  /** Once aborted, no further window starts and the day ends with a StoppedError; the spool keeps what was committed. */
  signal?: AbortSignal;
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
  /** Exact duplicate records the server sent, written once. */
  duplicates: number;
  path: string;
  spool: DaySpool;
}

export async function downloadDay(ctx: DayContext, day: DayWindow): Promise<DayResult> {
  const artifact = artifactName(ctx.sensorId, day, ctx.format);
  const path = ctx.publisher.locate(artifact);
  let spool = await DaySpool.open(spoolDir(ctx.workDir, artifact), {
    artifact,
    sensorId: ctx.sensorId,
    descriptor: ctx.descriptor,
    format: ctx.format,
    maxResults: ctx.maxResults,
  });
  const query = { descriptor: ctx.descriptor, sensorId: ctx.sensorId };
  if (!spool.manifest) {
    const count = await countOrUndefined(ctx.client, { ...query, startMs: day.startMs, endMs: day.endMs });
    if (count === 0) return { status: 'SKIPPED_NO_DATA', records: 0, bytes: 0, duplicates: 0, path, spool };
    if (count !== undefined) checkPlausible(count, ctx.sensorId, day);
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
  const publisher = ctx.publisher;
  const published = await resumePublished(spool, artifact, publisher);
  if (published) return { status: 'DOWNLOADED', ...published, path: published.path, spool };
  const format = formatByName(ctx.format);
  const session = format.session();
  const buffers = new BufferPool(RECEIVE_BYTES, Math.max(1, ctx.parallelWindows));
  const file = DayFile.open(spool, format, windows.length, await spool.committed());
  try {
    const done = new Map(file.committed);
    const resumed = done.size;
    let records = [...done.values()].reduce((n, c) => n + c.records, 0);
    const progress = () =>
      ctx.onProgress?.({ day: day.day, windowsDone: done.size, windowsTotal: windows.length, records, resumed });
    progress();

    const todo = windows.map((_, i) => i).filter((i) => !done.has(i));
    let failure: unknown;
    const ahead = Math.max(1, ctx.parallelWindows);
    const stop = () => file.release();
    ctx.signal?.addEventListener('abort', stop, { once: true });
    const worker = async () => {
      for (let i = todo.shift(); i !== undefined && failure === undefined && !ctx.signal?.aborted; i = todo.shift()) {
        // At most `ahead` windows from the frontier on: the file is then written in order, once.
        await file.ready(i - ahead + 1);
        if (failure !== undefined || ctx.signal?.aborted) break;
        const [startMs, endMs] = windows[i]!;
        try {
          const meta = await fetchWindow(ctx, { format, session, file, buffers }, i, { ...query, startMs, endMs });
          done.set(i, meta);
          records += meta.records;
          progress();
        } catch (err) {
          failure ??= err;
          file.release();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, ctx.parallelWindows) }, worker));
    ctx.signal?.removeEventListener('abort', stop);
    if (ctx.signal?.aborted || failure !== undefined) {
      // What was reported done is what a rerun resumes: completed windows still in memory go to the spool.
      await file.spillDone();
      if (ctx.signal?.aborted) throw stoppedError(ctx.signal);
      throw failure;
    }

    const counted = spool.manifest!.count;
    const duplicates = [...done.values()].reduce((n, c) => n + (c.duplicates ?? 0), 0);
    // /count counts rows as the server holds them, exact duplicates included.
    if (counted !== undefined && records + duplicates < counted) {
      // Rows went missing between /count and the pages: most likely a page cap below --max-results.
      file.close();
      await spool.discard();
      throw new IncompleteDayError(records, counted, ctx.maxResults);
    }
    if (records === 0) return { status: 'SKIPPED_NO_DATA', records: 0, bytes: 0, duplicates, path, spool };
    if (!file.whole) throw new Error(`internal: ${day.day} has every window done but its file stops at window ${file.frontier}`);
    file.rewriteIfNeeded();
    const bytes = await file.finish();
    await spool.markPublished({ name: artifact, path, bytes, records, duplicates });
    const out = await publisher.publish(spool.partPath, artifact);
    return { status: 'DOWNLOADED', records, bytes: out.bytes, duplicates, path: out.path, spool };
  } finally {
    file.close();
  }
}

/**
 * A day whose file was finished before a crash that came before its ledger row: published again if the
 * file is still in the spool, taken as it is if it already sits at its place whole.
 */
async function resumePublished(spool: DaySpool, artifact: string, publisher: Publisher): Promise<{ records: number; bytes: number; duplicates: number; path: string } | undefined> {
  const p = await spool.published();
  if (!p || p.name !== artifact) return undefined;
  if ((await stat(spool.partPath).catch(() => undefined))?.size === p.bytes) {
    const out = await publisher.publish(spool.partPath, artifact);
    return { records: p.records, bytes: out.bytes, duplicates: p.duplicates, path: out.path };
  }
  const there = await publisher.stat(artifact);
  if (there?.bytes === p.bytes) return { records: p.records, bytes: p.bytes, duplicates: p.duplicates, path: there.path };
  return undefined;
}

/** A day holds at most this many times the records REACH's cadence gives it; /count above that is not believed. */
export const PLAUSIBLE_FACTOR = 4;

/** The server's count is a lie or an error: planning windows for it would flood the server with requests. */
export class ImplausibleCountError extends ReachUdlError {
  readonly code = 'ERR_IMPLAUSIBLE_COUNT';
  readonly exitClass = 'failed';
  constructor(count: number, limit: number, day: string) {
    super(
      `the server's /count for ${day} is ${count.toLocaleString('en-US')}, more than ${PLAUSIBLE_FACTOR}x the ${(limit / PLAUSIBLE_FACTOR).toLocaleString('en-US')} records the day can hold at REACH's 5-s cadence; nothing was fetched (check --udl-url and the server, then rerun with --retry-failed)`,
    );
  }
}

function checkPlausible(count: number, sensorId: string, day: DayWindow): void {
  const limit = expectedRecords(sensorId) * PLAUSIBLE_FACTOR;
  if (!Number.isSafeInteger(count) || count > limit) throw new ImplausibleCountError(count, limit, day.day);
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
  w: { format: ArtifactFormat; session: FormatSession; file: DayFile; buffers: BufferPool },
  index: number,
  q: { descriptor: string; sensorId: string; startMs: number; endMs: number },
): Promise<ChunkMeta> {
  const sink = w.file.openWindow(index);
  try {
    const entries: PieceEntry[] = [];
    let records = 0;
    let req: PageRequest | undefined = { startMs: q.startMs, endMs: q.endMs, firstResult: 0 };
    while (req) {
      const page = await fetchPage(ctx, { format: w.format, session: w.session, target: sink, buffers: w.buffers }, { ...q, startMs: req.startMs, endMs: req.endMs }, req.firstResult, records > 0);
      const step = nextStep(req, page, ctx.maxResults);
      entries.push(...page.entries);
      records = entries.reduce((n, e) => n + e.records, 0);
      req = step.done ? undefined : step.next;
    }
    const duplicates = entries.reduce((n, e) => n + e.received - e.records, 0);
    return await w.file.complete(sink, segmentsOf(entries), duplicates);
  } catch (err) {
    w.file.abort(sink);
    throw err;
  }
}

/**
 * The paging decision, applied: by key where the page still holds the rows it must drop (they are cut
 * from the file); by offset (always exact, if slower to converge) when a run of equal obTimes reaches
 * back further than that.
 */
function nextStep(req: PageRequest, page: StreamedPage, maxResults: number): PageStep {
  try {
    const step = afterPage(req, page.count, maxResults, (i) => page.obTimeMs(i));
    page.cut(step.keep);
    return step;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { done: false, keep: page.count, next: { ...req, firstResult: req.firstResult + page.count } };
  }
}

/** Consecutive pieces with one column order share a segment; the assembler only remaps the odd ones. */
function segmentsOf(entries: readonly PieceEntry[]): Segment[] {
  const segments: Segment[] = [];
  for (const e of entries) {
    if (e.records === 0) continue;
    const last = segments[segments.length - 1];
    if (last && sameKeys(last.keys, e.keys)) {
      last.records += e.records;
      last.bytes += e.bytes;
    } else {
      segments.push({ keys: e.keys, records: e.records, bytes: e.bytes });
    }
  }
  return segments;
}

/**
 * One page into the window file. Each attempt starts where the page starts, undoing what a failed one
 * wrote. Bad pages (unparseable, rows outside the window) are fetched again; a cut that fell inside a
 * value is fetched again whole, without counting against the retries.
 */
async function fetchPage(
  ctx: DayContext,
  w: { format: ArtifactFormat; session: FormatSession; target: WindowSink; buffers: BufferPool },
  q: { descriptor: string; sensorId: string; startMs: number; endMs: number },
  firstResult: number,
  windowHasRecords: boolean,
): Promise<StreamedPage> {
  const writer = w.target;
  const at = writer.offset;
  let whole = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await ctx.client.page(q, firstResult, ctx.maxResults, () => {
        writer.truncate(at);
        return new PageStream({ ...w, startMs: q.startMs, endMs: q.endMs, windowHasRecords, whole });
      });
    } catch (err) {
      if (err instanceof PieceCutError && !whole) {
        whole = true;
        attempt--;
        continue;
      }
      const bad =
        err instanceof PageFormatError || err instanceof RangeError
          ? new UdlBadPageError(err.message, `window starting ${new Date(q.startMs).toISOString()}`)
          : err;
      if (!(bad instanceof UdlBadPageError) || attempt >= ctx.maxRetries) throw bad;
    }
  }
}
