/** The sensor ids of data/sensors.json, in file order: the heatmap's rows, dead sensors included. */
import { loadSensors } from '../reach/sensors.js';

export async function loadSensorIds(): Promise<string[]> {
  return (await loadSensors()).map((s) => s.id);
}
