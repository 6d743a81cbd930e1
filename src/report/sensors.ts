/** The sensor ids of data/sensors.json, in file order: the heatmap's rows, dead sensors included. */
import { readFile } from 'node:fs/promises';

export class SensorListError extends Error {
  readonly code = 'ERR_SENSOR_LIST';
  constructor(detail: string) {
    super(`data/sensors.json ${detail}; reinstall reach-udl`);
    this.name = 'SensorListError';
  }
}

// src/report/ in tests and dist/report/ once built: data/ is two levels up from both.
const SENSORS_URL = new URL('../../data/sensors.json', import.meta.url);

export async function loadSensorIds(): Promise<string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(SENSORS_URL, 'utf8'));
  } catch (err) {
    throw new SensorListError(`cannot be read (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SensorListError('is not an object keyed by sensor id');
  const ids = Object.keys(raw);
  const bad = ids.find((id) => !/^REACH-\d+$/.test(id));
  if (bad !== undefined || ids.length === 0) throw new SensorListError(bad ? `has a bad sensor id ${JSON.stringify(bad)}` : 'lists no sensors');
  return ids;
}
