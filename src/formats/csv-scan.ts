/**
 * The WebAssembly CSV row scanner (csv-scan.wat) as csv-reader.ts uses it: its memory layout, an
 * instance per read (each has its own memory, so reads run side by side), and what its error codes mean.
 */
import { CSV_SCAN_WASM } from './csv-scan-wasm.js';
import { SKELETON_AREA, SkeletonSlots } from './skeleton-match.js';
import { NUMBER_TABLES_BYTES, WindowScanner, compileWasm, type ScannerExports, type WasmGlobal } from './wasm.js';

/** Columns the column map holds; an artifact has about 25. */
export const MAX_COLUMNS = 4096;
/** The output table's first byte: row r's slot s is the i32 pair at OUT + (r * slots + s) * 8. */
export const OUT = 16384;
/** The input window's first byte. */
export const IN = 131072;
/** A cell's end word: the end is its low 30 bits; bit 30 says the cell's bytes are the row above's; bit 31 (the sign) that it held a doubled quote. */
export const END = 0x3fffffff;
export const SAME = 0x40000000;
/** The largest window: every address in the scanner's memory must fit in an end word's 30 bits. */
export const MAX_WINDOW = 512 * 1024 * 1024;
/** numbers.wat's tables (the scanner's `decimals`), just below the window. */
const TABLES = IN - NUMBER_TABLES_BYTES;
/** The skeleton slots (skeleton-match.ts), below the tables; the output table fills [OUT, SKELETONS). */
export const SKELETONS = TABLES - SKELETON_AREA;
const CSV_SCAN = compileWasm(CSV_SCAN_WASM);

interface CsvScanExports extends ScannerExports {
  scan(p: number, end: number, last: number, width: number, slots: number, maxRows: number): number;
  cells: WasmGlobal;
}

/** One scanner (see WindowScanner): its words hold the column map at [0, MAX_COLUMNS), the table from OUT / 4 up to SKELETONS / 4. */
export class CsvScanner extends WindowScanner<CsvScanExports> {
  /** Skeleton slots for the nested columns' NestedPaths. */
  readonly skeletons: SkeletonSlots;

  constructor(window: number) {
    super(CSV_SCAN, IN, window, TABLES);
    this.skeletons = new SkeletonSlots(this, SKELETONS);
  }

  /** Scans whole rows from p to end (absolute addresses); returns how many it took (csv-scan.wat). */
  scan(p: number, end: number, last: boolean, width: number, slots: number, maxRows: number): number {
    return this.x.scan(p, end, last ? 1 : 0, width, slots, maxRows);
  }

  /** Cells in the last row scanned. */
  get cells(): number {
    return this.x.cells.value;
  }

  /** What is wrong with row `row` (the header is row 0) after the last scan, or undefined. */
  problem(row: number, width: number): string | undefined {
    switch (this.x.err.value) {
      case 0:
        return undefined;
      case 1:
        return 'the file ends inside its last row (cut short?)';
      case 2:
        return 'a quoted cell is never closed (cut short?)';
      case 3:
        return 'the file does not end with a whole row (cut short?)';
      case 4:
        return `row ${row} has text after a closing quote`;
      case 5:
        return 'the file ends inside a line break';
      default:
        return `row ${row} has ${this.cells} cells, the header ${width}`;
    }
  }
}
