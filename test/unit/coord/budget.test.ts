import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CoordDb } from '../../../src/coord/db.js';
import { migrate } from '../../../src/coord/schema.js';
import { SharedRateLimiter, type SharedRateOptions } from '../../../src/coord/shared-limiter.js';
import type { AimdParams } from '../../../src/udl/aimd.js';
import { AimdRateLimiter, RequestGate, type RateLimiter } from '../../../src/udl/gate.js';
import { usePostgres } from '../../helpers/postgres.js';
import { startFakeUdl, tally, type FakeUdl } from './fake-udl.js';

const pgEnv = usePostgres();
let db: CoordDb;
const opened: CoordDb[] = [];

beforeAll(async () => {
  db = CoordDb.open(pgEnv.db().url);
  await migrate(db);
});
afterAll(async () => {
  await Promise.all([db, ...opened].map((d) => d.close()));
});

/** A worker: its own pool (as on its own machine) and its own limiter. */
async function worker(opts: SharedRateOptions): Promise<SharedRateLimiter> {
  const d = CoordDb.open(pgEnv.db().url, { maxConnections: 2 });
  opened.push(d);
  return SharedRateLimiter.open(d, opts);
}

/** Requests as fast as the limiter allows, 4 in flight, until `until`; reports outcomes as UdlClient does. */
async function hammer(limiter: RateLimiter, server: FakeUdl, until: number): Promise<void> {
  const gate = new RequestGate(limiter, 4);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (performance.now() < until) {
        await gate.run(async (sentAt) => {
          const res = await fetch(server.url);
          await res.text();
          if (res.status === 200) gate.success(sentAt);
          else gate.congestion(sentAt, true);
        });
      }
    }),
  );
}

/** The reference defaults, except a start at the allowance and room above it to overshoot. */
const PARAMS: AimdParams = { initialRate: 20, additiveIncrease: 1, multiplicativeDecrease: 0.5, minRate: 1, maxRate: 40 };
/** The server's allowance, requests per second; its bucket holds a quarter of a second of it. */
const R = 20;
const WARM_MS = 2_500;
const RUN_MS = 6_500;
let accounts = 0;

function fixed(rate: number): AimdParams {
  return { initialRate: rate, additiveIncrease: 0, multiplicativeDecrease: 0.5, minRate: rate, maxRate: rate };
}

describe('shared rate budget against a rate-limited server', () => {
  // Real time on two shared cores: a stall of the test process (the other coordination test files
  // start their servers beside it) can starve the workers' start or burst their requests. On the loaded
  // development machine about one first try in three fell short in one of the three groups; every retry
  // passed. A regression fails every try.
  it('1, 2 and 4 workers on an account hold together to its allowance; other accounts do not share it', { retry: 2 }, async () => {
    // Three accounts at once, each with its own server (allowance R): 1, 2 and 4 workers. Running them
    // side by side keeps the test short, and shows that budgets are kept per account key.
    const groups = await Promise.all(
      [1, 2, 4].map(async (n) => {
        const server = await startFakeUdl(R, R / 4);
        const accountKey = `udl.test/user-${accounts++}`;
        // With 2: say one QUICKLOOK and one PROVISIONAL backfill's worker. The budget knows only the account.
        const limiters = await Promise.all(Array.from({ length: n }, () => worker({ accountKey, params: PARAMS })));
        return { n, server, limiters };
      }),
    );
    const t0 = performance.now();
    const end = t0 + RUN_MS;
    await Promise.all(groups.flatMap((g) => g.limiters.map((l) => hammer(l, g.server, end))));
    for (const g of groups) {
      await Promise.all(g.limiters.map((l) => l.close()));
      await g.server.close();
    }

    for (const { n, server, limiters } of groups) {
      const t = tally(server, t0 + WARM_MS, end);
      const acquired = limiters.reduce((s, l) => s + l.stats.acquired, 0);
      const trips = limiters.reduce((s, l) => s + l.stats.roundTrips, 0);
      console.log(`${n} worker(s): goodput ${t.goodput.toFixed(1)}/s of ${R}, ${(t.throttledShare * 100).toFixed(1)}% 429, ${(trips / acquired).toFixed(2)} DB round trips per request`);
      expect(t.goodput, `${n} workers`).toBeGreaterThanOrEqual(0.85 * R);
      expect(t.throttledShare, `${n} workers`).toBeLessThanOrEqual(0.05);
      // Every worker got a part of the budget, not one worker all of it (exact fairness is not promised:
      // whoever asks first when the bucket comes near gets the next batch).
      for (const l of limiters) expect(l.stats.acquired).toBeGreaterThan(acquired / n / 5);
    }
  });
});

