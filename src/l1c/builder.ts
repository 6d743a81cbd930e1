/**
 * L1C builder: records in, one at a time, then the day's arrays (PROCESSING.md 3.3-3.8).
 *
 * add() maps each record's strings to indices (time row, sensor column, description slot; interned
 * copies, never the input strings), parses its numbers, and keeps it in its cell only if it is the first
 * or has a greater createdAt than the cell's record (dedup key = idSensor, obDescription, obTime as exact
 * strings). createdAt is kept as an order-preserving number (text only for unusual forms, interned).
 * lat/lon/alt/obQuality/senPos per (time, sensor) come from the winning record of the sensor's first
 * description in sorted order (the reference leaves the choice open; this one does not depend on input order).
 * finish() sorts the axes and permutes the cells into the product's layout (assemble.ts).
 */
import { Tt2000Error, utcToTt2000 } from '../cdf/index.js';
import { assemble, type L1cProduct } from './assemble.js';
import { L1cInputError, L1cOptionsError, quote, type L1cInputCode } from './errors.js';
import { EMPTY, FILL, Grid, PER_SENSOR_FIELDS } from './grid.js';
import { sensorForObservatory } from './imputation.js';
import { checkDay } from './naming.js';
import { NUM, type L1cRecord } from './record.js';
import { createdAtKeyInto, createdAtText, detach, msOfDay, parseNumberInto, result } from './text.js';

export interface L1cStats {
  /** Records given to add(). */
  records: number;
  /** Records without idSensor whose observatoryName is not in the imputation table. */
  droppedNoSensor: number;
  /** Records whose obTime is outside [day, next day) (e.g. the next day's 00:00:00 the download adds). */
  droppedOutsideDay: number;
  /** Records that lost to, or were replaced by, a record with the same idSensor, obDescription, obTime. */
  duplicates: number;
  /** Records in the product: one per (time, sensor, description). */
  cells: number;
}

export type L1cResult =
  /** No record survived: the caller records the day as having no data; no file is written. */
  | { readonly kind: 'no-data'; readonly stats: L1cStats }
  | { readonly kind: 'data'; readonly stats: L1cStats; readonly product: L1cProduct };

const INT4_MAX = 2 ** 31 - 1;
const NS_PER_MS = 1_000_000n;

export class L1cBuilder {
  private readonly day: string;
  private readonly dayStart: bigint;
  private readonly dayEnd: bigint;
  private readonly stats: L1cStats = { records: 0, droppedNoSensor: 0, droppedOutsideDay: 0, duplicates: 0, cells: 0 };
  private descriptor: string | undefined;
  private readonly grid = new Grid();
  /** finish() rewrites the grid in place into the product: no more records after it. */
  private finished = false;

  /** obTime text -> time id; per id its text and row (-1: outside the day). */
  private readonly timeIds = new Map<string, number>();
  private readonly timeText: string[] = [];
  private readonly timeRow: number[] = [];
  private lastTimeId = -1;
  /** Per row: TT2000 and time id. */
  private readonly rowTt: bigint[] = [];
  private readonly rowTime: number[] = [];

  private readonly sensorCols = new Map<string, number>();
  /** The idSensor looked up last and its column: a sensor's two dosimeter records come one after the other. */
  private lastSensor: string | undefined;
  private lastCol = -1;
  private readonly sensorText: string[] = [];
  private readonly sensorNum: number[] = [];

  private readonly descIds = new Map<string, number>();
  private readonly descText: string[] = [];
  /** Per column: description id -> slot, slot -> description id, slot -> rank of its text among the column's. */
  private readonly colSlotOf: number[][] = [];
  /**
   * Per column, the two descriptions it was last asked for and their slots, newest first: a sensor's
   * dosimeter records alternate between its two, so most records find theirs here without a Map lookup.
   */
  private readonly recentDesc: string[] = [];
  private readonly recentSlot: number[] = [];
  private readonly colDescs: number[][] = [];
  private readonly colRank: number[][] = [];

