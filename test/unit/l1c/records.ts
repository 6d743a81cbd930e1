/** Synthetic input records for the L1C tests. */
import { L1cBuilder, newL1cRecord, type L1cRecord, type L1cResult } from '../../../src/l1c/index.js';

export const DAY = '2025-09-04';
export const DOSE1 = (flavor: string): string => `DOSE1 (Flavor ${flavor}) in rad/second`;
export const DOSE2 = (flavor: string): string => `DOSE2 (Flavor ${flavor}) in rad/second`;

/** A valid record (REACH-101, DOSE1 X, 2025-09-04T00:00:00.000Z), with fields replaced by `over`. */
export function rec(over: Partial<L1cRecord> = {}): L1cRecord {
  return {
    ...newL1cRecord(),
    idSensor: 'REACH-101',
    observatoryName: 'Iridium-102',
    obTime: `${DAY}T00:00:00.000Z`,
    createdAt: `${DAY}T01:00:00.000Z`,
    descriptor: 'QUICKLOOK',
    lat: '1.5',
    lon: '2.5',
    alt: '800',
    seoCount: 1,
    obDescription: DOSE1('X'),
    obValue: '0.25',
    obQuality: '0',
    senPosCount: 3,
    senPos0: '1',
    senPos1: '2',
    senPos2: '3',
    ...over,
  };
}

/** `DAY` at `seconds` past midnight, as UDL writes obTime. */
export const at = (seconds: number, day = DAY): string => new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000).toISOString();

/** Feeds records through one reused object, as an artifact reader does. */
export function build(records: readonly Partial<L1cRecord>[], day = DAY): L1cResult {
  const b = new L1cBuilder(day);
  const shared = newL1cRecord();
  for (const r of records) b.add(Object.assign(shared, rec(r)));
  return b.finish();
}

export function product(records: readonly Partial<L1cRecord>[], day = DAY) {
  const result = build(records, day);
  if (result.kind !== 'data') throw new Error('expected data');
  return result;
}

/**
 * A regular day: for each sensor number and each time (seconds), DOSE1 and DOSE2 records whose values
 * encode where they belong (value = time index * 1000 + sensor number + flavor / 4). Dyadic fractions only,
 * so Java (jcdf) and JavaScript print every value alike.
 */
export function grid(sensors: readonly number[], seconds: readonly number[], day = DAY): Partial<L1cRecord>[] {
  const out: Partial<L1cRecord>[] = [];
  seconds.forEach((s, t) => {
    for (const n of sensors) {
      for (const f of [1, 2]) {
        out.push({
          idSensor: `REACH-${n}`,
          obTime: at(s, day),
          obDescription: f === 1 ? DOSE1('X') : DOSE2('W'),
          obValue: String(t * 1000 + n + f / 4),
          lat: String(n / 8 + t),
          lon: String(-n - t / 4),
          alt: String(800 + t),
          obQuality: String(n % 3),
          senPos0: String(n * 10 + t),
          senPos1: String(-n * 10 - t),
          senPos2: String(t / 8),
        });
      }
    }
  });
  return out;
}
