/** The per-sensor identity fields of UDL records, for the simulator's synthetic data. */

import type { SensorSpec } from '../reach/sensors.js';

export { loadSensors, SensorListError, type SensorSpec } from '../reach/sensors.js';

/** Identity fields UDL repeats in every record of a sensor. */
export interface SensorIdentity {
  readonly satNo: number;
  readonly observatoryName: string;
  readonly origSensorId: string;
}

// Host satellites as seen in real REACH records on UDL. The last three never appeared in the
// samples with a NORAD number; theirs are made up (and unused by real satellites in this list).
const KNOWN: Readonly<Record<string, readonly [number, string]>> = {
  'REACH-101': [41920, 'Iridium-102'],
  'REACH-102': [42803, 'Iridium-113'],
  'REACH-105': [41917, 'Iridium-106'],
  'REACH-108': [42955, 'Iridium-133'],
  'REACH-113': [42812, 'Iridium-121'],
  'REACH-114': [43481, 'Iridium-110'],
  'REACH-115': [42960, 'Iridium-107'],
  'REACH-116': [41924, 'Iridium-108'],
  'REACH-133': [42808, 'Iridium-117'],
  'REACH-134': [42964, 'Iridium-125'],
  'REACH-135': [42809, 'Iridium-126'],
  'REACH-136': [42961, 'Iridium-132'],
  'REACH-137': [42959, 'Iridium-119'],
  'REACH-138': [43075, 'Iridium-134'],
  'REACH-139': [43076, 'Iridium-137'],
  'REACH-140': [42957, 'Iridium-122'],
  'REACH-148': [43079, 'Iridium-131'],
  'REACH-149': [43577, 'Iridium-164'],
  'REACH-162': [43252, 'Iridium-147'],
  'REACH-163': [43250, 'Iridium-149'],
  'REACH-164': [43479, 'Iridium-152'],
  'REACH-165': [43253, 'Iridium-145'],
  'REACH-166': [43922, 'Iridium-180'],
  'REACH-169': [43078, 'Iridium-153'],
  'REACH-170': [43576, 'Iridium-156'],
  'REACH-171': [43571, 'Iridium-158'],
  'REACH-172': [43578, 'Iridium-159'],
  'REACH-173': [43575, 'Iridium-165'],
  'REACH-175': [43924, 'Iridium-168'],
  'REACH-176': [43251, 'Iridium-150'],
  'REACH-180': [43929, 'Iridium-171'],
  'REACH-181': [43569, 'Iridium-160'],
};

// In real records origSensorId identifies the payload build, which goes with its flavor pair.
const ORIG_SENSOR_ID: Readonly<Record<string, string>> = { XZ: '0', XW: '1', YV: '2', YU: '3' };

/** Identity fields for a sensor; sensors unknown to the table get stable made-up values. */
export function sensorIdentity(spec: SensorSpec, index: number): SensorIdentity {
  const known = KNOWN[spec.id];
  return {
    satNo: known?.[0] ?? 45_000 + index,
    observatoryName: known?.[1] ?? `Iridium-${200 + index}`,
    origSensorId: ORIG_SENSOR_ID[spec.flavors.join('')] ?? '0',
  };
}
