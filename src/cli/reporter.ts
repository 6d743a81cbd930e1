/**
 * What a download run shows. On a terminal: a live bar (cli-progress) with days, windows, records,
 * request rate, 429s and ETA. Elsewhere (pipes, cron, CI): plain lines, one per event worth keeping,
 * or JSON lines with --log-format json. Everything but the closing summary goes to stderr.
 */
import type CliProgress from 'cli-progress';
import type { RunEvent, RunSummary } from '../download/run.js';
import { describeDecision } from '../plan/decide.js';

export type LogFormat = 'text' | 'json';

export interface ReporterOptions {
  verbosity: number;
  format: LogFormat;
  /** cli-progress, loaded by the caller on a terminal only; without it, plain lines. */
  bars?: typeof CliProgress | undefined;
  dryRun: boolean;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export interface Reporter {
  onEvent(e: RunEvent): void;
  finish(summary: RunSummary): void;
}

export function createReporter(o: ReporterOptions): Reporter {
  const out = o.out ?? process.stdout;
  const err = o.err ?? process.stderr;
  const stats = { requests: 0, throttled: 0, retries: 0, startedAt: performance.now(), daysDone: 0, daysTotal: 0 };
  const cliProgress = o.bars;
  let multibar: CliProgress.MultiBar | undefined;
  let bar: CliProgress.SingleBar | undefined;
  let windows = { done: 0, total: 0 };

  const line = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
    if (o.format === 'json') {
      err.write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
    } else if (multibar) {
      // Printed above the bar, which keeps its place and its ETA.
      multibar.log(`${msg}\n`);
    } else {
      err.write(`${msg}\n`);
    }
  };
  const payload = () => {
    const secs = (performance.now() - stats.startedAt) / 1000;
    return {
      days: `${stats.daysDone}/${stats.daysTotal}`,
      windows: `${windows.done}/${windows.total}`,
      records: records.toLocaleString('en-US'),
      rps: secs > 0 ? (stats.requests / secs).toFixed(1) : '0.0',
      throttled: stats.throttled,
    };
  };
  let records = 0;

