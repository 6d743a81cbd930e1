import { describe, expect, it } from 'vitest';

import { SimConfigError, startSim } from '../../../src/sim/index.js';
import { countPath, dataPath, request, sim, type Rec } from './helpers.js';

const WINDOW = 'obTime=2026-01-01T00:00:00.000Z..2026-01-01T00:30:00.000Z';

describe('duplicate, conflicting and malformed records over HTTP', () => {
  it('duplicates come exactly twice, conflicts share an id, and /count agrees with paging', async () => {
    const s = await sim({ sensors: 2, duplicateShare: 0.05, conflictShare: 0.05, badObTimeShare: 0.05, maxResults: 333, seed: 5 });
    const count = Number((await request(s, countPath(WINDOW))).body);
    const raw: string[] = [];
    for (let first = 0; ; first += 333) {
      const page = JSON.parse((await request(s, dataPath(`${WINDOW}&firstResult=${first}&maxResults=1000`))).body) as unknown[];
      raw.push(...page.map((r) => JSON.stringify(r)));
      if (page.length < 333) break;
    }
    expect(raw).toHaveLength(count);
    expect(count).toBeGreaterThan(2 * 4 * 361);
    const recs = raw.map((r) => JSON.parse(r) as Rec);
    const seen = new Map<string, number[]>();
    recs.forEach((r, i) => {
      seen.set(r.id, [...(seen.get(r.id) ?? []), i]);
    });
    const pairs = [...seen.values()].filter((idx) => idx.length > 1);
    expect(pairs.every((idx) => idx.length === 2 && idx[1] === (idx[0] as number) + 1)).toBe(true);
    const identical = pairs.filter(([i, j]) => raw[i as number] === raw[j as number]).length;
    expect(identical).toBeGreaterThan(0);
    expect(pairs.length - identical).toBeGreaterThan(0);
    expect(recs.filter((r) => !/^\d{4}-(0\d|1[0-2])-[0-3]\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/.test(r.obTime) || r.obTime.includes('-02-30T')).length).toBeGreaterThan(0);
    expect(s.stats().rowsServed).toBe(count);
  });

  it('refuses record shares adding up to more than 1', async () => {
    await expect(startSim({ duplicateShare: 0.6, conflictShare: 0.3, badObTimeShare: 0.2 })).rejects.toThrow(SimConfigError);
    await expect(startSim({ duplicateShare: 1.5 })).rejects.toThrow(/duplicateShare/);
  });
});
