/**
 * Records per idSensor value, counted by streaming an artifact (`status`/`report`): a scanner per format
 * that keeps only the idSensor of each record. Lenient where files written by other tools may differ
 * (line ends, a BOM, blank lines, a missing final newline), as csv-parse is.
 */
import { ReachUdlError } from '../errors.js';

/** The artifact cannot be counted: no idSensor column, an unterminated quote, or broken JSON around idSensor. */
export class ArtifactFormatError extends ReachUdlError {
  readonly code = 'ERR_ARTIFACT_FORMAT';
  readonly exitClass = 'failed';
  constructor(readonly path: string, detail: string) {
    super(`${path} cannot be counted (${detail}); move it aside or download the day again`);
  }
}

/** Records per `idSensor` value; records without one are counted under the empty string. */
export type SensorCounts = Record<string, number>;

export interface SensorScanner {
  push(chunk: Buffer): void;
  end(): SensorCounts;
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SENSOR_KEY = 'idSensor';
const MAX_CELL_BYTES = 1 << 20;

const CR_BYTE = Buffer.from('\r');
const LF_BYTE = Buffer.from('\n');

/**
 * An RFC 4180 scanner that keeps only the idSensor cell of each record. A quote opens a quoted cell only
 * at the start of a cell, `""` inside one is a quote, blank lines are not records. Like csv-parse, the
 * first line end outside quotes (CRLF, LF or CR) becomes the record delimiter and the other two are
 * cell content from then on. Quoted cells are skipped with Buffer.indexOf (native) and unquoted bytes
 * with a tight loop, which is what makes it over 10x faster than a parser that materialises every cell.
 */
export class CsvSensorScanner implements SensorScanner {
  private readonly counts = new Map<string, number>();
  /** Column of idSensor; -1 while the header is still being read. */
  private column = -1;
  private header: string[] | undefined = [];
  private field = 0;
  private fieldStart = true;
  private inQuotes = false;
  private afterQuote = false;
  private recordHasData = false;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private lineEnd: 'crlf' | 'lf' | 'cr' | undefined;
  /** A CR outside quotes whose meaning depends on the next byte, which may be in the next chunk. */
  private pendingCR = false;

  constructor(private readonly path: string) {}

  push(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    while (i < n) {
      if (this.inQuotes) {
        const q = buf.indexOf(QUOTE, i);
        const stop = q < 0 ? n : q;
        if (this.capturing()) this.keep(buf.subarray(i, stop));
        i = stop;
        if (q >= 0) {
          this.inQuotes = false;
          this.afterQuote = true;
          i++;
        }
        continue;
      }
      const c = buf[i]!;
      if (this.afterQuote) {
        this.afterQuote = false;
        if (c === QUOTE) {
          if (this.capturing()) this.keep(buf.subarray(i, i + 1));
          this.inQuotes = true;
          i++;
          continue;
        }
      }
      if (this.pendingCR) {
        this.pendingCR = false;
        if (c === LF) {
          this.lineEnd = 'crlf';
          this.endLine();
          i++;
          continue;
        }
        if (this.lineEnd === undefined) {
          this.lineEnd = 'cr';
          this.endLine();
        } else this.content(CR_BYTE);
      }
      if (c === COMMA) {
        this.endField();
        this.recordHasData = true;
        i++;
      } else if (c === LF) {
        if (this.lineEnd === undefined) this.lineEnd = 'lf';
        if (this.lineEnd === 'lf') this.endLine();
        else this.content(LF_BYTE);
        i++;
      } else if (c === CR) {
        if (this.lineEnd === 'cr') this.endLine();
        else if (this.lineEnd === 'lf') this.content(CR_BYTE);
        else this.pendingCR = true;
        i++;
      } else if (c === QUOTE && this.fieldStart) {
        this.inQuotes = true;
        this.fieldStart = false;
        this.recordHasData = true;
        i++;
      } else {
        let j = i + 1;
        while (j < n) {
          const b = buf[j]!;
          if (b === COMMA || b === LF || b === CR) break;
          j++;
        }
        this.content(buf, i, j);
        i = j;
      }
    }
  }

  end(): SensorCounts {
    if (this.inQuotes) throw new ArtifactFormatError(this.path, 'a quoted cell is never closed: the file looks cut short');
    if (this.pendingCR) {
      if (this.lineEnd === 'crlf') this.content(CR_BYTE);
      else this.endLine();
    }
    this.endLine();
    return Object.fromEntries(this.counts);
  }

  private content(bytes: Buffer, from = 0, to = bytes.length): void {
    if (this.capturing()) this.keep(bytes.subarray(from, to));
    this.fieldStart = false;
    this.recordHasData = true;
  }

  private endLine(): void {
    if (this.recordHasData || !this.fieldStart) this.endRecord();
  }

