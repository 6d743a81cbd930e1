/** Shared by the L1C jcdf tests: making, writing and listing L1C files; Java's number format. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeCdf, type CdfSpec } from '../../../src/cdf/index.js';
import { l1cCdfSpec, type L1cProduct, type L1cRecord } from '../../../src/l1c/index.js';
import { tempDir } from '../../helpers/cli.js';
import { jcdfList, type JcdfListing } from '../../helpers/jcdf.js';
import { product } from './records.js';

export const ALL_SENSORS = [101, 102, 105, 108, 113, 114, 115, 116, 133, 134, 135, 136, 137, 138, 139, 140, 148, 149, 162, 163, 164, 165, 166, 169, 170, 171, 172, 173, 175, 176, 180, 181];

/** Java's Double.toString for the values these tests use (at most 17 significant digits, dyadic fractions). */
export function javaDouble(x: number): string {
  const abs = Math.abs(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(x) ? `${x}.0` : String(x);
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** A record line's values as jcdf prints them. */
export const row = (values: ArrayLike<number>): string => Array.from(values, javaDouble).join(', ');

/** n times, `step` seconds apart from midnight. */
export const seconds = (n: number, step = 5): number[] => Array.from({ length: n }, (_, i) => i * step);

export interface Case {
  sensorId: string;
  day: string;
  records: Partial<L1cRecord>[];
  gzipDose?: boolean;
}

export interface Listed {
  product: L1cProduct;
  listing: JcdfListing;
  size: number;
}

function specOf(c: Case, p: L1cProduct): CdfSpec {
  const spec = l1cCdfSpec(p, { sensorId: c.sensorId, generatedAt: new Date('2030-01-02T03:04:05Z'), softwareVersion: '1.2.3', swxsocVersion: 's', reachVersion: 'r' });
  return c.gzipDose ? { ...spec, variables: spec.variables.map((v) => (v.name === 'dose_rate' ? { ...v, gzipLevel: 6 } : v)) } : spec;
}

/** Builds, writes and lists every case; one java start per file, all started together. */
export async function listCases(cases: Record<string, Case>): Promise<Record<string, Listed>> {
  const dir = await tempDir('l1c-jcdf-');
  const entries = await Promise.all(
    Object.entries(cases).map(async ([name, c]): Promise<[string, Listed]> => {
      const p = product(c.records, c.day).product;
      const chunks = encodeCdf(specOf(c, p));
      const file = join(dir, `${name}.cdf`);
      await writeFile(file, chunks);
      return [name, { product: p, listing: await jcdfList(file), size: chunks.reduce((n, b) => n + b.length, 0) }];
    }),
  );
  return Object.fromEntries(entries);
}
