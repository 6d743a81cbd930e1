/**
 * The builder's storage: typed arrays indexed [row][column][slot], rows = the day's distinct times and
 * columns = sensors in order of first appearance, slots = a sensor's distinct descriptions in order of
 * first appearance. Nothing per record is kept beyond its cell, so an ALL day (17,280 x 32 x 2) costs
 * ~50 MB whatever the record count. Strides grow when a new sensor or a sensor's extra description shows up
 * (early in practice: every sensor reports in the first seconds of a day); rows grow to a nominal day at once.
 */

export const FILL = -1e31;
/** createdAt key of a slot no record has filled. */
export const EMPTY = -Infinity;
/** lat, lon, alt, obQuality, senPos[0..2]: one value per (time, sensor). */
export const PER_SENSOR_FIELDS = 7;

const FIRST_ROWS = 64;
/** A day at 5 s: rows jump here after the first few, so a full day is allocated once and exactly. */
const NOMINAL_ROWS = 17_280;

export class Grid {
  rowCap = 0;
  sensorCap = 0;
  slotCap = 2;
  /** [row][col][slot]: the winning record's obValue (fill when absent or NaN). */
  dose = new Float64Array(0);
  /** [row][col][slot]: the winning record's createdAt key (EMPTY when no record). */
  key = new Float64Array(0);
  /** [field][row][col]: lat, lon, alt, obQuality, senPos0..2 of the record chosen for the cell. */
  perSensor: Float64Array[] = Array.from({ length: PER_SENSOR_FIELDS }, () => new Float64Array(0));
  /** [row][col]: the slot whose record supplied perSensor, -1 for none. */
  perSensorSlot = new Int16Array(0);

  /** Makes room for row `row`, keeping the first `rows` rows. */
  ensureRow(row: number, rows: number): void {
    if (row < this.rowCap) return;
    const cap = this.rowCap < FIRST_ROWS ? FIRST_ROWS : this.rowCap < NOMINAL_ROWS ? NOMINAL_ROWS : Math.ceil(this.rowCap * 1.5);
    this.relayout(Math.max(cap, row + 1), this.sensorCap, this.slotCap, rows);
  }

  /** Makes room for column `col`: exact while the arrays are small, in steps of 8 once a day is allocated. */
  ensureColumn(col: number, rows: number): void {
    if (col < this.sensorCap) return;
    this.relayout(this.rowCap, this.rowCap <= FIRST_ROWS ? col + 1 : col + 8, this.slotCap, rows);
  }

  ensureSlot(slot: number, rows: number): void {
    if (slot < this.slotCap) return;
    this.relayout(this.rowCap, this.sensorCap, slot + 1, rows);
  }

  private relayout(rowCap: number, sensorCap: number, slotCap: number, rows: number): void {
    const cells = rowCap * sensorCap;
    const dose = new Float64Array(cells * slotCap).fill(FILL);
    const key = new Float64Array(cells * slotCap).fill(EMPTY);
    const perSensor = this.perSensor.map(() => new Float64Array(cells).fill(FILL));
    const perSensorSlot = new Int16Array(cells).fill(-1);
    const oldCols = this.sensorCap;
    const oldSlots = this.slotCap;
    if (oldCols === sensorCap && oldSlots === slotCap) {
      // Only rows grow: same strides, one copy per array.
      const used = rows * sensorCap;
      dose.set(this.dose.subarray(0, used * slotCap));
      key.set(this.key.subarray(0, used * slotCap));
      perSensor.forEach((a, f) => a.set(this.perSensor[f]!.subarray(0, used)));
      perSensorSlot.set(this.perSensorSlot.subarray(0, used));
    } else {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < oldCols; c++) {
          const from = r * oldCols + c;
          const to = r * sensorCap + c;
          for (let s = 0; s < oldSlots; s++) {
            dose[to * slotCap + s] = this.dose[from * oldSlots + s]!;
            key[to * slotCap + s] = this.key[from * oldSlots + s]!;
          }
          perSensor.forEach((a, f) => (a[to] = this.perSensor[f]![from]!));
          perSensorSlot[to] = this.perSensorSlot[from]!;
        }
      }
    }
    this.rowCap = rowCap;
    this.sensorCap = sensorCap;
    this.slotCap = slotCap;
    this.dose = dose;
    this.key = key;
    this.perSensor = perSensor;
    this.perSensorSlot = perSensorSlot;
  }
}
