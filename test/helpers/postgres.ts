/** For a test file: a throwaway PostgreSQL server (src/bench/postgres.ts) and one database, for its tests. */
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, type PgServer, type TestDatabase } from '../../src/bench/postgres.js';

/**
 * For a test file: starts a server before its tests, makes one database, and removes both after them.
 * Returns accessors, valid inside tests and hooks.
 */
export function usePostgres(): { db(): TestDatabase; server(): PgServer } {
  let server: PgServer | undefined;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    db = await server.createDatabase();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    db: () => {
      if (!db) throw new Error('usePostgres: the server is not started yet');
      return db;
    },
    server: () => {
      if (!server) throw new Error('usePostgres: the server is not started yet');
      return server;
    },
  };
}
