/**
 * A throwaway PostgreSQL server for the coordination tests (one per test file) and the workers bench: a
 * fresh temp data directory, listening on 127.0.0.1 only, with password (scram) authentication, so tests
 * can prove the password never leaks. It does not use a system service: it runs the Debian server
 * binaries directly (as the `postgres` user when we are root, since postgres refuses to run as root) and
 * removes everything when stopped, or when the process exits without stopping it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  /** postgres://ROLE:PASSWORD@127.0.0.1:PORT/DB, for a role that owns DB. */
  url: string;
  name: string;
  role: string;
  password: string;
  port: number;
}

export interface PgServer {
  readonly port: number;
  /** A fresh database owned by a fresh password-authenticated role. */
  createDatabase(): Promise<TestDatabase>;
  /** Stops the server (fast shutdown, connections cut) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

function findBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BIN_DIR)');
  return join(root, newest, 'bin');
}

/** Root runs the server as `postgres`; anyone else runs it as themselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function run(bin: string, args: string[], user: ReturnType<typeof runAs>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${out.slice(-2000)}`))));
  });
}

export async function startPostgres(): Promise<PgServer> {
  const bin = findBinDir();
  const user = runAs();
  const root = await mkdtemp(join(tmpdir(), 'reach-udl-pg-'));
  const dataDir = join(root, 'data');
  const adminPassword = randomBytes(16).toString('hex');
  let child: ChildProcess | undefined;
  // A process that dies without stop() must not leave a server or its files behind.
  const onExit = () => {
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGQUIT');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    if (user) await chown(root, user.uid, user.gid);
    const pwFile = join(root, 'pw');
    await writeFile(pwFile, adminPassword, { mode: 0o600 });
    if (user) await chown(pwFile, user.uid, user.gid);
    await run(join(bin, 'initdb'), ['-D', dataDir, '--no-sync', '-A', 'scram-sha-256', `--pwfile=${pwFile}`, '-U', 'admin', '-E', 'UTF8', '--locale=C'], user);
    await rm(pwFile);
  } catch (err) {
    process.removeListener('exit', onExit);
    onExit();
    throw err;
  }

  let port = 0;
  const launch = async (): Promise<void> => {
    const p = spawn(
      join(bin, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=',
        // A throwaway database needs no durability; these spare the two shared cores.
        '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
        '-c', 'max_connections=80', '-c', 'shared_buffers=16MB'],
      { stdio: ['ignore', 'ignore', 'pipe'], ...user },
    );
    child = p;
    let log = '';
    // Readiness is an event: the server's own log line, or its exit with the reason.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`postgres did not start in ${START_TIMEOUT_MS} ms: ${log.slice(-2000)}`)), START_TIMEOUT_MS);
      p.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`postgres exited ${code} while starting: ${log.slice(-2000)}`));
      });
    });
    // Keep draining the log, or a full pipe would stall the server.
    p.stderr!.resume();
  };
  const start = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        return;
      } catch (err) {
        // Another process may have taken the free port between the probe and the bind.
        if (attempt >= 3 || !String(err).includes('could not')) throw err;
        port = await freePort();
      }
    }
  };
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    const p = child;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill(signal);
    });
  };

  try {
    port = await freePort();
    await start();
  } catch (err) {
    await shutdown('SIGQUIT');
    process.removeListener('exit', onExit);
    onExit();
    throw err;
  }

  const adminUrl = () => `postgres://admin:${adminPassword}@127.0.0.1:${port}/postgres`;
  return {
    get port() {
      return port;
    },
    async createDatabase() {
      const suffix = randomBytes(6).toString('hex');
      const name = `reach_t_${suffix}`;
      const role = `reach_r_${suffix}`;
      const password = randomBytes(12).toString('base64url');
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD ${admin.escapeLiteral(password)}`);
        await admin.query(`CREATE DATABASE ${name} OWNER ${role}`);
      } finally {
        await admin.end();
      }
      return { url: `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`, name, role, password, port };
    },
    async restart() {
      await shutdown('SIGINT');
      await start();
    },
    async stop() {
      // Fast shutdown cuts any connection a test left open; the files go with the directory.
      await shutdown('SIGINT');
      process.removeListener('exit', onExit);
      await rm(root, { recursive: true, force: true });
    },
  };
}
