/**
 * What a download run tells its caller (events), what it can be given (dependencies), and the default
 * day downloader over UDL: shared by the embedded loop (run.ts) and the coordinated one (coordinated.ts).
 */
import type { DownloadConfig } from '../config/download.js';
import type { LedgerRow } from '../ledger/schema.js';
import type { DayDecision } from '../plan/decide.js';
import type { Redactor } from '../redact.js';
import type { Credential } from '../udl/auth.js';
import type { ClientEvent, UdlClient } from '../udl/client.js';
import type { Clock } from '../udl/gate.js';
import type { HttpGet } from '../udl/http.js';
import type { DayDownloader, TelemetrySink } from './attempt.js';
import { downloadDay, type DayProgress } from './day.js';
import { publishToDir, type Publisher } from '../artifacts/assemble.js';

export type RunEvent =
  | { type: 'plan'; runId: string; decisions: DayDecision[] }
  | { type: 'ledger-repaired'; moved: number; sidePath: string }
  | { type: 'day-start'; day: string; decision: DayDecision; index: number; total: number }
  | { type: 'day-progress'; progress: DayProgress }
  | { type: 'day-end'; day: string; row: LedgerRow }
  | { type: 'client'; event: ClientEvent };

export interface RunDeps {
  /** Replaces the UDL download of one day (tests, other sources). */
  download?: DayDownloader;
  telemetry?: TelemetrySink;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  random?: () => number;
  http?: HttpGet;
  credential?: Credential;
  /** Wall-clock time in ms, for deciding which days have settled. */
  now?: () => number;
  /** Receives the credential once resolved; the CLI routes all its output through the same one. */
  redactor?: Redactor;
  onEvent?: (e: RunEvent) => void;
  /**
   * Aborting stops the run: no new request starts, requests in flight are cut, the day in progress keeps
   * its DOWNLOAD_PENDING row and its spool (a rerun resumes it), and the lock is released. The abort
   * reason names the cause in the summary (e.g. 'SIGINT').
   */
  signal?: AbortSignal;
}

/** Days downloaded as configured; `publisher` says where finished files go (default: a rename into the output dir). */
export function defaultDownloader(config: DownloadConfig, client: UdlClient, emit: (e: RunEvent) => void, publisher: Publisher = publishToDir(config.outputDir)): DayDownloader {
  const tempTag = String(process.pid);
  return async (day, signal) => {
    const r = await downloadDay(
      {
        client,
        workDir: config.workDir,
        publisher,
        sensorId: config.sensorId,
        descriptor: config.descriptor,
        format: config.outputFormat,
        maxResults: config.maxResults,
        parallelWindows: config.maxConcurrentRequests,
        maxRetries: config.maxRetries,
        tempTag,
        onProgress: (progress) => emit({ type: 'day-progress', progress }),
        ...(signal ? { signal } : {}),
      },
      day,
    );
    return { status: r.status, records: r.records, bytes: r.bytes, duplicates: r.duplicates, path: r.path, cleanup: () => r.spool.discard() };
  };
}

