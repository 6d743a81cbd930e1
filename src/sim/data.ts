/**
 * The simulator's data set: every record is a pure function of (sensor, dosimeter,
 * descriptor, obTime, seed), so counts and page offsets are computed arithmetically and
 * pages are generated on the fly, without ever materialising a day.
 *
 * Timeline: one tick every 5 s; each available sensor yields DOSE1 and DOSE2 at every
 * tick, once per descriptor. Sub-second "extra" records sit strictly between two ticks.
 * Availability (gaps, empty days) is decided per sensor-hour, extras per sensor-hour too,
 * so whole days and hours can be counted without visiting their ticks.
 *
 * Order within one obTime: sensor (in sensors.json order), then DOSE1 before DOSE2, then
 * descriptor (in configured order).
 */

import { hash4, mix32, splitMs, stringHash, unit, uuidFromWords } from './hash.js';
import { doseEnvironment, flavorScale, orbitFor, positionAt, type Orbit, type Position } from './model.js';
import { formatUdlTime, type TimeBounds } from './query.js';
import { sensorIdentity, type SensorSpec } from './sensors.js';

export const TICK_MS = 5_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const TICKS_PER_HOUR = 720;
export const TICKS_PER_DAY = 17_280;

/** The only `source` and `dataMode` values the data set holds. */
export const SOURCE = 'Aerospace';
export const DATA_MODE = 'REAL';

/** Everything that shapes the data set. */
export interface DatasetConfig {
  readonly sensors: readonly SensorSpec[];
  readonly descriptors: readonly string[];
  /** Decides which sensor-hours are missing and where sub-second records fall. */
  readonly seed: number;
  /** About this share (0..1) of sensor-hours is missing, in per-sensor-day outages. */
  readonly gapShare: number;
  /** UTC day numbers (days since 1970-01-01) without any data. */
  readonly emptyDays: readonly number[];
  /** Extra sub-second records, as a share (0..1) of the regular ones. */
  readonly subSecondShare: number;
  /** First millisecond with data (inclusive). */
  readonly start: number;
  /** End of data (exclusive). */
  readonly end: number;
}

/** Which sensors and descriptors a query covers, as indices into the configured lists. */
export interface Selection {
  readonly sensors: readonly number[];
  readonly descriptors: readonly number[];
}

/** Exact-match filters of a query; `undefined` = no filter. */
export interface RecordFilter {
  readonly idSensor?: string | undefined;
  readonly source?: string | undefined;
  readonly dataMode?: string | undefined;
  readonly descriptor?: string | undefined;
}

const EMPTY_SELECTION: Selection = { sensors: [], descriptors: [] };

// Per hour, 24 of the 720 inter-tick intervals touch a 5-minute boundary ("edge" intervals);
// extras go there first, so that even a small share exercises boundary handling.
const TICKS_PER_WINDOW = 60;
const EDGE_SLOTS = 24;
const INNER_SLOTS = TICKS_PER_HOUR - EDGE_SLOTS;
const EDGE_MULTIPLIERS = [1, 5, 7, 11, 13, 17, 19, 23];
// Coprime with 696 = 2^3 * 3 * 29, so i -> i * m mod 696 is a permutation.
const INNER_MULTIPLIERS = [1, 5, 7, 11, 13, 17, 19, 23, 25, 31, 35, 37, 41, 43, 47, 49];

const SALT_OUTAGE = 0x6a09e667;
const SALT_FLAKY = 0xbb67ae85;
const SALT_EXTRA = 0x3c6ef372;
const SALT_OFFSET = 0xa54ff53a;
const SALT_VALUE = 0x510e527f;
const SALT_ID = 0x9b05688c;
const SALT_TIMES = 0x1f83d9ab;
const SALT_PARTICLE = 0x5be0cd19;

const PARTICLE_TYPES = ['PROTONS', 'PROTONS+ELECTRONS', 'ELECTRONS'] as const;
const QUALITIES = ['0', '4', '16'] as const;
const FILL_VALUE = -1e31;

