import type { Command } from 'commander';
import { COORDINATOR_ENV, DEFAULT_LEASE_S, LEASE_RANGE } from '../config/coordinator.js';
import { describeRange } from '../config/values.js';

/** The flags that put a command on a PostgreSQL coordinator instead of the CSV ledger. */
export function addCoordinatorOptions(cmd: Command, worker: boolean): Command {
  cmd.option('--coordinator <postgres-url>', `PostgreSQL that holds the ledger and the day jobs of several workers (default: env ${COORDINATOR_ENV}; password best in PGPASSWORD)`);
  if (!worker) return cmd;
  return cmd
    .option('--lease-seconds <s>', `how long a worker holds a day without a heartbeat before another may take it (${describeRange(LEASE_RANGE)})`, String(DEFAULT_LEASE_S))
    .option('--worker-id <id>', 'this worker in the coordinator (default: host:pid)');
}