  return {
    onEvent(e) {
      switch (e.type) {
        case 'plan': {
          stats.daysTotal = e.decisions.filter((d) => d.action !== 'skip').length;
          if (o.dryRun || o.verbosity >= 1) {
            for (const d of e.decisions) {
              const action = d.action === 'skip' ? 'skip ' : d.action === 'run' ? 'RUN  ' : 'ADOPT';
              line('info', `${d.day}  ${action}  ${describeDecision(d)}`, { event: 'plan', day: d.day, action: d.action, reason: d.reason, ...(d.note ? { note: d.note } : {}) });
            }
          } else {
            // Days that wait for a later run are worth a line even when quiet: cron logs should say why a day is missing.
            const waiting = e.decisions.filter((d) => d.reason === 'unsettled');
            if (waiting.length > 0) {
              const first = waiting[0]!;
              line('info', `${waiting.length === 1 ? first.day : `${first.day} .. ${waiting.at(-1)!.day}`}: ${describeDecision(first)}`, { event: 'deferred', days: waiting.map((d) => d.day) });
            }
          }
          if (cliProgress && !o.dryRun && stats.daysTotal > 0) {
            multibar = new cliProgress.MultiBar(
              {
                format: '{bar} {percentage}% | days {days} | windows {windows} | {records} records | {rps} req/s | 429s {throttled} | ETA {eta_formatted}',
                hideCursor: true,
                clearOnComplete: true,
                etaBuffer: 200,
                stream: err,
              },
              cliProgress.Presets.shades_classic,
            );
            bar = multibar.create(stats.daysTotal, 0, payload());
          }
          break;
        }
        case 'ledger-repaired': {
          line('warn', `moved ${e.moved} ledger line(s) that were not rows to ${e.sidePath}`, { event: 'ledger-repaired', moved: e.moved, sidePath: e.sidePath });
          break;
        }
        case 'day-start':
          windows = { done: 0, total: 0 };
          if (!bar || o.verbosity >= 1) {
            const of = e.total > 0 ? ` [${e.index + 1}/${e.total}]` : ` [day ${e.index + 1} of this worker]`;
            line('info', `${e.day}: ${e.decision.action === 'adopt' ? 'adopting' : 'downloading'} (${describeDecision(e.decision)})${of}`, {
              event: 'day-start',
              day: e.day,
              reason: e.decision.reason,
            });
          }
          break;
        case 'day-progress':
          windows = { done: e.progress.windowsDone, total: e.progress.windowsTotal };
          records = e.progress.records;
          if (o.verbosity >= 2) {
            line('debug', `${e.progress.day}: windows ${windows.done}/${windows.total}, ${records} records${e.progress.resumed ? ` (${e.progress.resumed} resumed from spool)` : ''}`, {
              event: 'day-progress',
              ...e.progress,
            });
          }
          bar?.update(stats.daysDone + fraction(windows), payload());
          break;
        case 'day-end': {
          stats.daysDone++;
          const r = e.row;
          const msg =
            r.status === 'FAILED'
              ? `${e.day}: FAILED ${r.error_type}: ${r.error_message}`
              : r.status === 'SKIPPED_NO_DATA'
                ? `${e.day}: SKIPPED_NO_DATA (the server has no records for this day)`
                : `${e.day}: DOWNLOADED ${r.records_downloaded} records (${r.availability_pct}%), ${Number(r.csv_size_mb).toFixed(3)} MiB in ${r.download_seconds} s -> ${r.csv_path}${r.error_message ? ` (${r.error_message})` : ''}`;
          line(r.status === 'FAILED' ? 'error' : 'info', msg, { event: 'day-end', ...r });
          records = 0;
          bar?.update(stats.daysDone, payload());
          break;
        }
        case 'client':
          if (e.event.type === 'response') {
            stats.requests++;
            if (e.event.status === 429) stats.throttled++;
          } else {
            stats.retries++;
            if (o.verbosity >= 2) {
              line('debug', `retry ${e.event.attempt} in ${(e.event.delayMs / 1000).toFixed(1)} s: ${e.event.error.message}`, {
                event: 'retry',
                attempt: e.event.attempt,
                delayMs: Math.round(e.event.delayMs),
                error: e.event.error.code,
              });
            }
          }
          bar?.update(payload());
          break;
      }
    },
    finish(s) {
      // log() lines wait for the next render; draw once more so the last day's line is not lost.
      multibar?.update();
      multibar?.stop();
      multibar = undefined;
      const fields = {
        run_id: s.runId,
        planned: s.planned,
        downloaded: s.downloaded,
        skipped_existing: s.skippedExisting,
        skipped_no_data: s.skippedNoData,
        failed: s.failed,
        skipped_failed: s.skippedFailed,
        deferred: s.deferred,
        requests: stats.requests,
        throttled: stats.throttled,
        // Later additions go last: scripts that read the earlier fields keep working.
        adopted: s.adopted,
        unsettled: s.unsettled,
      };
      if (s.aborted) line('error', `stopped early: ${s.aborted}`, { event: 'aborted' });
      if (s.stopped) line('warn', stopLine(s), { event: 'stopped', ...s.stopped });
      if (s.failedDays.length > 0) {
        const shown = s.failedDays.slice(0, 5).join(', ') + (s.failedDays.length > 5 ? `, … (${s.failedDays.length} in all)` : '');
        line('warn', `FAILED days in this range: ${shown}; see reach-udl status for why, then rerun with --retry-failed`, { event: 'hint', failedDays: s.failedDays });
      }
      if (o.format === 'json') out.write(`${JSON.stringify({ event: 'summary', ...fields })}\n`);
      else out.write(`${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    },
  };
}

/** "stopped by SIGINT: 3 days done, 2026-01-04 resumes from chunk 41/111; rerun the same command to continue" */
function stopLine(s: RunSummary): string {
  const st = s.stopped!;
  const done = s.days.filter((d) => d.row).length;
  const where = st.day
    ? `, ${st.day} resumes from chunk ${st.windowsDone ?? 0}/${st.windowsTotal ?? '?'}`
    : '';
  return `stopped by ${st.reason}: ${done} day${done === 1 ? '' : 's'} done${where}; rerun the same command to continue`;
}

function fraction(w: { done: number; total: number }): number {
  return w.total > 0 ? Math.min(0.999, w.done / w.total) : 0;
}
