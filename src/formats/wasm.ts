/**
 * The WebAssembly modules' common ground (csv-scan.wat, json-scan-records.wat, record-copier.wat, and
 * numbers.wat beside the copier and each scanner): compiling one from its generated base64 module,
 * instances, and a scanner's memory grown to hold a read window above a fixed low area.
 */
import type { DecimalReader } from './decimal.js';
import { NUMBERS_WASM } from './numbers-wasm.js';
import { powerTables } from './numbers.js';

/** The subset of the WebAssembly JS API used here (the Node 20 typings do not declare it). */
export interface WasmGlobal {
  value: number;
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WasmApi };
const PAGE = 65536;

/** A compiled module, from the base64 text `npm run build:wasm` generates. */
export function compileWasm(base64: string): object {
  return new wasmApi.Module(Buffer.from(base64, 'base64'));
}

/** A new instance of a compiled module (each has its own memory, so reads run side by side). */
export function instantiate<T>(module: object, imports: object = {}): T {
  return new wasmApi.Instance(module, imports).exports as T;
}

/** A memory of `pages` 64 KB pages, for modules that import one (`env.memory`) and share it. */
export function newMemory(pages: number): WasmMemory {
  return new wasmApi.Memory({ initial: pages });
}

/** numbers.wat, compiled: instantiated over the memory of the copier or a scanner (placeNumbers). */
export const NUMBERS = compileWasm(NUMBERS_WASM);
/** Bytes numbers.wat's tables take in the memory it works on. */
export const NUMBER_TABLES_BYTES = 2048;

/** Writes numbers.wat's tables into `memory` at `at` (the memory must hold them); `at`, to pass as its `tables`. */
export function placeNumbers(memory: WasmMemory, at: number): number {
  const tables = powerTables();
  new Float64Array(memory.buffer, at, tables.length).set(tables);
  return at;
}

interface NumbersExports {
  decimal(from: number, to: number): number;
  decimalAt(from: number, to: number): number;
  end: WasmGlobal;
}

/**
 * decimal.ts's reader in WebAssembly (numbers.wat, the same answers), over a scanner's memory: `buf` must
 * be a view of that memory from its first byte (the scanner's `bytes`), so offsets are its addresses.
 * On the processing phase's 4.4 million numbers per ALL day: ~0.2 CPU-s, where the JS loop took ~0.45-0.55.
 */
class WasmDecimals implements DecimalReader {
  constructor(private readonly x: NumbersExports) {}

  prefix(_buf: Buffer, from: number, to: number): number {
    return this.x.decimal(from, to);
  }

  get end(): number {
    return this.x.end.value;
  }

  at(_buf: Buffer, from: number, to: number): number {
    return this.x.decimalAt(from, to);
  }
}

/** What a read-window scanner exports besides its scan function: its memory, where it stopped, what went wrong. */
export interface ScannerExports {
  memory: WasmMemory;
  pos: WasmGlobal;
  err: WasmGlobal;
}

/**
 * A scanner instance (each has its own memory, so reads run side by side) and views of its memory, with
 * a read window of `window` bytes from `low` on; the views are renewed when the window grows.
 */
export class WindowScanner<X extends ScannerExports> {
  protected readonly x: X;
  /** The memory as bytes: the window is [low, low + window). */
  bytes!: Buffer;
  /** The memory as i32s: the scanner's output. */
  words!: Int32Array;
  window = 0;

  /** Numbers read from the memory's bytes (numbers.wat, its tables at `tables`, below `low`). */
  readonly decimals: DecimalReader;
  /** That numbers.wat instance, for modules that import its functions. */
  readonly numbers: object;

  constructor(
    module: object,
    private readonly low: number,
    window: number,
    tables: number,
  ) {
    this.x = instantiate<X>(module);
    this.resize(window);
    const memory = this.x.memory;
    const numbers = instantiate<NumbersExports>(NUMBERS, { env: { memory, tables: placeNumbers(memory, tables) } });
    this.numbers = numbers;
    this.decimals = new WasmDecimals(numbers);
  }

  /** The memory the window is in. */
  get memory(): WasmMemory {
    return this.x.memory;
  }

  /** Makes the window `window` bytes long (contents kept). */
  resize(window: number): void {
    this.window = window;
    ({ bytes: this.bytes, words: this.words } = windowViews(this.x.memory, this.low, window));
  }

  /** Where the next token starts. */
  get pos(): number {
    return this.x.pos.value;
  }
}

/** A scanner's memory with a read window of `window` bytes from `low` on: grows it (contents kept); the views to use. */
function windowViews(memory: WasmMemory, low: number, window: number): { bytes: Buffer; words: Int32Array } {
  const pages = Math.ceil((low + window) / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
  return { bytes: Buffer.from(memory.buffer), words: new Int32Array(memory.buffer) };
}
