import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CoordDb } from '../../../src/coord/db.js';
import { CoordConfigError, CoordDbError } from '../../../src/coord/errors.js';
import { usePostgres } from '../../helpers/postgres.js';

const pgEnv = usePostgres();

/** Everything a caller could print about an error. */
function allText(err: unknown): string {
  return [String(err), (err as Error).stack ?? '', inspect(err, { depth: 5, showHidden: true }), JSON.stringify(err)].join('\n');
}

function withUrl(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

async function failure(url: string): Promise<unknown> {
  const db = CoordDb.open(url, { connectTimeoutMs: 5_000 });
  try {
    await db.query('SELECT 1');
  } catch (err) {
    return err;
  } finally {
    await db.close();
  }
  throw new Error('the query was expected to fail');
}

describe('coordination database connection', () => {
  it('connects with the URL and runs parameterised SQL', async () => {
    const db = CoordDb.open(pgEnv.db().url);
    try {
      const r = await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [41]);
      expect(r.rows[0]?.n).toBe(42);
      expect(inspect(db)).not.toContain(pgEnv.db().password);
      expect(JSON.stringify({ db })).not.toContain(pgEnv.db().password);
    } finally {
      await db.close();
    }
  });

  it('redacts the password from a wrong-password error', async () => {
    const { url, password } = pgEnv.db();
    const wrong = 'Wr0ng-pässwörd/with:@chars';
    const err = await failure(withUrl(url, (u) => (u.password = encodeURIComponent(wrong))));
    expect(err).toBeInstanceOf(CoordDbError);
    expect((err as CoordDbError).code).toBe('ERR_COORD_DB');
    expect((err as CoordDbError).dbCode).toBe('28P01');
    const text = allText(err);
    expect(text).toMatch(/password authentication failed/);
    for (const form of [wrong, encodeURIComponent(wrong), password]) expect(text).not.toContain(form);
  });

  it('redacts the password when the host is wrong or refuses', async () => {
    const { url, password } = pgEnv.db();
    // Loopback only: the server listens on 127.0.0.1, so 127.0.0.2 is a host where nothing answers.
    for (const bad of [withUrl(url, (u) => (u.hostname = '127.0.0.2')), withUrl(url, (u) => (u.port = '1'))]) {
      const err = await failure(bad);
      expect(err).toBeInstanceOf(CoordDbError);
      expect(allText(err)).not.toContain(password);
      expect((err as CoordDbError).dbCode).toBe('ECONNREFUSED');
    }
  });

  it('redacts the password when the database does not exist', async () => {
    const { url, password } = pgEnv.db();
    const err = await failure(withUrl(url, (u) => (u.pathname = '/no_such_db')));
    expect(err).toBeInstanceOf(CoordDbError);
    expect((err as CoordDbError).dbCode).toBe('3D000');
    expect(allText(err)).toContain('no_such_db');
    expect(allText(err)).not.toContain(password);
  });

  it('rejects unusable URLs without echoing them', () => {
    const secret = 'hunter2-secret';
    for (const bad of [
      `postgres://u:${secret}@host:notaport/db`,
      `mysql://u:${secret}@host/db`,
      `postgres://u:${secret}@host`,
      `postgres://u:%E0%A4%A${secret}@host/db`,
    ]) {
      let caught: unknown;
      try {
        CoordDb.open(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught, bad).toBeInstanceOf(CoordConfigError);
      expect((caught as CoordConfigError).code).toBe('ERR_COORD_CONFIG');
      expect(allText(caught)).not.toContain(secret);
    }
  });

  it('redacts a password echoed in a server error', async () => {
    const { url, password } = pgEnv.db();
    const db = CoordDb.open(url);
    try {
      // A statement that quotes its input back, standing in for any message that happens to hold the secret.
      const err = await db.query('SELECT $1::int', [`x${password}`]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CoordDbError);
      expect((err as CoordDbError).dbCode).toBe('22P02');
      expect(allText(err)).toContain('[redacted]');
      expect(allText(err)).not.toContain(password);
    } finally {
      await db.close();
    }
  });
});
