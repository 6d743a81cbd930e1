/**
 * The JSON text of synthetic records. Every value is a pure function of (sensor, dosimeter,
 * descriptor, obTime), and every string fragment that never changes is built once per sensor,
 * so that a 10,000-row page is mostly string concatenation.
 */

import { hash4, mix32, splitMs, stringHash, unit, uuidFromWords } from './hash.js';
import { doseEnvironment, flavorScale, orbitFor, positionAt, type Orbit, type Position } from './model.js';
import { formatUdlTime } from './query.js';
import { sensorIdentity, type SensorSpec } from './sensors.js';
import { DAY_MS, floorDiv, HOUR_MS } from './timeline.js';
import { badObTime, conflictValue, rowsOf, VARIANT_BAD_TIME, VARIANT_CONFLICT, VARIANT_DUPLICATE, VARIANT_NONE, type VariantKind } from './variants.js';

/** The only `source` and `dataMode` values the data set holds. */
export const SOURCE = 'Aerospace';
export const DATA_MODE = 'REAL';

const SALT_VALUE = 0x510e527f;
const SALT_ID = 0x9b05688c;
const SALT_TIMES = 0x1f83d9ab;
const SALT_PARTICLE = 0x5be0cd19;

const PARTICLE_TYPES = ['PROTONS', 'PROTONS+ELECTRONS', 'ELECTRONS'] as const;
const QUALITIES = ['0', '4', '16'] as const;
const FILL_VALUE = -1e31;

const SEO_PREFIX = '","seoList":[{"obType":"Energetic Charged Particle","obUoM":"rad/second","obValue":';
const RECORD_END = '","createdBy":"system.reach","source":"Aerospace","dataMode":"REAL","origNetwork":"OPS1"}';

/** Which sensors and descriptors a query covers, as indices into the configured lists. */
export interface Selection {
  readonly sensors: readonly number[];
  readonly descriptors: readonly number[];
}

/** Precomputed per-sensor constants: hash keys, orbit and every string fragment that never changes. */
interface SensorModel {
  readonly key: number;
  readonly orbit: Orbit;
  /** From `","idOnOrbit"` up to `"lat":`. */
  readonly identity: string;
  readonly scale: readonly [number, number];
  /** Per dosimeter: `X","particleType":"…","obTime":"`. */
  readonly doseMid: readonly [string, string];
  /** [quality][dosimeter][descriptor]: `,"obQuality":"0",…,"createdAt":"`. */
  readonly qualityTail: readonly (readonly (readonly string[])[])[];
}

/** What the rows of one sensor at one time share. */
interface Placement {
  readonly model: SensorModel;
  readonly key: number;
  readonly tLo: number;
  readonly tHi: number;
  /** Dose rate of the environment at the position. */
  readonly env: number;
  /** From `lat`'s value up to `"obSetId":"REACH_`. */
  readonly text: string;
}

/** Per plan sensor and selected descriptor: the text before `lat` and the text after `createdAt":"`. */
export interface HourStrings {
  readonly heads: string[][];
  readonly tails: string[][];
}

export class RecordWriter {
  /** Per sensor: the hash key every per-sensor draw starts from. */
  readonly keys: readonly number[];
  readonly descriptorKeys: readonly number[];
  private readonly models: readonly SensorModel[];
  private readonly descriptorVaries: readonly boolean[];

  constructor(
    sensors: readonly SensorSpec[],
    private readonly descriptors: readonly string[],
  ) {
    this.descriptorKeys = descriptors.map(stringHash);
    // QUICKLOOK is the reference; other descriptors are "reprocessed" and differ slightly.
    this.descriptorVaries = descriptors.map((d) => d !== 'QUICKLOOK');
    this.models = sensors.map((spec, index) => this.buildModel(spec, index));
    this.keys = this.models.map((m) => m.key);
  }

  private buildModel(spec: SensorSpec, index: number): SensorModel {
    const key = stringHash(spec.id);
    const ident = sensorIdentity(spec, index);
    const identity =
      `","idOnOrbit":"${ident.satNo}","satNo":${ident.satNo},"idSensor":"${spec.id}",` +
      `"origSensorId":"${ident.origSensorId}","observatoryType":"ONORBIT",` +
      `"observatoryName":"${ident.observatoryName}","instrumentType":"DOSIMETER","lat":`;
    const doseMid = spec.flavors.map((flavor, dose) => {
      const u = unit(hash4(SALT_PARTICLE, key, dose));
      const particle = PARTICLE_TYPES[u < 0.7 ? 0 : u < 0.9 ? 1 : 2];
      return `${flavor}","particleType":"${particle}","obTime":"`;
    }) as unknown as [string, string];
    const qualityTail = QUALITIES.map((q) =>
      spec.flavors.map((flavor, dose) =>
        this.descriptors.map(
          (descriptor) =>
            `,"obQuality":"${q}","obDescription":"DOSE${dose + 1} (Flavor ${flavor}) in rad/second"}],` +
            `"descriptor":"${descriptor}","createdAt":"`,
        ),
      ),
    );
    return {
      key,
      orbit: orbitFor(index, key),
      identity,
      scale: [flavorScale(spec.flavors[0]), flavorScale(spec.flavors[1])],
      doseMid,
      qualityTail,
    };
  }

