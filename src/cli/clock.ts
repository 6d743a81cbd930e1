/**
 * The wall clock that decides which days have settled. REACH_UDL_FAKE_NOW (an ISO time) pretends another
 * time: for tests and rehearsals against a simulator whose clock was set the same way (`reach-udl sim`,
 * POST /_sim/clock). Ledger timestamps always use the real clock.
 */
import { UsageError } from '../errors.js';

export function wallClock(env: NodeJS.ProcessEnv = process.env): () => number {
  const fake = env.REACH_UDL_FAKE_NOW;
  if (fake === undefined || fake === '') return Date.now;
  const ms = Date.parse(fake);
  if (Number.isNaN(ms) || !/(Z|[+-]\d\d:\d\d)$/.test(fake)) throw new UsageError(`REACH_UDL_FAKE_NOW ${JSON.stringify(fake)} is not an ISO time with a zone, like 2026-01-02T03:00:00Z`);
  const offset = ms - Date.now();
  return () => Date.now() + offset;
}