  /**
   * Per column x 7 fields: the last record's text and value, and per column that record's row (see
   * field()). Holds at most 7 input strings per sensor, until finish().
   */
  private lastText: Array<string | undefined> = [];
  private lastValue: number[] = [];
  private readonly lastRow: number[] = [];
  /** This record's lat, lon, alt, obQuality, senPos0..2 (fill for missing). */
  private readonly values = new Float64Array(PER_SENSOR_FIELDS);

  /** The createdAt of the record before and its key (NaN: not canonical), until finish(). */
  private lastCreated = '';
  private lastCreatedKey = Number.NaN;
  /** createdAt texts not in the canonical form, interned; a key -(i + 1) refers to createdText[i]. */
  private readonly createdIds = new Map<string, number>();
  private readonly createdText: string[] = [];

  /** `day` = the UTC day (YYYY-MM-DD) being processed. */
  constructor(day: string) {
    this.day = checkDay(day);
    this.dayStart = utcToTt2000(`${day}T00:00:00`);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    this.dayEnd = utcToTt2000(`${next}T00:00:00`);
  }

  private fail(code: L1cInputCode, reason: string): never {
    throw new L1cInputError(code, `record ${this.stats.records}: ${reason}`);
  }

  /**
   * A per-sensor field -> values[k] (fill for missing or NaN): the record's numbers[n], else its text. The
   * two dosimeter rows of a (time, sensor) carry the same text, so when the column's last record had this
   * time (`sameRow`) and the same text, its value is reused: one comparison instead of a parse. The number
   * is read here, not passed in: a double passed to a call V8 does not inline is boxed, and these 7 per
   * record made ~65 MB of garbage an ALL day (heap sampling: add()'s allocations went from 140 to 73 MB).
   */
  private field(numbers: Float64Array, n: number, text: string, name: string, at: number, k: number, sameRow: boolean): void {
    const values = this.values;
    const num = numbers[n]!;
    if (!Number.isNaN(num)) {
      // Read from the bytes by the reader: no text to compare or parse, and none for the next record.
      values[k] = num;
      this.lastText[at] = undefined;
      return;
    }
    if (sameRow && text === this.lastText[at]) {
      values[k] = this.lastValue[at]!;
      return;
    }
    if (!parseNumberInto(text)) this.fail('ERR_L1C_NOT_NUMERIC', `${name} is not a number: ${quote(text)}`);
    const v = result[0]!;
    values[k] = Number.isNaN(v) ? FILL : v;
    this.lastText[at] = text;
    this.lastValue[at] = values[k]!;
  }

