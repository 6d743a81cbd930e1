/**
 * A command's session with the coordinator: the connection (its password redacted from every message),
 * the schema brought up to date, this backfill's row and its ledger table.
 */
import type { CoordinatorSettings } from '../config/coordinator.js';
import { openBackfill, type Backfill, type BackfillKey } from './backfill.js';
import { CoordDb } from './db.js';
import { LedgerTable } from './ledger-table.js';
import { migrate } from './schema.js';

export interface CoordSession {
  db: CoordDb;
  backfill: Backfill;
  table: LedgerTable;
  close(): Promise<void>;
}

export async function openSession(settings: CoordinatorSettings, key: BackfillKey): Promise<CoordSession> {
  const db = CoordDb.open(settings.url, { applicationName: `reach-udl ${settings.workerId}` });
  try {
    await migrate(db);
    const backfill = await openBackfill(db, key);
    return { db, backfill, table: new LedgerTable(db, backfill), close: () => db.close() };
  } catch (err) {
    await db.close();
    throw err;
  }
}
