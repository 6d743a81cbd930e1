/**
 * The WebAssembly JSON record scanner (json-scan-records.wat) as json-reader.ts uses it: its memory
 * layout, an instance per read, and what its error codes mean.
 */
import { JSON_SCAN_RECORDS_WASM } from './json-scan-records-wasm.js';
import { SKELETON_AREA, SkeletonSlots } from './skeleton-match.js';
import { NUMBER_TABLES_BYTES, WindowScanner, compileWasm, type ScannerExports } from './wasm.js';

/** The most members a record may have (the scanner keeps room for one such record in its output). */
export const MAX_MEMBERS = 4096;
/** The output's first byte: per record its member count, whether its keys are new, then 4 i32s per member. */
export const OUT = 131072;
/** A member's value end word: the end is its low 30 bits; bit 30 says the value's bytes are the record before's. */
export const END = 0x3fffffff;
export const SAME = 0x40000000;
/** The largest window: every address in the scanner's memory must fit in an end word's 30 bits. */
export const MAX_WINDOW = 512 * 1024 * 1024;
/** The input window's first byte. */
export const IN = OUT + (1 << 20);
/** numbers.wat's tables (the scanner's `decimals`), just below the window. */
const TABLES = IN - NUMBER_TABLES_BYTES;
/** The skeleton slots (skeleton-match.ts), below the tables; the output fills [OUT, SKELETONS), room for ~2,000 records of 27 members. */
const SKELETONS = TABLES - SKELETON_AREA;
const JSON_SCAN = compileWasm(JSON_SCAN_RECORDS_WASM);

interface JsonScanExports extends ScannerExports {
  scan(p: number, end: number, last: number, out: number, outEnd: number, maxRecords: number): number;
}

/** One scanner (see WindowScanner): its words hold the output from OUT / 4. */
export class JsonRecordScanner extends WindowScanner<JsonScanExports> {
  /** Skeleton slots for the nested members' NestedPaths. */
  readonly skeletons: SkeletonSlots;

  constructor(window: number) {
    super(JSON_SCAN, IN, window, TABLES);
    this.skeletons = new SkeletonSlots(this, SKELETONS);
  }

  /** Takes the array's tokens and whole records from p to end (absolute addresses); returns how many records it took. */
  scan(p: number, end: number, last: boolean, maxRecords: number): number {
    return this.x.scan(p, end, last ? 1 : 0, OUT, SKELETONS, maxRecords);
  }

  /** What is wrong after the last scan, `record` being the number of the record it stopped at, or undefined. */
  problem(record: number): string | undefined {
    switch (this.x.err.value) {
      case 0:
        return undefined;
      case 1:
        return 'it is not a JSON array';
      case 2:
        return `element ${record} is not an object`;
      case 3:
        return `expected ',' or ']' after record ${record - 1}`;
      case 4:
        return `record ${record}: expected ',' or '}'`;
      case 5:
        return `record ${record}: expected a key`;
      case 6:
        return `record ${record}: expected ':'`;
      case 7:
        return 'it is not a whole JSON array (cut short?)';
      case 8:
        return 'text after the end of the array';
      default:
        return `record ${record} has more than ${MAX_MEMBERS} members`;
    }
  }
}