  add(r: L1cRecord): void {
    if (this.finished) throw new L1cOptionsError('add() after finish()');
    const stats = this.stats;
    stats.records++;
    const descriptor = r.descriptor;
    if (descriptor === undefined) this.fail('ERR_L1C_NO_DESCRIPTOR', 'no descriptor column');
    if (this.descriptor === undefined) this.descriptor = detach(descriptor);
    else if (descriptor !== this.descriptor) {
      this.fail('ERR_L1C_MIXED_DESCRIPTORS', `descriptor ${quote(descriptor)} differs from ${quote(this.descriptor)} of the records before`);
    }
    const col = this.column(r.idSensor, r.observatoryName);
    if (col < 0) {
      stats.droppedNoSensor++;
      return;
    }
    if (r.seoCount < 1) this.fail('ERR_L1C_EMPTY_SEO_LIST', 'empty seoList');
    if (r.senPosCount < 3) this.fail('ERR_L1C_SHORT_SEN_POS', `senPos has ${r.senPosCount} items, 3 needed`);
    const at = col * PER_SENSOR_FIELDS;
    const row = this.row(r.obTime);
    const sameRow = row >= 0 && this.lastRow[col] === row;
    const n = r.numbers;
    this.field(n, NUM.lat, r.lat, 'lat', at, 0, sameRow);
    this.field(n, NUM.lon, r.lon, 'lon', at + 1, 1, sameRow);
    this.field(n, NUM.alt, r.alt, 'alt', at + 2, 2, sameRow);
    this.field(n, NUM.obQuality, r.obQuality, 'obQuality', at + 3, 3, sameRow);
    this.field(n, NUM.senPos0, r.senPos0, 'senPos[0]', at + 4, 4, sameRow);
    this.field(n, NUM.senPos1, r.senPos1, 'senPos[1]', at + 5, 5, sameRow);
    this.field(n, NUM.senPos2, r.senPos2, 'senPos[2]', at + 6, 6, sameRow);
    this.lastRow[col] = row;
    const given = n[NUM.obValue]!;
    const value = !Number.isNaN(given) ? given : parseNumberInto(r.obValue) ? result[0]! : NaN;
    if (row < 0) {
      stats.droppedOutsideDay++;
      return;
    }
    const slot = this.slot(col, r.obDescription);
    const grid = this.grid;
    const cell = row * grid.sensorCap + col;
    const i = cell * grid.slotCap + slot;
    const old = grid.key[i]!;
    // A sensor's two dosimeter records share their createdAt (the reader gives them one string).
    if (r.createdAt !== this.lastCreated) {
      this.lastCreated = r.createdAt;
      this.lastCreatedKey = createdAtKeyInto(r.createdAt) ? result[0]! : NaN;
    }
    let key = this.lastCreatedKey;
    if (old === EMPTY) stats.cells++;
    else {
      stats.duplicates++;
      if (!this.newer(key, old, r.createdAt)) return;
    }
    if (Number.isNaN(key)) key = -(this.internCreated(r.createdAt) + 1);
    grid.key[i] = key;
    grid.dose[i] = Number.isNaN(value) ? FILL : value;
    const chosen = grid.perSensorSlot[cell]!;
    const rank = this.colRank[col]!;
    if (chosen < 0 || chosen === slot || rank[slot]! < rank[chosen]!) {
      grid.perSensorSlot[cell] = slot;
      const p = grid.perSensor;
      const v = this.values;
      for (let k = 0; k < PER_SENSOR_FIELDS; k++) p[k]![cell] = v[k]!;
    }
  }

  /** Is the record's createdAt (key, or NaN + text) greater than the stored key's? Ties keep the first record. */
  private newer(key: number, old: number, text: string): boolean {
    if (!Number.isNaN(key) && old >= 0) return key > old;
    const oldText = old >= 0 ? createdAtText(old) : this.createdText[-old - 1]!;
    return text > oldText;
  }

  private internCreated(text: string): number {
    let id = this.createdIds.get(text);
    if (id === undefined) {
      id = this.createdText.length;
      const copy = detach(text);
      this.createdText.push(copy);
      this.createdIds.set(copy, id);
    }
    return id;
  }

  /** The record's sensor column (imputed from observatoryName when idSensor is empty); -1 when none. */
  private column(idSensor: string, observatoryName: string): number {
    if (idSensor === this.lastSensor) return this.lastCol;
    const id = idSensor === '' ? sensorForObservatory(observatoryName) : idSensor;
    if (id === undefined) return -1;
    const col = this.sensorCols.get(id) ?? this.newColumn(id);
    // Not for an imputed id: the same empty idSensor may name another observatory's sensor next.
    if (idSensor !== '') {
      this.lastSensor = idSensor;
      this.lastCol = col;
    }
    return col;
  }

  private newColumn(id: string): number {
    const m = /^REACH-(\d+)$/.exec(id);
    const num = m === null ? NaN : Number(m[1]);
    if (!(num <= INT4_MAX)) this.fail('ERR_L1C_BAD_SENSOR_ID', `idSensor ${quote(id)} is not REACH-<int>`);
    const copy = detach(id);
    const newCol = this.sensorText.length;
    this.sensorCols.set(copy, newCol);
    this.sensorText.push(copy);
    this.sensorNum.push(num);
    this.colSlotOf.push([]);
    this.recentDesc.push('', '');
    this.recentSlot.push(-1, -1);
    this.colDescs.push([]);
    this.colRank.push([]);
    this.lastRow.push(-1);
    for (let f = 0; f < PER_SENSOR_FIELDS; f++) {
      this.lastText.push('');
      this.lastValue.push(FILL);
    }
    this.grid.ensureColumn(newCol, this.rowTt.length);
    return newCol;
  }

