/** Streams the records of one page as JSON text, a slice at a time. */

import type { CursorStart, Dataset } from './data.js';
import type { Position } from './model.js';
import type { HourPlan } from './plan.js';
import { formatUdlTime } from './query.js';
import type { HourStrings, Selection } from './records.js';
import { rowsOf, type HourVariants, type VariantKind } from './variants.js';
import { extraOffsetMs, TICK_MS, TICKS_PER_HOUR } from './timeline.js';

/**
 * Yields the records of one page as JSON text, a slice at a time, so a server can write a
 * 10,000-row page with backpressure without ever holding it whole.
 */
export class RecordCursor {
  private plan: HourPlan | undefined;
  private strings: HourStrings | undefined;
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
    private readonly now: number,
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
      if (this.phase === 0 && plan.variants !== undefined) {
        const written = this.variantTick(plan, plan.variants, t, budget);
        if (written.json !== '') out += out === '' ? written.json : `,${written.json}`;
        budget -= written.rows;
        if (!written.done) break;
        this.advance();
        continue;
      }
      const members = this.phase === 0 ? undefined : this.dataset.planner.extraMembers(plan, this.j);
      const size = (members === undefined ? plan.sensors.length : members.length) * this.perSensor;
      if (this.member < size) {
        this.strings ??= this.dataset.writer.hourStrings(this.sel, plan.sensors, plan.start);
        const obTime = formatUdlTime(t);
        while (this.member < size && budget > 0) {
          const m = (this.member / this.perSensor) | 0;
          const k = members === undefined ? m : (members[m] as number);
          const from = this.member - m * this.perSensor;
          const to = Math.min(this.perSensor, from + budget);
          const json = this.dataset.writer.writeSensor(
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
          out += out === '' ? json : `,${json}`;
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

  /**
   * Writes up to `budget` rows of tick `j` when duplicates, conflicts or bad times are on:
   * sensors then take a varying number of rows, so the one holding `member` is found by walking.
   */
  private variantTick(plan: HourPlan, variants: HourVariants, t: number, budget: number): { json: string; rows: number; done: boolean } {
    const parts: string[] = [];
    const kinds: VariantKind[] = new Array<VariantKind>(this.perSensor);
    let obTime: string | undefined;
    let rows = 0;
    let offset = 0;
    for (let k = 0; k < plan.sensors.length; k++) {
      let size = 0;
      for (let r = 0; r < this.perSensor; r++) {
        const kind = variants.kind(k, r, this.j);
        kinds[r] = kind;
        size += rowsOf(kind);
      }
      if (this.member >= offset + size) {
        offset += size;
        continue;
      }
      if (rows === budget) return { json: parts.join(','), rows, done: false };
      this.strings ??= this.dataset.writer.hourStrings(this.sel, plan.sensors, plan.start);
      obTime ??= formatUdlTime(t);
      const from = this.member - offset;
      const to = Math.min(size, from + budget - rows);
      const heads = this.strings.heads[k] as string[];
      const tails = this.strings.tails[k] as string[];
      parts.push(this.dataset.writer.writeSensorVariants(this.sel, plan.sensors[k] as number, t, obTime, heads, tails, kinds, from, to, this.pos));
      rows += to - from;
      this.left -= to - from;
      this.member += to - from;
      offset += size;
      if (to < size) return { json: parts.join(','), rows, done: false };
    }
    return { json: parts.join(','), rows, done: true };
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
    this.plan = this.dataset.nextPlan(this.sel, (this.plan as HourPlan).hour + 1, this.hi, this.now);
  }
}
