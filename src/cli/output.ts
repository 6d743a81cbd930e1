/** How the CLI speaks: one-line errors on stderr, and the exit codes of the reference tool. */
import { exitClassOf } from '../errors.js';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, SIGINT: 130, SIGTERM: 143 } as const;

/** Prints one line naming the problem and exits: 2 for usage/config errors, 1 for anything else. */
export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`reach-udl: error: ${message.replace(/\s+/g, ' ').trim()}\n`);
  process.exit(exitClassOf(err) === 'usage' ? EXIT.USAGE : EXIT.FAILED);
}
