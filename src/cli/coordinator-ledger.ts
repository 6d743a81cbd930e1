/**
 * For the read-only commands (status, report, verify): with --coordinator, a backfill's ledger is read
 * from the coordinator's table instead of the CSV file. The backfill is named as download names it:
 * sensor, descriptor and format (the download defaults unless given) and the output location.
 */
import { validateCoordinator, type RawCoordinatorOptions } from '../config/coordinator.js';
import { DESCRIPTORS, validateSensorId } from '../config/download.js';
import { DEFAULT_FORMAT, FORMAT_NAMES } from '../formats/index.js';
import { oneOf } from '../config/values.js';
import type { BackfillKey } from '../coord/backfill.js';
import type { CoordSession } from '../coord/session.js';
import type { LedgerRow } from '../ledger/schema.js';
import { cliRedactor } from './sink.js';

export interface RawBackfillOptions extends RawCoordinatorOptions {
  sensorId?: string | undefined;
  descriptor?: string | undefined;
  outputFormat?: string | undefined;
}

export function backfillKey(raw: RawBackfillOptions, outputLocation: string): BackfillKey {
  return {
    sensorId: validateSensorId(raw.sensorId ?? 'ALL'),
    descriptor: oneOf('--descriptor', raw.descriptor ?? 'QUICKLOOK', DESCRIPTORS),
    outputFormat: oneOf('--output-format', raw.outputFormat ?? DEFAULT_FORMAT, FORMAT_NAMES),
    outputLocation,
  };
}

async function withSession<T>(raw: RawBackfillOptions, outputLocation: string, fn: (s: CoordSession) => Promise<T>): Promise<T | undefined> {
  const settings = validateCoordinator(raw);
  if (!settings) return undefined;
  cliRedactor.addSecrets(settings.secrets);
  const { openSession } = await import('../coord/session.js');
  const session = await openSession(settings, backfillKey(raw, outputLocation));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** The backfill's ledger rows from the coordinator; undefined without --coordinator (read the CSV file). */
export function coordinatorRows(raw: RawBackfillOptions, outputLocation: string): Promise<LedgerRow[] | undefined> {
  return withSession(raw, outputLocation, (s) => s.table.rows());
}

/** The backfill's ledger as the CSV file would hold it; undefined without --coordinator. */
export function coordinatorCsv(raw: RawBackfillOptions, outputLocation: string): Promise<string | undefined> {
  return withSession(raw, outputLocation, async (s) => (await import('../coord/ledger-csv.js')).exportCsv(s.table));
}
