/** How the CLI speaks: one-line errors on stderr, and the exit codes of the reference tool. */
import { UsageError } from '../config.js';
import { ConfigError } from '../udl/auth.js';
import { LedgerFormatError } from '../ledger/read.js';
import { LockedError } from '../artifacts/lock.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export function isUsageError(err: unknown): boolean {
  return err instanceof UsageError || err instanceof ConfigError || err instanceof LedgerFormatError || err instanceof LockedError;
}

/** Prints one line naming the problem and exits: 2 for usage/config errors, 1 for anything else. */
export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`reach-udl: error: ${message.replace(/\s+/g, ' ').trim()}\n`);
  process.exit(isUsageError(err) ? EXIT.USAGE : EXIT.FAILED);
}
