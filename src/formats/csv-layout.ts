/**
 * The CSV writer's knowledge of one page: its column order so far, and the templates in use laid out for
 * those columns. A general template watches the first records it matches and then specialises itself on
 * the strings that never changed (they become literals in the pattern and fixed text in the row); a
 * specialisation that misses while its general template matches is dropped and the learning goes on.
 */
import { TemplateSet, detach, templateOf, type Kind, type Template, type TemplateCache } from './templates.js';
import { rowProgram } from './record-copier.js';

/** Records a general template watches before making the strings that never changed into literals. */
const LEARN_RECORDS = 64;
/** Specialisations per general template and page: each one follows a "constant" that changed. */
const MAX_SPECIALISATIONS = 6;

interface Learning {
  /** Records still to watch. */
  left: number;
  /** Candidate strings (by scalar number) that had the same value in every record seen, with it. */
  same: Map<number, string>;
  /** Candidates seen to change: never literals again on this page. */
  changed: Set<number>;
  rounds: number;
}

/**
 * A template laid out for the page's current keys: a row is glue[0] + value 0 + glue[1] + ... where the
 * values are the captures in column order and the glue holds separators, fixed cells, empty cells for
 * keys the shape lacks, nested values' JSON punctuation, and the final "\n".
 */
export interface CsvLayout {
  template: Template;
  groups: number[];
  kinds: Kind[];
  glue: string[];
  /** The record copier's program (record-copier.ts), when it can take this layout's records (the usual case). */
  program: Uint8Array | null;
  glueLength: number;
  /** Index in `groups` of the id and obTime captures (-1: none). */
  idAt: number;
  obTimeAt: number;
  version: number;
  /** A general layout learns which strings stay the same on this page; null for specialised ones. */
  learning: Learning | null;
  /** A specialised layout's general one. */
  general: CsvLayout | null;
}

export class CsvColumns {
  readonly keys: string[] = [];
  readonly columns = new Map<string, number>();
  version = 0;
  readonly templates: TemplateSet<CsvLayout>;

  constructor(private readonly cache: TemplateCache) {
    this.templates = new TemplateSet<CsvLayout>(
      cache,
      (t) => this.activate(t, null),
      (t) => t.csv,
    );
  }

  /** Adds a key at the end of the column order, if new; true if it was. */
  add(key: string): boolean {
    if (this.columns.has(key)) return false;
    this.columns.set(key, this.keys.length);
    this.keys.push(key);
    this.version++;
    return true;
  }

  /** Forgets the keys from `count` on (a piece that failed brought them). */
  truncate(count: number): void {
    for (const k of this.keys.splice(count)) this.columns.delete(k);
    this.version++;
  }

  /** Brings a layout up to date with the columns. */
  current(layout: CsvLayout): CsvLayout {
    if (layout.version !== this.version) this.layOut(layout);
    return layout;
  }

  /** A template matched at the front (k = 0) or further back: keeps the order and the learning going. */
  matched(layout: CsvLayout, k: number, m: RegExpExecArray | null): void {
    const list = this.templates.list;
    if (k > 0) {
      if (list[0]!.general === layout) this.respecialise(layout, m!);
      else this.templates.toFront(layout);
    } else if (layout.learning !== null && layout.learning.left > 0) this.watch(layout, m!);
  }

  /** Whether `matched` will need the captures of a match by the layout at position k. */
  needsCaptures(layout: CsvLayout, k: number): boolean {
    return k > 0 ? this.templates.list[0]!.general === layout : layout.learning !== null && layout.learning.left > 0;
  }

  private activate(template: Template, general: CsvLayout | null): CsvLayout {
    const learning = general === null ? { left: LEARN_RECORDS, same: new Map<number, string>(), changed: new Set<number>(), rounds: 0 } : null;
    const layout: CsvLayout = {
      template,
      groups: [],
      kinds: [],
      glue: [],
      program: null,
      glueLength: 0,
      idAt: -1,
      obTimeAt: -1,
      version: -1,
      learning,
      general,
    };
    return this.current(layout);
  }

  /** Puts in front a specialisation of `general` for the strings that never changed, if any are left. */
  private specialise(general: CsvLayout): void {
    const learning = general.learning!;
    if (learning.same.size === 0 || learning.rounds >= MAX_SPECIALISATIONS) return;
    const t = templateOf(this.cache, general.template.shape, learning.same, general.template.spaced);
    if (t === null) return;
    learning.rounds++;
    this.templates.toFront(this.templates.list.find((a) => a.template === t) ?? this.activate(t, general));
  }

  /** `general` matched a record its specialisation in front missed: some "constant" changed. */
  private respecialise(general: CsvLayout, m: RegExpExecArray): void {
    const learning = general.learning!;
    for (const [scalar, value] of learning.same) {
      if (m[scalar] !== value) {
        learning.same.delete(scalar);
        learning.changed.add(scalar);
      }
    }
    this.templates.remove(this.templates.list[0]!);
    this.templates.toFront(general);
    this.specialise(general);
  }

  private watch(general: CsvLayout, m: RegExpExecArray): void {
    const learning = general.learning!;
    for (const scalar of general.template.strings) {
      if (learning.changed.has(scalar)) continue;
      const v = m[scalar]!;
      const seen = learning.same.get(scalar);
      // A capture is a slice of the piece: a literal made of it would keep the piece alive in the template cache.
      if (seen === undefined) learning.same.set(scalar, detach(v));
      else if (seen !== v) {
        learning.same.delete(scalar);
        learning.changed.add(scalar);
      }
    }
    if (--learning.left === 0) this.specialise(general);
  }

  private layOut(layout: CsvLayout): void {
    const t = layout.template;
    const fieldOf = new Array<number>(this.keys.length).fill(-1);
    t.keys.forEach((k, f) => {
      fieldOf[this.columns.get(k)!] = f;
    });
    const groups: number[] = [];
    const kinds: Kind[] = [];
    const glue = [''];
    const add = (s: string): void => {
      glue[glue.length - 1] += s;
    };
    fieldOf.forEach((f, column) => {
      if (column > 0) add(',');
      if (f < 0) return;
      const cell = t.fields[f]!;
      if (cell.fixed !== null) {
        add(cell.fixed);
        return;
      }
      add(cell.glue[0]!);
      cell.groups.forEach((g, i) => {
        groups.push(g);
        kinds.push(cell.kinds[i]!);
        glue.push(cell.glue[i + 1]!);
      });
    });
    add('\n');
    layout.groups = groups;
    layout.kinds = kinds;
    layout.glue = glue;
    layout.glueLength = glue.reduce((n, s) => n + s.length, 0);
    layout.idAt = t.idGroup === 0 ? -1 : groups.indexOf(t.idGroup);
    layout.obTimeAt = t.obTimeGroup === 0 ? -1 : groups.indexOf(t.obTimeGroup);
    layout.program = rowProgram(t, groups, glue, layout.idAt, layout.obTimeAt);
    layout.version = this.version;
  }
}
