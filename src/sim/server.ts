/** The simulator's HTTP server: the UDL spaceenvobservation subset plus the /_sim/ control endpoints. */

import { timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SimClock, type ClockChange, type ClockReading } from './clock.js';
import { handleControl, type ControlContext } from './control.js';
import { Dataset } from './data.js';
import { FaultPlan } from './faults.js';
import { resolveSimOptions, SimConfigError, type ResolvedSimOptions, type SimOptions } from './options.js';
import { parseSpaceEnvQuery, QueryError, type SpaceEnvQuery } from './query.js';
import { acceptsGzip, sendEcho500, sendText, sendTruncated, streamPage } from './respond.js';
import { loadSensors } from './sensors.js';
import { emptyStats, type SimStats } from './stats.js';
import { retryAfterSeconds, TokenBucket } from './throttle.js';

export const DATA_PATH = '/udl/spaceenvobservation';
export const COUNT_PATH = '/udl/spaceenvobservation/count';

/** A simulator listening on 127.0.0.1. */
export interface RunningSim {
  /** Base URL, e.g. `http://127.0.0.1:41234`; append `/udl/spaceenvobservation?...`. */
  readonly url: string;
  readonly port: number;
  /** A snapshot of the counters. */
  stats(): SimStats;
  resetStats(): void;
  /** Changes the simulator's clock like `POST /_sim/clock` does; answers the new reading. */
  setClock(change: ClockChange): ClockReading;
  /** Stops listening, drops open connections (idle or busy) and cancels pending delays. */
  close(): Promise<void>;
}

/** The simulator could not listen (e.g. the port is taken); `code` is Node's, like `EADDRINUSE`. */
export class SimListenError extends Error {
  override readonly name = 'SimListenError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Longer than clients' idle keep-alive timeouts, so the client, not the server, retires idle sockets. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

class SimServer {
  /** Reset in place, so that answers still streaming keep adding to the live counters. */
  private readonly counters = emptyStats();
  private readonly clock: SimClock;
  private readonly bucket: TokenBucket | undefined;
  private readonly faults: FaultPlan;
  private readonly expectedAuth: Buffer | undefined;
  /** Cancels every pending delay, so close() does not wait for slow answers. */
  private readonly waiters = new Set<() => void>();
  private readonly server: Server;
  private readonly control: ControlContext;
  /** Caches must key compressible answers on Accept-Encoding once gzip is on. */
  private readonly vary: Record<string, string>;
  /** The rate limiter's clock, and on it when the first data request passed (NaN: none yet) (SimStats.dataSpanMs). */
  private readonly monotonic: () => number;
  private firstDataAt = Number.NaN;