  /** Holds a piece of a cell being read; a cell this big means the file is not the CSV it claims to be. */
  private keep(piece: Buffer): void {
    this.partsBytes += piece.length;
    if (this.partsBytes > MAX_CELL_BYTES) {
      throw new ArtifactFormatError(this.path, `a ${this.header ? 'header' : SENSOR_KEY} cell longer than ${MAX_CELL_BYTES} bytes`);
    }
    this.parts.push(piece);
  }

  private capturing(): boolean {
    return this.header !== undefined || this.field === this.column;
  }

  private takeCell(): string {
    const text = this.parts.length === 1 ? this.parts[0]!.toString('utf8') : Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    this.partsBytes = 0;
    return text;
  }

  private endField(): void {
    if (this.header !== undefined) this.header.push(this.takeCell());
    else if (this.field === this.column) this.count(this.takeCell());
    this.field++;
    this.fieldStart = true;
  }

  private endRecord(): void {
    // A record shorter than the header has no idSensor cell: counted as blank rather than dropped.
    const short = this.header === undefined && this.field < this.column;
    this.endField();
    if (short) this.count('');
    if (this.header !== undefined) {
      const names = this.header.map((h, k) => (k === 0 ? h.replace(/^\uFEFF/, '') : h));
      this.column = names.indexOf(SENSOR_KEY);
      if (this.column < 0) throw new ArtifactFormatError(this.path, `its header has no ${SENSOR_KEY} column`);
      this.header = undefined;
    }
    this.field = 0;
    this.fieldStart = true;
    this.recordHasData = false;
  }

  private count(sensor: string): void {
    this.counts.set(sensor, (this.counts.get(sensor) ?? 0) + 1);
  }
}

const JSON_KEY = Buffer.from(`"${SENSOR_KEY}"`);
/** Longer than any sane `"idSensor": "REACH-123"` value: beyond it the file is not what we think. */
const MAX_VALUE_BYTES = 4096;

/**
 * Hops from one `"idSensor"` to the next with Buffer.indexOf, one hop per record (~780 bytes apart),
 * instead of tokenising 860 MB of JSON. Safe because a `"` inside a JSON string is always escaped, so the
 * bytes `"idSensor"` only occur as a real string; it counts where that string is a key (followed by `:`).
 * Records carry idSensor once, at the top level; a nested object with that key would be counted too.
 */
export class JsonSensorScanner implements SensorScanner {
  private readonly counts = new Map<string, number>();
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly path: string) {}

  push(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const at = buf.indexOf(JSON_KEY, from);
      if (at < 0) {
        from = Math.max(from, buf.length - (JSON_KEY.length - 1));
        break;
      }
      const value = this.readValue(buf, at + JSON_KEY.length);
      if (value === undefined) {
        if (buf.length - at > MAX_VALUE_BYTES) throw new ArtifactFormatError(this.path, `no value after ${SENSOR_KEY} at byte ~${at}`);
        from = at;
        break;
      }
      from = value.next;
    }
    this.carry = Buffer.from(buf.subarray(from));
  }

  end(): SensorCounts {
    if (this.carry.length > 0 && this.carry.includes(JSON_KEY)) {
      throw new ArtifactFormatError(this.path, `the file ends inside an ${SENSOR_KEY} value: it looks cut short`);
    }
    return Object.fromEntries(this.counts);
  }

  /** Parses `: "value"` (or `: null`) after the key; `undefined` when the buffer ends first. */
  private readValue(buf: Buffer, start: number): { next: number } | undefined {
    let i = skipSpace(buf, start);
    if (i >= buf.length) return undefined;
    // The string "idSensor" as a value, not a key: nothing to count.
    if (buf[i] !== 0x3a) return { next: i };
    i = skipSpace(buf, i + 1);
    if (i >= buf.length) return undefined;
    if (buf[i] === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (; j < buf.length; j++) {
        const b = buf[j]!;
        if (b === 0x5c) {
          escaped = true;
          j++;
        } else if (b === QUOTE) break;
      }
      if (j >= buf.length) return undefined;
      const raw = buf.toString('utf8', i, j + 1);
      this.count(escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1));
      return { next: j + 1 };
    }
    // null or another scalar: the record has no usable sensor id.
    const end = scalarEnd(buf, i);
    if (end >= buf.length) return undefined;
    this.count('');
    return { next: end };
  }

  private count(sensor: string): void {
    this.counts.set(sensor, (this.counts.get(sensor) ?? 0) + 1);
  }
}

function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== LF && b !== CR) break;
    i++;
  }
  return i;
}

function scalarEnd(buf: Buffer, i: number): number {
  while (i < buf.length) {
    const b = buf[i]!;
    if (b === COMMA || b === 0x7d || b === 0x5d || b === 0x20 || b === LF || b === CR || b === 0x09) break;
    i++;
  }
  return i;
}
