/**
 * Every error reach-udl raises on purpose is a ReachUdlError: a stable `code` for programs, a one-line
 * message for people, and an exit class the CLI turns into its exit code (usage 2, failed 1), so no
 * caller has to know error names.
 */
export type ExitClass = 'usage' | 'failed' | 'internal';

export abstract class ReachUdlError extends Error {
  abstract readonly code: string;
  abstract readonly exitClass: ExitClass;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A flag, option or environment value that cannot work; nothing was written. */
export class UsageError extends ReachUdlError {
  readonly code: string = 'ERR_USAGE';
  readonly exitClass = 'usage';
}

export function exitClassOf(err: unknown): ExitClass {
  return err instanceof ReachUdlError ? err.exitClass : 'internal';
}

/** The run was asked to stop (SIGINT/SIGTERM): work in flight is abandoned, never recorded as FAILED. */
export class StoppedError extends ReachUdlError {
  readonly code = 'ERR_STOPPED';
  readonly exitClass = 'failed';
  constructor(readonly reason: string) {
    super(`stopped by ${reason}`);
  }
}

/** The error a signal's abort carries, whatever the signal's reason was. */
export function stoppedError(signal: AbortSignal): StoppedError {
  return signal.reason instanceof StoppedError ? signal.reason : new StoppedError(String(signal.reason ?? 'abort'));
}
