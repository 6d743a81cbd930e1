/**
 * --coordinator: several workers on one backfill through PostgreSQL. The URL may come from the
 * environment (REACH_UDL_COORDINATOR) so that a password never shows in a process list; PGPASSWORD and
 * ~/.pgpass work as for any PostgreSQL client.
 */
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import { numberIn } from './values.js';

export const COORDINATOR_ENV = 'REACH_UDL_COORDINATOR';
export const LEASE_RANGE = { min: 5, max: 3_600 } as const;
export const DEFAULT_LEASE_S = 60;

export interface CoordinatorSettings {
  url: string;
  leaseSeconds: number;
  workerId: string;
  /** Secrets the URL holds (its password), for the output redactor. */
  secrets: string[];
}

export interface RawCoordinatorOptions {
  coordinator?: string | undefined;
  leaseSeconds?: string | number | undefined;
  workerId?: string | undefined;
}

/** Undefined when no coordinator is asked for: the embedded default (CSV ledger, lock file). */
export function validateCoordinator(raw: RawCoordinatorOptions, env: NodeJS.ProcessEnv = process.env): CoordinatorSettings | undefined {
  const url = raw.coordinator ?? env[COORDINATOR_ENV];
  if (url === undefined || url === '') {
    if (raw.leaseSeconds !== undefined && String(raw.leaseSeconds) !== String(DEFAULT_LEASE_S)) throw new UsageError('--lease-seconds needs --coordinator');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('--coordinator does not parse as a URL; expected postgres://USER@HOST:PORT/DATABASE');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new UsageError(`--coordinator must be a postgres:// URL, not ${parsed.protocol}//…`);
  const password = decodeURIComponent(parsed.password);
  const workerId = raw.workerId ?? `${hostname()}:${process.pid}`;
  if (!/^[\w.:@-]{1,100}$/.test(workerId)) throw new UsageError(`--worker-id ${JSON.stringify(workerId)} must be 1-100 of letters, digits and . : @ - _`);
  return {
    url,
    leaseSeconds: numberIn('--lease-seconds', raw.leaseSeconds ?? DEFAULT_LEASE_S, LEASE_RANGE),
    workerId,
    secrets: password ? [password, parsed.password, url] : [],
  };
}
