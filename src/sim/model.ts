/**
 * The physical side of the synthetic data: circular near-polar orbits like Iridium NEXT's
 * and a dose-rate environment with the radiation belts' horns and the South Atlantic Anomaly.
 * Plausible, not accurate: it only has to look right on a map and in a histogram.
 */

import { hash4, unit } from './hash.js';

const DEG = Math.PI / 180;
const EARTH_RADIUS_KM = 6378.137;
const INCLINATION = 86.4 * DEG;
/** ~100.4 min, in whole milliseconds so the phase can be reduced exactly before scaling. */
const PERIOD_MS = 6_024_000;
/** Orbit phases are measured from here (the first REACH launches were in January 2017). */
const ORBIT_EPOCH_MS = Date.UTC(2017, 0, 1);
const J2000_MS = Date.UTC(2000, 0, 1, 12);
const PLANES = 6;
/** Iridium planes are ~31.6 degrees apart, covering half the equator. */
const PLANE_SPACING = 31.6 * DEG;

/** Per-sensor orbit constants. */
export interface Orbit {
  readonly phase0: number;
  readonly altPhase: number;
  readonly cosRaan: number;
  readonly sinRaan: number;
}

/** A position; `x, y, z` are inertial (like UDL's `senPos`), `lat/lon` Earth-fixed. */
export interface Position {
  lat: number;
  lon: number;
  /** km above a spherical Earth of radius 6378.137 km, so |senPos| = 6378.137 + alt. */
  alt: number;
  x: number;
  y: number;
  z: number;
}

/** Each sensor gets its own plane (round-robin over six) and a hashed phase within it. */
export function orbitFor(index: number, key: number): Orbit {
  const raan = (index % PLANES) * PLANE_SPACING + (unit(hash4(key, 1)) - 0.5) * DEG;
  return {
    phase0: unit(hash4(key, 2)) * 2 * Math.PI,
    altPhase: unit(hash4(key, 3)) * 2 * Math.PI,
    cosRaan: Math.cos(raan),
    sinRaan: Math.sin(raan),
  };
}

/** Greenwich mean sidereal time in radians (IAU 1982, truncated: ample for a simulator). */
function gmst(ms: number): number {
  const days = (ms - J2000_MS) / 86_400_000;
  return ((280.46061837 + 360.98564736629 * days) % 360) * DEG;
}

/** Writes the position at `ms` into `out` (reused by the caller to avoid an allocation per row). */
export function positionAt(orbit: Orbit, ms: number, out: Position): void {
  const u = orbit.phase0 + (((ms - ORBIT_EPOCH_MS) % PERIOD_MS) / PERIOD_MS) * 2 * Math.PI;
  const sinU = Math.sin(u);
  const cosU = Math.cos(u);
  const sinLat = sinU * Math.sin(INCLINATION);
  // Altitude swells towards the poles and wobbles a little around the orbit, as in real data.
  const alt = 781 + 22 * sinLat * sinLat + 6 * Math.cos(u + orbit.altPhase);
  const r = EARTH_RADIUS_KM + alt;
  const inPlaneY = sinU * Math.cos(INCLINATION);
  const x = r * (orbit.cosRaan * cosU - orbit.sinRaan * inPlaneY);
  const y = r * (orbit.sinRaan * cosU + orbit.cosRaan * inPlaneY);
  let lon = (Math.atan2(y, x) - gmst(ms)) / DEG;
  lon -= 360 * Math.floor((lon + 180) / 360);
  out.lat = Math.asin(sinLat) / DEG;
  out.lon = lon;
  out.alt = alt;
  out.x = x;
  out.y = y;
  out.z = r * sinLat;
}

/**
 * Dose rate (rad/s) behind unit shielding: galactic cosmic rays rising towards the poles,
 * the outer belt's horns near |lat| 64 and the South Atlantic Anomaly.
 */
export function doseEnvironment(lat: number, lon: number): number {
  const s = Math.sin(lat * DEG);
  const cosmic = 2e-8 * (1 + 3 * s * s);
  const h = (Math.abs(lat) - 64) / 5;
  const horns = 3e-5 * Math.exp(-h * h);
  const dLat = (lat + 27) / 11;
  let dLon = lon + 50;
  dLon -= 360 * Math.floor((dLon + 180) / 360);
  dLon /= 28;
  const saa = 1.5e-4 * Math.exp(-0.5 * (dLat * dLat + dLon * dLon));
  return cosmic + horns + saa;
}

/** Thinner shielding (earlier letters) sees more dose. */
export function flavorScale(flavor: string): number {
  return { U: 2, V: 1.5, W: 1.2, X: 1, Y: 0.8, Z: 0.6 }[flavor] ?? 1;
}
