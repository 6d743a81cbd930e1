/**
 * The one way to build a UDL client: credential (with the configured AWS region), keep-alive HTTP,
 * request gate and rate limiter, retries and deadlines, all from UdlSettings. `download`, `verify` and
 * every later command that talks to UDL connect here, so a setting or a check added once holds for all.
 */
import type { UdlSettings } from '../config/udl.js';
import type { Redactor } from '../redact.js';
import { resolveCredential, type Credential, type SecretFetcher } from './auth.js';
import { UdlClient, type ClientEvent } from './client.js';
import { AimdRateLimiter, RequestGate, systemClock, type Clock, type RateLimiter } from './gate.js';
import { createHttpGet, type HttpGet } from './http.js';

export interface UdlConnectDeps {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** [0, 1) source for back-off jitter. */
  random?: () => number;
  /** Replaces the HTTP client of http.ts (tests). */
  http?: HttpGet;
  /** Skips credential resolution (tests, library users holding one already). */
  credential?: Credential;
  /** Replaces the local AIMD limiter, e.g. with a budget shared through a coordinator. */
  limiter?: RateLimiter;
  fetchSecret?: SecretFetcher;
  onEvent?: (e: ClientEvent) => void;
  /** Aborting stops new requests, cuts those in flight and ends back-off waits. */
  signal?: AbortSignal;
  /** Learns the credential once resolved, so nothing this process prints or writes can carry it. */
  redactor?: Redactor;
}

export interface UdlConnection {
  client: UdlClient;
  credential: Credential;
  gate: RequestGate;
  close(): Promise<void>;
}

/** Resolves the credential first: a missing or unreadable one throws ConfigError before any socket opens. */
export async function connectUdl(s: UdlSettings, deps: UdlConnectDeps = {}): Promise<UdlConnection> {
  const credential =
    deps.credential ?? (await resolveCredential(deps.env ?? process.env, { awsRegion: s.awsRegion, ...(deps.fetchSecret ? { fetchSecret: deps.fetchSecret } : {}) }));
  deps.redactor?.add(credential);
  const clock = deps.clock ?? systemClock;
  const created = deps.http ? undefined : createHttpGet(s.maxConcurrentRequests, s.compression);
  const limiter: RateLimiter =
    deps.limiter ??
    new AimdRateLimiter(
      { initialRate: s.initialRate, additiveIncrease: s.additiveIncrease, multiplicativeDecrease: s.multiplicativeDecrease, minRate: s.minRate, maxRate: s.maxRate },
      clock,
    );
  // One gate for the whole run: a rate learned on one day still holds on the next.
  const gate = new RequestGate(limiter, s.maxConcurrentRequests, clock);
  const client = new UdlClient({
    baseUrl: s.udlUrl,
    credential,
    http: deps.http ?? created!.get,
    gate,
    clock,
    random: deps.random ?? Math.random,
    timeoutMs: s.requestTimeoutMs,
    maxRetries: s.maxRetries,
    ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return {
    client,
    credential,
    gate,
    async close() {
      created?.close();
      await limiter.close?.();
    },
  };
}
