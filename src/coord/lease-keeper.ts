/**
 * Keeps a claimed day's lease alive while the worker downloads it: a heartbeat every third of the lease,
 * and an AbortSignal that fires when the lease is lost, so the download stops instead of racing the
 * worker that took the day over.
 */
import { LeaseLostError } from './errors.js';
import type { Claim, JobQueue } from './jobs.js';

export interface LeaseKeeper {
  /** Aborts (reason: LeaseLostError) when the lease is lost or can no longer be proven held. */
  readonly signal: AbortSignal;
  /** Heartbeats that failed with a database error (retried at the next beat). */
  readonly errors: number;
  stop(): Promise<void>;
}

export function keepLease(queue: Pick<JobQueue, 'heartbeat'>, claim: Claim, opts: { everyMs?: number } = {}): LeaseKeeper {
  const leaseMs = claim.leaseSeconds * 1000;
  const everyMs = opts.everyMs ?? leaseMs / 3;
  const ac = new AbortController();
  let lastHeld = performance.now();
  let errors = 0;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;

  const beat = async () => {
    // The lease runs from when the heartbeat reached the server, which is no earlier than this.
    const sentAt = performance.now();
    try {
      if (await queue.heartbeat(claim)) lastHeld = sentAt;
      else ac.abort(new LeaseLostError(claim.day, claim.workerId));
    } catch {
      errors++;
      // The database is unreachable: the lease runs out on its own clock, after which another worker may
      // have the day, so past that point this worker must assume it lost it.
      if (performance.now() - lastHeld >= leaseMs) ac.abort(new LeaseLostError(claim.day, claim.workerId));
    }
  };
  const schedule = () => {
    if (stopped || ac.signal.aborted) return;
    timer = setTimeout(() => {
      beating = beat().then(schedule);
    }, everyMs);
  };
  schedule();

  return {
    signal: ac.signal,
    get errors() {
      return errors;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await beating;
    },
  };
}