const SEO_PREFIX = '","seoList":[{"obType":"Energetic Charged Particle","obUoM":"rad/second","obValue":';
const RECORD_END = '","createdBy":"system.reach","source":"Aerospace","dataMode":"REAL","origNetwork":"OPS1"}';

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
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

/**
 * The sensors of one selection available during one hour, with their extras plan.
 * Arrays are aligned with `sensors`.
 */
export interface HourPlan {
  readonly hour: number;
  readonly start: number;
  readonly sensors: readonly number[];
  readonly extras: readonly number[];
  readonly edgeMul: readonly number[];
  readonly edgeZero: readonly number[];
  readonly innerMul: readonly number[];
  readonly innerAdd: readonly number[];
  readonly extrasTotal: number;
}

/** Where a page starts: a group (the tick or the extras of interval `j`) and an offset in it. */
export interface CursorStart {
  readonly plan: HourPlan;
  readonly j: number;
  readonly phase: 0 | 1;
  readonly member: number;
}

/** Offset in ms of the extras after tick `j` of hour `hour`; strictly between two ticks. */
export function extraOffsetMs(hour: number, j: number): number {
  const w = j % TICKS_PER_WINDOW;
  if (w === TICKS_PER_WINDOW - 1) return TICK_MS - 1;
  // Alternate boundary + 1 ms and boundary + 500 ms; the first window of a day gets + 1 ms.
  if (w === 0) return ((hour * 12 + j / TICKS_PER_WINDOW) & 1) === 0 ? 1 : 500;
  return 1 + (hash4(SALT_OFFSET, hour, j) % (TICK_MS - 1));
}

/**
 * Rank of interval `j` in an hour's extras order (extras fill ranks 0..n-1): edge intervals
 * interleaved with inner ones, each shuffled by a per-sensor-hour permutation.
 */
function extraRank(j: number, edgeMul: number, edgeZero: number, innerMul: number, innerAdd: number): number {
  const w = j % TICKS_PER_WINDOW;
  const window = (j - w) / TICKS_PER_WINDOW;
  if (w === 0 || w === TICKS_PER_WINDOW - 1) {
    const edge = window * 2 + (w === 0 ? 0 : 1);
    return (((edge - edgeZero + EDGE_SLOTS) % EDGE_SLOTS) * edgeMul % EDGE_SLOTS) * 2;
  }
  const inner = ((window * (TICKS_PER_WINDOW - 2) + w - 1) * innerMul + innerAdd) % INNER_SLOTS;
  return inner < EDGE_SLOTS ? inner * 2 + 1 : inner + EDGE_SLOTS;
}

export class Dataset {
  readonly sensorIds: readonly string[];
  readonly descriptors: readonly string[];
  private readonly models: readonly SensorModel[];
  private readonly descriptorKeys: readonly number[];
  private readonly descriptorVaries: readonly boolean[];
  private readonly emptyDays: ReadonlySet<number>;
  private readonly extrasBase: number;
  private readonly extrasFraction: number;
  private readonly dayMemo = new Map<number, number>();