  /** The record's time row; -1 when outside the day. Consecutive records mostly share a time: checked first. */
  private row(obTime: string): number {
    let id = this.lastTimeId;
    if (id < 0 || obTime !== this.timeText[id]) {
      id = this.timeIds.get(obTime) ?? this.newTime(obTime);
      this.lastTimeId = id;
    }
    return this.timeRow[id]!;
  }

  private newTime(obTime: string): number {
    let tt: bigint;
    const ms = msOfDay(obTime, this.day);
    try {
      tt = ms >= 0 ? this.dayStart + BigInt(ms) * NS_PER_MS : utcToTt2000(obTime);
    } catch (err) {
      if (err instanceof Tt2000Error) this.fail('ERR_L1C_BAD_OBTIME', `obTime ${quote(obTime)}: ${err.message}`);
      throw err;
    }
    const id = this.timeText.length;
    const copy = detach(obTime);
    this.timeIds.set(copy, id);
    this.timeText.push(copy);
    let row = -1;
    if (tt >= this.dayStart && tt < this.dayEnd) {
      row = this.rowTt.length;
      this.grid.ensureRow(row, row);
      this.rowTt.push(tt);
      this.rowTime.push(id);
    }
    this.timeRow.push(row);
    return id;
  }

  /** The description's slot in the sensor's column, adding it (and re-ranking the column) when new. */
  private slot(col: number, obDescription: string): number {
    const recent = this.recentDesc;
    const slots = this.recentSlot;
    const a = 2 * col;
    if (obDescription === recent[a] && slots[a]! >= 0) return slots[a]!;
    const slot = obDescription === recent[a + 1] && slots[a + 1]! >= 0 ? slots[a + 1]! : this.lookupSlot(col, obDescription);
    recent[a + 1] = recent[a]!;
    slots[a + 1] = slots[a]!;
    recent[a] = obDescription;
    slots[a] = slot;
    return slot;
  }

  /** slot() without the recent pair: through the description's id. */
  private lookupSlot(col: number, obDescription: string): number {
    let desc = this.descIds.get(obDescription);
    if (desc === undefined) {
      desc = this.descText.length;
      const copy = detach(obDescription);
      this.descIds.set(copy, desc);
      this.descText.push(copy);
    }
    const slotOf = this.colSlotOf[col]!;
    const known = slotOf[desc];
    if (known !== undefined) return known;
    const descs = this.colDescs[col]!;
    const slot = descs.length;
    slotOf[desc] = slot;
    descs.push(desc);
    this.grid.ensureSlot(slot, this.rowTt.length);
    const sorted = descs.map((d, s) => ({ text: this.descText[d]!, s })).sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    const rank = this.colRank[col]!;
    sorted.forEach(({ s }, r) => (rank[s] = r));
    return slot;
  }

  /** The day's product, or no data when no record survived. The builder is spent afterwards (its arrays become the product's). */
  finish(): L1cResult {
    if (this.finished) throw new L1cOptionsError('finish() called twice');
    this.finished = true;
    this.lastText = [];
    this.lastValue = [];
    this.lastCreated = '';
    this.lastSensor = undefined;
    this.recentDesc.fill('');
    const stats = { ...this.stats };
    if (stats.cells === 0) return { kind: 'no-data', stats };
    const product = assemble({
      day: this.day,
      udlSource: this.descriptor ?? '',
      grid: this.grid,
      rows: this.rowTt.map((tt, row) => ({ tt, text: this.timeText[this.rowTime[row]!]! })),
      sensors: this.sensorText.map((label, col) => ({
        label,
        num: this.sensorNum[col]!,
        descriptions: this.colDescs[col]!.map((d) => this.descText[d]!),
      })),
    });
    return { kind: 'data', stats, product };
  }
}