  constructor(
    private readonly cfg: ResolvedSimOptions,
    private readonly dataset: Dataset,
  ) {
    this.clock = new SimClock(cfg.now);
    this.vary = cfg.gzipLevel > 0 ? { Vary: 'Accept-Encoding' } : {};
    this.control = { counters: this.counters, clock: this.clock, snapshot: () => this.stats(), resetStats: () => this.resetStats() };
    this.monotonic = cfg.clock ?? (() => performance.now());
    this.bucket =
      cfg.rate === undefined ? undefined : new TokenBucket(cfg.rate, cfg.burst ?? Math.max(1, cfg.rate), this.monotonic);
    this.faults = new FaultPlan(cfg, cfg.seed >>> 0);
    this.expectedAuth = cfg.auth === undefined ? undefined : Buffer.from(cfg.auth);
    this.server = createServer({ noDelay: true, keepAlive: true }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => this.internalError(res, err));
    });
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  }

  stats(): SimStats {
    return { ...structuredClone(this.counters), now: this.clock.read().now };
  }

  resetStats(): void {
    Object.assign(this.counters, emptyStats());
    this.firstDataAt = Number.NaN;
  }

  setClock(change: ClockChange): ClockReading {
    this.clock.apply(change);
    return this.clock.read();
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(new SimListenError(`cannot listen on 127.0.0.1:${port}: ${err.message}`, err.code));
      this.server.once('error', onError);
      this.server.listen({ host: '127.0.0.1', port }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const cancel of [...this.waiters]) cancel();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private internalError(res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.text(res, 500, `simulator internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  }

  private text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
    sendText(res, this.counters, status, body, headers);
  }

  /** Waits `ms`; resolves false instead if the client goes away or the server closes. */
  private wait(ms: number, res: ServerResponse): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const finish = (alive: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(cancel);
        res.off('close', cancel);
        resolve(alive);
      };
      const cancel = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      this.waiters.add(cancel);
      res.once('close', cancel);
    });
  }

  private authorized(header: string | undefined): boolean {
    if (this.expectedAuth === undefined) return true;
    if (header === undefined) return false;
    const given = Buffer.from(header);
    return given.length === this.expectedAuth.length && timingSafeEqual(given, this.expectedAuth);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const c = this.counters;
    c.requests.total++;
    let url: URL;
    try {
      url = new URL(`http://127.0.0.1${req.url ?? '/'}`);
    } catch {
      c.requests.other++;
      c.status400++;
      this.text(res, 400, 'malformed request target\n');
      return;
    }
    if (await handleControl(req, res, url, this.control)) return;

    const endpoint = url.pathname === DATA_PATH ? 'data' : url.pathname === COUNT_PATH ? 'count' : undefined;
    if (endpoint === undefined) {
      c.requests.other++;
      c.status404++;
      this.text(res, 404, `no such endpoint: ${url.pathname}\n`);
      return;
    }
    c.requests[endpoint]++;
    if (req.method !== 'GET') {
      c.status405++;
      this.text(res, 405, 'method not allowed\n', { Allow: 'GET' });
      return;
    }
    if (!this.authorized(req.headers.authorization)) {
      c.status401++;
      this.text(res, 401, 'unauthorized\n', { 'WWW-Authenticate': 'Basic realm="UDL"' });
      return;
    }
    if (this.bucket !== undefined) {
      const token = this.bucket.take();
      if (!token.ok) {
        c.status429++;
        this.text(res, 429, 'too many requests\n', { 'Retry-After': String(retryAfterSeconds(token.retryAfterMs)) });
        return;
      }
    }
    let query: SpaceEnvQuery;
    try {
      query = parseSpaceEnvQuery(url.searchParams, this.cfg.maxResults);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      c.status400++;
      this.text(res, 400, `${err.message}\n`);
      return;
    }
    // One reading per request, so that a count and the page it sizes see the same data.
    const now = this.clock.now();
    const gzip = this.cfg.gzipLevel > 0 && acceptsGzip(req.headers['accept-encoding']) ? this.cfg.gzipLevel : 0;
    if (endpoint === 'count') {
      c.countRequests++;
      const count = this.cfg.countLie ?? String(this.dataset.count(this.dataset.select(query), query.obTime, now));
      if (await this.wait(this.cfg.latencyMs, res)) sendText(res, c, 200, count, this.vary, gzip);
      return;
    }
    await this.serveData(req, res, query, now, gzip);
  }

  private async serveData(req: IncomingMessage, res: ServerResponse, query: SpaceEnvQuery, now: number, gzip: number): Promise<void> {
    const c = this.counters;
    c.dataRequests++;
    const at = this.monotonic();
    if (Number.isNaN(this.firstDataAt)) this.firstDataAt = at;
    c.dataSpanMs = at - this.firstDataAt;
    const fault = this.faults.next();
    if (fault.kind !== 'none') c.faults[fault.kind]++;
    const sel = this.dataset.select(query);
    let delay = this.cfg.latencyMs + (fault.kind === 'slow' ? this.cfg.slowMs : 0);
    if (this.cfg.perRowUs > 0) {
      const rows = Math.max(0, Math.min(query.maxResults, this.dataset.count(sel, query.obTime, now) - query.firstResult));
      delay += (rows * this.cfg.perRowUs) / 1000;
    }
    if (!(await this.wait(delay, res))) return;
    const cursor = (): ReturnType<Dataset['cursor']> =>
      this.dataset.cursor(sel, query.obTime, query.firstResult, query.maxResults, now);
    switch (fault.kind) {
      case 'fail5xx':
        this.text(res, fault.status, `simulated fault: ${fault.status} ${STATUS_CODES[fault.status] ?? ''}\n`);
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'echo500':
        sendEcho500(res, c, req);
        return;
      case 'truncate':
        sendTruncated(res, c, cursor(), gzip, this.vary);
        return;
      default:
        await streamPage(res, c, cursor(), gzip, this.vary);
    }
  }
}

/**
 * Starts a simulator on 127.0.0.1.
 * @throws SimConfigError for invalid options, SimListenError if it cannot listen.
 */
export async function startSim(options: SimOptions = {}): Promise<RunningSim> {
  const cfg = resolveSimOptions(options);
  const all = await loadSensors();
  const n = cfg.sensors ?? all.length;
  if (n > all.length) throw new SimConfigError(`sensors must be at most ${all.length}, got ${n}`);
  const dataset = new Dataset({
    sensors: all.slice(0, n),
    descriptors: cfg.descriptors,
    seed: cfg.seed,
    gapShare: cfg.gapShare,
    emptyDays: cfg.emptyDays,
    subSecondShare: cfg.subSecondShare,
    start: cfg.dataStart,
    end: cfg.dataEnd,
    realtime: cfg.realtime,
    lateShare: cfg.lateShare,
    lateMs: cfg.lateMs,
    duplicateShare: cfg.duplicateShare,
    conflictShare: cfg.conflictShare,
    badObTimeShare: cfg.badObTimeShare,
  });
  const sim = new SimServer(cfg, dataset);
  const port = await sim.listen(cfg.port);
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => sim.stats(),
    resetStats: () => sim.resetStats(),
    setClock: (change) => sim.setClock(change),
    close: () => (closing ??= sim.close()),
  };
}