  constructor(private readonly config: DatasetConfig) {
    this.sensorIds = config.sensors.map((s) => s.id);
    this.descriptors = [...config.descriptors];
    this.descriptorKeys = config.descriptors.map(stringHash);
    // QUICKLOOK is the reference; other descriptors are "reprocessed" and differ slightly.
    this.descriptorVaries = config.descriptors.map((d) => d !== 'QUICKLOOK');
    this.emptyDays = new Set(config.emptyDays);
    const perHour = config.subSecondShare * TICKS_PER_HOUR;
    this.extrasBase = Math.floor(perHour);
    this.extrasFraction = perHour - this.extrasBase;
    this.models = config.sensors.map((spec, index) => this.buildModel(spec, index));
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

  /** Resolves exact-match filters to a selection; a value matching nothing selects nothing. */
  select(filter: RecordFilter): Selection {
    if (filter.source !== undefined && filter.source !== SOURCE) return EMPTY_SELECTION;
    if (filter.dataMode !== undefined && filter.dataMode !== DATA_MODE) return EMPTY_SELECTION;
    const sensors =
      filter.idSensor === undefined ? this.sensorIds.map((_, i) => i) : [this.sensorIds.indexOf(filter.idSensor)];
    const descriptors =
      filter.descriptor === undefined ? this.descriptors.map((_, i) => i) : [this.descriptors.indexOf(filter.descriptor)];
    if (sensors.includes(-1) || descriptors.includes(-1)) return EMPTY_SELECTION;
    return { sensors, descriptors };
  }

  /** The outage of a sensor on a day, as [first hour, number of hours]. */
  private outage(s: number, day: number): [number, number] {
    const share = this.config.gapShare;
    if (share <= 0) return [0, 0];
    if (share >= 1) return [0, 24];
    const key = (this.models[s] as SensorModel).key;
    // A per-sensor flakiness times a per-day draw: some sensors are worse than others, and a
    // days x sensors heatmap shows rows and blotches rather than uniform noise.
    const flaky = 2 * unit(hash4(this.config.seed ^ SALT_FLAKY, key));
    const today = 2 * unit(hash4(this.config.seed ^ SALT_OUTAGE, key, day));
    const hours = Math.round(24 * Math.min(1, share * flaky * today));
    const first = hours === 24 ? 0 : hash4(this.config.seed ^ SALT_OUTAGE, key, day, 1) % (25 - hours);
    return [first, hours];
  }

  private extrasIn(key: number, hour: number): number {
    if (this.extrasBase === 0 && this.extrasFraction === 0) return 0;
    const h = hash4(this.config.seed ^ SALT_EXTRA, key, hour, 1);
    return this.extrasBase + (unit(h) < this.extrasFraction ? 1 : 0);
  }

  private hourPlan(sel: Selection, hour: number): HourPlan {
    const sensors: number[] = [];
    const extras: number[] = [];
    const edgeMul: number[] = [];
    const edgeZero: number[] = [];
    const innerMul: number[] = [];
    const innerAdd: number[] = [];
    let extrasTotal = 0;
    const day = floorDiv(hour, 24);
    if (!this.emptyDays.has(day)) {
      const inDay = hour - day * 24;
      for (const s of sel.sensors) {
        const [first, hours] = this.outage(s, day);
        if (inDay >= first && inDay < first + hours) continue;
        const key = (this.models[s] as SensorModel).key;
        const n = this.extrasIn(key, hour);
        const h = hash4(this.config.seed ^ SALT_EXTRA, key, hour, 2);
        sensors.push(s);
        extras.push(n);
        edgeMul.push(EDGE_MULTIPLIERS[h & 7] as number);
        // The intervals either side of midnight always come first: day boundaries must be tested.
        edgeZero.push(inDay === 0 ? 0 : inDay === 23 ? EDGE_SLOTS - 1 : (h >>> 3) % EDGE_SLOTS);
        innerMul.push(INNER_MULTIPLIERS[(h >>> 8) & 15] as number);
        innerAdd.push((h >>> 12) % INNER_SLOTS);
        extrasTotal += n;
      }
    }
    return { hour, start: hour * HOUR_MS, sensors, extras, edgeMul, edgeZero, innerMul, innerAdd, extrasTotal };
  }

  private hasExtra(plan: HourPlan, k: number, j: number): boolean {
    const n = plan.extras[k] as number;
    if (n === 0) return false;
    if (n >= TICKS_PER_HOUR) return true;
    return (
      extraRank(j, plan.edgeMul[k] as number, plan.edgeZero[k] as number, plan.innerMul[k] as number, plan.innerAdd[k] as number) <
      n
    );
  }

  /** @internal indices into `plan.sensors` of the sensors with an extra record after tick `j`. */
  extraMembers(plan: HourPlan, j: number): number[] {
    const members: number[] = [];
    if (plan.extrasTotal === 0) return members;
    for (let k = 0; k < plan.sensors.length; k++) if (this.hasExtra(plan, k, j)) members.push(k);
    return members;
  }

  /** Timestamps (ticks + extras) of sensor `s` on day `day`, when the whole day is in range. */
  private dayTimestamps(s: number, day: number): number {
    if (this.emptyDays.has(day)) return 0;
    if (this.config.gapShare <= 0 && this.extrasBase === 0 && this.extrasFraction === 0) return TICKS_PER_DAY;
    const memoKey = day * 4096 + s;
    const memo = this.dayMemo.get(memoKey);
    if (memo !== undefined) return memo;
    const [first, hours] = this.outage(s, day);
    const key = (this.models[s] as SensorModel).key;
    let total = 0;
    for (let h = 0; h < 24; h++) {
      if (h >= first && h < first + hours) continue;
      total += TICKS_PER_HOUR + this.extrasIn(key, day * 24 + h);
    }
    // Unbounded queries may touch thousands of days; keep the memo from growing without end.
    if (this.dayMemo.size >= 1_000_000) this.dayMemo.clear();
    this.dayMemo.set(memoKey, total);
    return total;
  }

  private dayRecords(sel: Selection, day: number): number {
    let total = 0;
    for (const s of sel.sensors) total += this.dayTimestamps(s, day);
    return total * 2 * sel.descriptors.length;
  }

  /** Records of an hour plan within [a, b] (both inside the plan's hour). */
  private hourRecords(plan: HourPlan, a: number, b: number, perSensor: number): number {
    const hs = plan.start;
    const firstTick = Math.ceil((a - hs) / TICK_MS);
    const lastTick = Math.floor((b - hs) / TICK_MS);
    let stamps = lastTick >= firstTick ? (lastTick - firstTick + 1) * plan.sensors.length : 0;
    if (plan.extrasTotal > 0) {
      if (a === hs && b === hs + HOUR_MS - 1) {
        stamps += plan.extrasTotal;
      } else {
        for (let j = Math.floor((a - hs) / TICK_MS); j <= lastTick && j < TICKS_PER_HOUR; j++) {
          const t = hs + j * TICK_MS + extraOffsetMs(plan.hour, j);
          if (t >= a && t <= b) stamps += this.extraMembers(plan, j).length;
        }
      }
    }
    return stamps * perSensor;
  }

  private clip(bounds: TimeBounds): [number, number] {
    return [Math.max(bounds.from, this.config.start), Math.min(bounds.to, this.config.end - 1)];
  }

  /** Number of records of `sel` with obTime in `bounds`. */
  count(sel: Selection, bounds: TimeBounds): number {
    const [lo, hi] = this.clip(bounds);
    const perSensor = 2 * sel.descriptors.length;
    if (lo > hi || sel.sensors.length === 0 || perSensor === 0) return 0;
    let total = 0;
    let t = lo;
    while (t <= hi) {
      const dayStart = floorDiv(t, DAY_MS) * DAY_MS;
      if (t === dayStart && dayStart + DAY_MS - 1 <= hi) {
        total += this.dayRecords(sel, dayStart / DAY_MS);
        t = dayStart + DAY_MS;
        continue;
      }
      const hour = floorDiv(t, HOUR_MS);
      const hourEnd = (hour + 1) * HOUR_MS - 1;
      total += this.hourRecords(this.hourPlan(sel, hour), t, Math.min(hi, hourEnd), perSensor);
      t = hourEnd + 1;
    }
    return total;
  }

  private locate(sel: Selection, lo: number, hi: number, skip: number): CursorStart | undefined {
    const perSensor = 2 * sel.descriptors.length;
    let t = lo;
    while (t <= hi) {
      const dayStart = floorDiv(t, DAY_MS) * DAY_MS;
      if (t === dayStart && dayStart + DAY_MS - 1 <= hi) {
        const records = this.dayRecords(sel, dayStart / DAY_MS);
        if (records <= skip) {
          skip -= records;
          t = dayStart + DAY_MS;
          continue;
        }
      }
      const hour = floorDiv(t, HOUR_MS);
      const hs = hour * HOUR_MS;
      const b = Math.min(hi, hs + HOUR_MS - 1);
      const plan = this.hourPlan(sel, hour);
      const records = this.hourRecords(plan, t, b, perSensor);
      if (records <= skip) {
        skip -= records;
        t = hs + HOUR_MS;
        continue;
      }
      for (let j = Math.floor((t - hs) / TICK_MS); j < TICKS_PER_HOUR; j++) {
        const tick = hs + j * TICK_MS;
        if (tick >= t && tick <= b) {
          const size = plan.sensors.length * perSensor;
          if (size > skip) return { plan, j, phase: 0, member: skip };
          skip -= size;
        }
        const extra = tick + extraOffsetMs(hour, j);
        if (extra >= t && extra <= b) {
          const size = this.extraMembers(plan, j).length * perSensor;
          if (size > skip) return { plan, j, phase: 1, member: skip };
          skip -= size;
        }
      }
      throw new Error(`internal: hour ${hour} holds ${records} records but its groups fewer`);
    }
    return undefined;
  }

  /**
   * A cursor over the records of `sel` in `bounds`, in UDL order, skipping the first
   * `firstResult` and yielding at most `maxResults`.
   */
  cursor(sel: Selection, bounds: TimeBounds, firstResult: number, maxResults: number): RecordCursor {
    const [lo, hi] = this.clip(bounds);
    const empty = lo > hi || sel.sensors.length === 0 || sel.descriptors.length === 0 || maxResults <= 0;
    const start = empty ? undefined : this.locate(sel, lo, hi, firstResult);
    return new RecordCursor(this, sel, hi, start, maxResults);
  }

  /** @internal used by {@link RecordCursor} */
  nextPlan(sel: Selection, hour: number, hi: number): HourPlan | undefined {
    for (let h = hour; h * HOUR_MS <= hi; h++) {
      const plan = this.hourPlan(sel, h);
      if (plan.sensors.length > 0) return plan;
    }
    return undefined;
  }

  /** @internal used by {@link RecordCursor}: [genTime head, createdAt tail] per plan sensor and descriptor. */
  hourStrings(sel: Selection, plan: HourPlan): { heads: string[][]; tails: string[][] } {
    const heads: string[][] = [];
    const tails: string[][] = [];
    const dayStart = floorDiv(plan.start, DAY_MS) * DAY_MS;
    for (const s of plan.sensors) {
      const model = this.models[s] as SensorModel;
      const h: string[] = [];
      const t: string[] = [];
      for (const di of sel.descriptors) {
        const descKey = this.descriptorKeys[di] as number;
        const batch = hash4(SALT_TIMES, descKey, plan.hour);
        const own = hash4(SALT_TIMES, descKey, plan.hour, model.key);
        // QUICKLOOK is produced ~90 min after the hour in batches; reprocessed data days later.
        const gen = this.descriptorVaries[di]
          ? dayStart + 2 * DAY_MS + 13 * HOUR_MS + (batch % HOUR_MS)
          : plan.start + 90 * 60_000 + (batch % 30_000);
        const created = gen + 10_000 + (own % 80_000);
        h.push(`","classificationMarking":"U","dataType":"ECP","genTime":"${formatUdlTime(gen)}${model.identity}`);
        t.push(formatUdlTime(created) + RECORD_END);
      }
      heads.push(h);
      tails.push(t);
    }
    return { heads, tails };
  }

  /** @internal used by {@link RecordCursor}: all records of one sensor at one obTime, from `from` to `to` (exclusive). */
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
    const model = this.models[s] as SensorModel;
    positionAt(model.orbit, t, pos);
    const place = `${pos.lat},"lon":${pos.lon},"alt":${pos.alt},"senPos":[${pos.x},${pos.y},${pos.z}],"obSetId":"REACH_`;
    const env = doseEnvironment(pos.lat, pos.lon);
    const [tLo, tHi] = splitMs(t);
    const nDesc = sel.descriptors.length;
    let out = '';
    for (let r = from; r < to; r++) {
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
        value = env * (model.scale[dose] as number) * (0.5 + unit(mix32(v)));
        if (this.descriptorVaries[di]) value *= 0.97 + 0.06 * unit(w4);
        quality = u < 0.2 ? 2 : 0;
      }
      out +=
        (r === from ? '{"id":"' : ',{"id":"') +
        id +
        head[d] +
        place +
        model.doseMid[dose] +
        obTime +
        SEO_PREFIX +
        value +
        ((model.qualityTail[quality] as string[][])[dose] as string[])[di] +
        tail[d];
    }
    return out;
  }
}

