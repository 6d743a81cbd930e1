/**
 * What the read-only commands (status, report, verify) see of the ledger and the days: the same facts
 * and decisions as `download`, without writing anything. A damaged ledger is read around, with a warning
 * naming the lines and the fix, rather than refused: these commands are how an operator finds out.
 */
import { gatherFacts } from '../download/facts.js';
import { describeBad, latestByDay, readLedgerFile } from '../ledger/read.js';
import type { LedgerRow } from '../ledger/schema.js';
import type { OutputFormat } from '../artifacts/naming.js';
import { dayRange } from '../plan/dates.js';
import type { DayFacts } from '../plan/decide.js';
import type { ArtifactStore } from '../store/store.js';
import { listArtifacts, listStoredArtifacts, type DayArtifact } from './artifacts.js';
import { lastRunSettings, resolveRange } from './status.js';

export interface LedgerView {
  rows: LedgerRow[];
  /** Lines of the ledger that are not rows. */
  badLines: number;
  range: { start: string; end: string } | null;
  sensorId: string;
  outputFormat: OutputFormat;
  facts: DayFacts[];
}

export interface ViewOptions {
  outputDir: string;
  telemetryFile: string;
  startDate: string | undefined;
  endDate: string | undefined;
  sensorId?: string | undefined;
  outputFormat?: OutputFormat | undefined;
  /** Where warnings go (stderr in the CLI). */
  warn: (message: string) => void;
  /** The ledger's rows from elsewhere (the coordinator's table) instead of the CSV file. */
  rows?: LedgerRow[] | undefined;
  /** The store holding the day files when the output dir is s3://. */
  store?: ArtifactStore | undefined;
}

export async function readLedgerView(o: ViewOptions): Promise<LedgerView> {
  const ledger = o.rows ? { rows: o.rows, bad: [], text: '' } : await readLedgerFile(o.telemetryFile);
  if (ledger.bad.length > 0) {
    o.warn(
      `${o.telemetryFile} has ${ledger.bad.length} line(s) that are not ledger rows (${describeBad(ledger.bad)}); they are ignored here. ` +
        '`reach-udl download ... --repair-ledger` moves them to a side file',
    );
  }
  // Every day file counts towards the range, whatever its sensor or format: a lost ledger must not hide days.
  const artifacts = o.store ? await listStoredArtifacts(o.store) : await listArtifacts(o.outputDir);
  // Without ledger rows, the files on disk say what was downloaded here.
  const defaults = ledger.rows.length > 0 || artifacts.length === 0 ? lastRunSettings(ledger.rows) : mostCommon(artifacts);
  const sensorId = o.sensorId ?? defaults.sensorId;
  const outputFormat = o.outputFormat ?? defaults.outputFormat;
  const range = resolveRange([...ledger.rows.map((r) => r.chunk_date_utc), ...artifacts.map((a) => a.day)], o.startDate, o.endDate);
  const facts = range
    ? await gatherFacts({ days: dayRange(range.start, range.end), latest: latestByDay(ledger.rows), outputDir: o.outputDir, sensorId, format: outputFormat, store: o.store })
    : [];
  return { rows: ledger.rows, badLines: ledger.bad.length, range, sensorId, outputFormat, facts };
}

function mostCommon(artifacts: readonly DayArtifact[]): { sensorId: string; outputFormat: OutputFormat } {
  const tally = new Map<string, { n: number; sensorId: string; outputFormat: OutputFormat }>();
  for (const a of artifacts) {
    const key = `${a.sensorId}|${a.format}`;
    const t = tally.get(key) ?? { n: 0, sensorId: a.sensorId, outputFormat: a.format };
    t.n++;
    tally.set(key, t);
  }
  const best = [...tally.values()].sort((x, y) => y.n - x.n)[0]!;
  return { sensorId: best.sensorId, outputFormat: best.outputFormat };
}