describe('shared rate budget mechanics', () => {
  it('concurrent workers never get the same token: together they keep to the rate', async () => {
    const accountKey = `udl.test/tokens-${accounts++}`;
    const limiters = await Promise.all(Array.from({ length: 4 }, () => worker({ accountKey, params: fixed(200) })));
    const t0 = performance.now();
    await Promise.all(limiters.map(async (l) => {
      for (let i = 0; i < 50; i++) await l.acquire();
    }));
    const elapsed = performance.now() - t0;
    await Promise.all(limiters.map((l) => l.close()));
    // 200 tokens at 200/s: one second, less the first batch, which starts at once.
    expect(elapsed).toBeGreaterThanOrEqual(1_000 - 250);
    expect(limiters.reduce((s, l) => s + l.stats.acquired, 0)).toBe(200);
  });

  it('one congestion event cuts the shared rate once, however many workers report it', async () => {
    const accountKey = `udl.test/cut-${accounts++}`;
    const params: AimdParams = { initialRate: 20, additiveIncrease: 1, multiplicativeDecrease: 0.5, minRate: 1, maxRate: 40 };
    const limiters = await Promise.all(Array.from({ length: 4 }, () => worker({ accountKey, params })));
    await Promise.all(limiters.map((l) => l.acquire()));
    // The same 429 wave seen by every worker: requests all sent before any cut, answered a moment later.
    const sentAt = performance.now() - 30;
    for (const l of limiters) l.onCongestion(sentAt, true);
    await Promise.all(limiters.map((l) => l.close()));
    const cuts = limiters.reduce((s, l) => s + l.stats.cutsMade, 0);
    expect(cuts).toBe(1);
    const r = await db.query<{ rate: number }>('SELECT rate FROM reach_udl.rate_budget WHERE account_key = $1', [accountKey]);
    expect(r.rows[0]?.rate).toBe(10);

    // A later 429, for a request sent after the cut, is a new event and cuts again: AIMD still works.
    const again = await worker({ accountKey, params });
    await again.acquire();
    const heard = await worker({ accountKey, params: fixed(5) });
    await heard.acquire();
    again.onCongestion(performance.now(), true);
    // The cut is broadcast: the other worker hears it without asking.
    await vi.waitFor(() => expect(heard.stats.cutsHeard).toBe(1), { timeout: 5_000, interval: 20 });
    await Promise.all([again.close(), heard.close()]);
    expect(again.rate).toBe(5);
  });

  it('rides out a database restart: requests pause, then go on', async () => {
    const accountKey = `udl.test/restart-${accounts++}`;
    const limiter = await worker({ accountKey, params: fixed(40), batchMs: 100 });
    const asGate: RateLimiter = limiter;
    let acquired = 0;
    const stop = performance.now() + 3_000;
    const loop = (async () => {
      while (performance.now() < stop) {
        await asGate.acquire();
        asGate.onSuccess(performance.now());
        acquired++;
      }
    })();
    await vi.waitFor(() => expect(acquired).toBeGreaterThan(10), { timeout: 5_000, interval: 20 });
    await pgEnv.server().restart();
    const afterRestart = acquired;
    await loop;
    await limiter.close();
    expect(limiter.stats.dbErrors).toBeGreaterThan(0);
    expect(acquired).toBeGreaterThan(afterRestart);
  });

  it('overhead: database round trips and CPU per 1,000 requests, against the local limiter', async () => {
    const rate = 2_000;
    const measure = async (limiter: RateLimiter) => {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < 1_000; i++) {
        await limiter.acquire();
        limiter.onSuccess(performance.now());
      }
      const used = process.cpuUsage(cpu);
      return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - t0 };
    };
    const shared = await worker({ accountKey: `udl.test/overhead-${accounts++}`, params: fixed(rate) });
    const s = await measure(shared);
    await shared.close();
    const local = await measure(new AimdRateLimiter(fixed(rate)));
    const tripsPerRequest = shared.stats.roundTrips / shared.stats.acquired;
    console.log(
      `overhead at ${rate}/s: shared ${s.cpuMs.toFixed(0)} ms CPU (${s.wallMs.toFixed(0)} ms wall) per 1,000 requests, ` +
        `${tripsPerRequest.toFixed(3)} DB round trips per request; local ${local.cpuMs.toFixed(0)} ms CPU (${local.wallMs.toFixed(0)} ms wall)`,
    );
    // Batches of up to 250 ms of tokens: a round trip per many requests, not per request.
    expect(tripsPerRequest).toBeLessThan(0.1);
    expect(s.wallMs).toBeLessThan(3_000);
  });
});