/**
 * Yields the records of one page as JSON text, a slice at a time, so a server can write a
 * 10,000-row page with backpressure without ever holding it whole.
 */
export class RecordCursor {
  private plan: HourPlan | undefined;
  private strings: { heads: string[][]; tails: string[][] } | undefined;
  private j: number;
  private phase: 0 | 1;
  private member: number;
  private left: number;
  private readonly perSensor: number;
  private readonly pos: Position = { lat: 0, lon: 0, alt: 0, x: 0, y: 0, z: 0 };

  /** @internal created by {@link Dataset.cursor} */
  constructor(
    private readonly dataset: Dataset,
    private readonly sel: Selection,
    private readonly hi: number,
    start: CursorStart | undefined,
    maxResults: number,
  ) {
    this.plan = start?.plan;
    this.j = start?.j ?? 0;
    this.phase = start?.phase ?? 0;
    this.member = start?.member ?? 0;
    this.left = start === undefined ? 0 : maxResults;
    this.perSensor = 2 * sel.descriptors.length;
  }

  /** Rows this cursor may still yield (an upper bound: the data may end first). */
  get remaining(): number {
    return this.left;
  }

  /**
   * Up to `maxRows` more records as JSON objects joined by commas (no brackets), or '' at
   * the end. Callers put a comma between consecutive non-empty slices.
   */
  next(maxRows: number): string {
    let out = '';
    let budget = Math.min(maxRows, this.left);
    while (budget > 0 && this.plan !== undefined) {
      const plan = this.plan;
      const tick = plan.start + this.j * TICK_MS;
      const t = this.phase === 0 ? tick : tick + extraOffsetMs(plan.hour, this.j);
      if (t > this.hi) {
        this.plan = undefined;
        break;
      }
      const members = this.phase === 0 ? undefined : this.dataset.extraMembers(plan, this.j);
      const size = (members === undefined ? plan.sensors.length : members.length) * this.perSensor;
      if (this.member < size) {
        this.strings ??= this.dataset.hourStrings(this.sel, plan);
        const obTime = formatUdlTime(t);
        while (this.member < size && budget > 0) {
          const m = (this.member / this.perSensor) | 0;
          const k = members === undefined ? m : (members[m] as number);
          const from = this.member - m * this.perSensor;
          const to = Math.min(this.perSensor, from + budget);
          const json = this.dataset.writeSensor(
            this.sel,
            plan.sensors[k] as number,
            t,
            obTime,
            this.strings.heads[k] as string[],
            this.strings.tails[k] as string[],
            from,
            to,
            this.pos,
          );
          out += out === '' ? json : ',' + json;
          budget -= to - from;
          this.left -= to - from;
          this.member += to - from;
        }
        if (this.member < size) break;
      }
      this.advance();
    }
    return out;
  }

  private advance(): void {
    this.member = 0;
    if (this.phase === 0) {
      this.phase = 1;
      return;
    }
    this.phase = 0;
    if (++this.j < TICKS_PER_HOUR) return;
    this.j = 0;
    this.strings = undefined;
    this.plan = this.dataset.nextPlan(this.sel, (this.plan as HourPlan).hour + 1, this.hi);
  }
}
