/**
 * idSensor imputation (PROCESSING.md 3.3): a record with an empty idSensor takes the REACH id of the
 * Iridium satellite named in observatoryName. Every pair was checked against the three samples.
 */

/** [Iridium number, REACH number] */
const PAIRS: readonly (readonly [number, number])[] = [
  [102, 101], [113, 102], [106, 105], [133, 108],
  [121, 113], [110, 114], [107, 115], [108, 116],
  [117, 133], [125, 134], [126, 135], [132, 136],
  [119, 137], [134, 138], [137, 139], [122, 140],
  [131, 148], [164, 149], [147, 162], [149, 163],
  [152, 164], [145, 165], [180, 166], [153, 169],
  [156, 170], [158, 171], [159, 172], [165, 173],
  [168, 175], [150, 176], [171, 180], [160, 181],
];

const BY_OBSERVATORY: ReadonlyMap<string, string> = new Map(PAIRS.map(([iridium, reach]) => [`Iridium-${iridium}`, `REACH-${reach}`]));

/** The REACH id hosted on the named Iridium satellite, or undefined. */
export function sensorForObservatory(observatoryName: string): string | undefined {
  return BY_OBSERVATORY.get(observatoryName);
}