  /** The genTime/createdAt fragments of the given sensors for one hour (starting at `hourStart`). */
  hourStrings(sel: Selection, sensors: readonly number[], hourStart: number): HourStrings {
    const hour = hourStart / HOUR_MS;
    const heads: string[][] = [];
    const tails: string[][] = [];
    const dayStart = floorDiv(hourStart, DAY_MS) * DAY_MS;
    for (const s of sensors) {
      const model = this.models[s] as SensorModel;
      const h: string[] = [];
      const t: string[] = [];
      for (const di of sel.descriptors) {
        const descKey = this.descriptorKeys[di] as number;
        const batch = hash4(SALT_TIMES, descKey, hour);
        const own = hash4(SALT_TIMES, descKey, hour, model.key);
        // QUICKLOOK is produced ~90 min after the hour in batches; reprocessed data days later.
        const gen = this.descriptorVaries[di]
          ? dayStart + 2 * DAY_MS + 13 * HOUR_MS + (batch % HOUR_MS)
          : hourStart + 90 * 60_000 + (batch % 30_000);
        const created = gen + 10_000 + (own % 80_000);
        h.push(`","classificationMarking":"U","dataType":"ECP","genTime":"${formatUdlTime(gen)}${model.identity}`);
        t.push(formatUdlTime(created) + RECORD_END);
      }
      heads.push(h);
      tails.push(t);
    }
    return { heads, tails };
  }

  /**
   * Records `from` to `to` (exclusive) of sensor `s` at time `t`, in order DOSE1 then DOSE2,
   * each in the selection's descriptor order, joined by commas.
   */
  writeSensor(
    sel: Selection,
    s: number,
    t: number,
    obTime: string,
    head: readonly string[],
    tail: readonly string[],
    from: number,
    to: number,
    pos: Position,
  ): string {
    const at = this.place(s, t, pos);
    let out = '';
    for (let r = from; r < to; r++) {
      out += (r === from ? '' : ',') + this.record(sel, at, obTime, head, tail, r, VARIANT_NONE);
    }
    return out;
  }

  /**
   * Like {@link writeSensor} with variants: `kinds[r]` says what becomes of row `r`, and
   * `from`/`to` count rows after duplication (a pair takes two), so a page may end between
   * a record and its twin.
   */
  writeSensorVariants(
    sel: Selection,
    s: number,
    t: number,
    obTime: string,
    head: readonly string[],
    tail: readonly string[],
    kinds: readonly VariantKind[],
    from: number,
    to: number,
    pos: Position,
  ): string {
    const at = this.place(s, t, pos);
    const parts: string[] = [];
    let row = 0;
    for (let r = 0; r < kinds.length && row < to; r++) {
      const kind = kinds[r] as VariantKind;
      const first = row;
      row += rowsOf(kind);
      if (row <= from) continue;
      if (kind === VARIANT_BAD_TIME) {
        parts.push(this.record(sel, at, badObTime(obTime, at.tLo ^ Math.imul(r + 1, at.key)), head, tail, r, kind));
        continue;
      }
      const record = this.record(sel, at, obTime, head, tail, r, VARIANT_NONE);
      if (first >= from) parts.push(record);
      if (kind === VARIANT_DUPLICATE && row <= to) parts.push(record);
      if (kind === VARIANT_CONFLICT && row <= to) parts.push(this.record(sel, at, obTime, head, tail, r, kind));
    }
    return parts.join(',');
  }

  /** Everything about sensor `s` at time `t` that its rows share. */
  private place(s: number, t: number, pos: Position): Placement {
    const model = this.models[s] as SensorModel;
    positionAt(model.orbit, t, pos);
    const [tLo, tHi] = splitMs(t);
    return {
      model,
      key: model.key,
      tLo,
      tHi,
      env: doseEnvironment(pos.lat, pos.lon),
      text: `${pos.lat},"lon":${pos.lon},"alt":${pos.alt},"senPos":[${pos.x},${pos.y},${pos.z}],"obSetId":"REACH_`,
    };
  }

  /** Row `r` of a sensor at a time as JSON; a conflict variant carries another obValue. */
  private record(
    sel: Selection,
    at: Placement,
    obTime: string,
    head: readonly string[],
    tail: readonly string[],
    r: number,
    kind: VariantKind,
  ): string {
    const { model, tLo, tHi } = at;
    const nDesc = sel.descriptors.length;
    const dose = (r / nDesc) | 0;
    const d = r - dose * nDesc;
    const di = sel.descriptors[d] as number;
    const a = (model.key + Math.imul(dose + 1, 0x9e3779b1)) | 0;
    const v = hash4(a ^ SALT_VALUE, tLo, tHi);
    const descKey = this.descriptorKeys[di] as number;
    const w1 = hash4(a, tLo, tHi, descKey);
    const w3 = hash4(a ^ SALT_ID, tLo, tHi, descKey ^ SALT_ID);
    const w4 = mix32(w1 ^ Math.imul(w3, 0x2545f491));
    const id = uuidFromWords(w1, mix32(w3 ^ 0x68e31da4), w3, w4);
    const u = unit(v);
    let value: number;
    let quality: number;
    if (u < 0.02) {
      value = FILL_VALUE;
      quality = 0;
    } else if (u < 0.17) {
      value = 0;
      quality = u < 0.05 ? 1 : 0;
    } else {
      value = at.env * (model.scale[dose] as number) * (0.5 + unit(mix32(v)));
      if (this.descriptorVaries[di]) value *= 0.97 + 0.06 * unit(w4);
      quality = u < 0.2 ? 2 : 0;
    }
    if (kind === VARIANT_CONFLICT) value = conflictValue(value);
    return (
      '{"id":"' +
      id +
      head[d] +
      at.text +
      model.doseMid[dose] +
      obTime +
      SEO_PREFIX +
      value +
      ((model.qualityTail[quality] as string[][])[dose] as string[])[di] +
      tail[d]
    );
  }
}
