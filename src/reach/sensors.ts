/** The REACH constellation as package data: the 32 sensor ids and their dosimeter flavors. */

import { readFile } from 'node:fs/promises';
import { ReachUdlError } from '../errors.js';

/** One REACH payload: its id and the flavors of its two dosimeters (DOSE1, DOSE2). */
export interface SensorSpec {
  /** `REACH-nnn` */
  readonly id: string;
  /** Flavor letters, e.g. `['X', 'W']`: first = DOSE1, second = DOSE2. */
  readonly flavors: readonly [string, string];
}

/** Thrown when data/sensors.json is missing or not in the expected shape: the install is broken. */
export class SensorListError extends ReachUdlError {
  readonly code = 'ERR_SENSOR_LIST';
  readonly exitClass = 'internal';
  constructor(detail: string) {
    super(`${detail}; reinstall reach-udl`);
  }
}

// Resolved relative to this module: src/reach/ during tests, dist/reach/ once built; data/ sits
// two levels up from both.
const SENSORS_URL = new URL('../../data/sensors.json', import.meta.url);

/** Reads data/sensors.json, keeping its order (the simulator's `sensors: n` takes the first n). */
export async function loadSensors(): Promise<SensorSpec[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(SENSORS_URL, 'utf8'));
  } catch (err) {
    throw new SensorListError(`cannot read ${SENSORS_URL.pathname}: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw new SensorListError('sensors.json: expected an object keyed by sensor id');
  }
  return Object.entries(raw).map(([id, entry]) => {
    const dosimeters: unknown = (entry as { dosimeters?: unknown } | null)?.dosimeters;
    const flavors = Array.isArray(dosimeters) ? dosimeters.map((d) => /^Flavor ([A-Z])$/.exec(String(d))?.[1]) : [];
    const [dose1, dose2] = flavors;
    if (!/^REACH-\d+$/.test(id) || flavors.length !== 2 || dose1 === undefined || dose2 === undefined) {
      throw new SensorListError(`sensors.json: bad entry for '${id}': expected { "dosimeters": ["Flavor X", "Flavor W"] }`);
    }
    return { id, flavors: [dose1, dose2] as const };
  });
}
