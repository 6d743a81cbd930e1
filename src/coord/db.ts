/**
 * The connection to the coordination database: a `pg` Pool built from a postgres:// URL. Every error that
 * leaves through here is a CoordDbError whose message has been redacted of the password, and the pool
 * (whose options hold the URL) is never exposed, so neither a log line nor an inspect() can print it.
 */
import { inspect } from 'node:util';
import pg from 'pg';
import { CoordConfigError, CoordDbError } from './errors.js';
import { Redactor, urlSecrets } from './redact.js';

export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

export interface CoordDbOptions {
  /** Pool size; a worker needs few (claims and heartbeats are short). Default 4. */
  maxConnections?: number;
  /** Give up connecting after this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity, so an operator can tell workers apart. */
  applicationName?: string;
}

/** A frozen worker must not hold row locks for long: the server ends such a transaction after this. */
const IDLE_IN_TRANSACTION_MS = 30_000;

export class CoordDb implements Queryable {
  /** Idle connections that broke (e.g. the server restarted); the pool replaces them on the next query. */
  idleErrors = 0;
  private readonly pool: pg.Pool;

  private constructor(
    private readonly config: pg.PoolConfig,
    private readonly redactor: Redactor,
  ) {
    this.pool = new pg.Pool(config);
    // Without a listener an idle client's error would crash the process; the next query reconnects.
    this.pool.on('error', () => {
      this.idleErrors++;
    });
  }

  /** Checks the URL and builds the pool; nothing connects until the first query. */
  static open(url: string, opts: CoordDbOptions = {}): CoordDb {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CoordConfigError('the coordination database URL does not parse; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE');
    }
    const redactor = new Redactor(urlSecrets(url, parsed));
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
      throw new CoordConfigError(`the coordination database URL must start with postgres://, not ${redactor.redact(parsed.protocol)}//`);
    }
    try {
      [parsed.username, parsed.password, parsed.pathname].forEach((part) => decodeURIComponent(part));
    } catch {
      throw new CoordConfigError('the coordination database URL has a malformed %-escape; percent-encode the user, password and database name');
    }
    if (parsed.pathname.length <= 1) throw new CoordConfigError('the coordination database URL names no database (postgres://…/DATABASE)');
    const config: pg.PoolConfig = {
      connectionString: url,
      max: opts.maxConnections ?? 4,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      application_name: opts.applicationName ?? 'reach-udl',
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      keepAlive: true,
    };
    try {
      return new CoordDb(config, redactor);
    } catch (err) {
      throw new CoordConfigError(`the coordination database URL is not usable: ${redactor.redact(messageOf(err))}`);
    }
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params as unknown[]);
    } catch (err) {
      throw this.toError(err);
    }
  }

  /** Runs `fn` inside BEGIN … COMMIT on one connection; any error rolls back. */
  async transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.toError(err);
    }
    const q: Queryable = {
      query: async <R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []) => {
        try {
          return await client.query<R>(sql, params as unknown[]);
        } catch (err) {
          throw this.toError(err);
        }
      },
    };
    let broken: Error | undefined;
    try {
      await q.query('BEGIN');
      const result = await fn(q);
      await q.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is gone; the pool must not hand it out again.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * A dedicated connection that LISTENs on `channel` (a fixed identifier of ours, not user input), outside
   * the pool so a notification is never missed while pool connections are busy.
   */
  async listen(channel: string, onPayload: (payload: string) => void, onLost: () => void): Promise<Listener> {
    if (!/^[a-z_]+$/.test(channel)) throw new CoordConfigError(`not a channel name: ${channel}`);
    const client = new pg.Client(this.config);
    let lost = false;
    let ready = false;
    // Reported only once the listener was handed out; a failure while connecting is thrown instead.
    const lose = () => {
      if (lost) return;
      lost = true;
      if (ready) onLost();
    };
    client.on('error', lose);
    client.on('end', lose);
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (lost) throw new CoordDbError('coordination database: the listening connection closed', undefined);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      throw this.toError(err);
    }
    ready = true;
    return {
      close: async () => {
        client.removeAllListeners('end');
        await client.end().catch(() => {});
      },
    };
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Any thrown value as a CoordDbError, redacted. */
  toError(err: unknown): CoordDbError {
    if (err instanceof CoordDbError) return err;
    const e = err as { code?: unknown; detail?: unknown };
    const dbCode = typeof e.code === 'string' ? e.code : undefined;
    const detail = typeof e.detail === 'string' && e.detail !== '' ? ` (${e.detail})` : '';
    const text = messageOf(err) || (dbCode ?? 'unknown error');
    return new CoordDbError(this.redactor.redact(`coordination database: ${text}${detail}`), dbCode);
  }

  async close(): Promise<void> {
    if (this.pool.ended) return;
    await this.pool.end();
  }

  [inspect.custom](): string {
    return 'CoordDb([redacted])';
  }

  toJSON(): string {
    return 'CoordDb([redacted])';
  }
}

export interface Listener {
  close(): Promise<void>;
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join('; ');
  return err instanceof Error ? err.message : String(err);
}
