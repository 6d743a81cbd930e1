import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { startSim, type RunningSim, type SimOptions } from '../../src/sim/index.js';

/** Every record of a day straight from a UDL-compatible server, by offset paging: the ground truth. */
export async function fetchDayTruth(
  baseUrl: string,
  day: string,
  opts: { sensorId?: string; descriptor?: string; auth?: string; pageSize?: number } = {},
): Promise<Array<Record<string, unknown>>> {
  const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
  const out: Array<Record<string, unknown>> = [];
  const pageSize = opts.pageSize ?? 10_000;
  for (let first = 0; ; first += pageSize) {
    const p = new URLSearchParams({
      obTime: `>=${day}T00:00:00.000Z`,
      descriptor: opts.descriptor ?? 'QUICKLOOK',
      sort: 'obTime',
      firstResult: String(first),
      maxResults: String(pageSize),
    });
    if (opts.sensorId && opts.sensorId !== 'ALL') p.set('idSensor', opts.sensorId);
    const res = await fetch(`${baseUrl}/udl/spaceenvobservation?${p.toString()}`, {
      headers: opts.auth ? { authorization: opts.auth } : {},
    });
    if (!res.ok) throw new Error(`truth fetch: HTTP ${res.status}`);
    const page = (await res.json()) as Array<Record<string, unknown>>;
    const inDay = page.filter((r) => (r.obTime as string) < next);
    out.push(...inDay);
    if (page.length < pageSize || inDay.length < page.length) return out;
  }
}

export async function readCsvArtifact(path: string): Promise<Array<Record<string, string>>> {
  return parse<Record<string, string>>(await readFile(path, 'utf8'), { columns: true });
}

/** Runs `fn` against a simulator started with `opts`, and stops it whatever happens. */
export async function withSim<T>(opts: SimOptions, fn: (sim: RunningSim) => Promise<T>): Promise<T> {
  const sim = await startSim(opts);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}
