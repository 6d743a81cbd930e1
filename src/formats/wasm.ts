/**
 * The WebAssembly scanners' common ground (csv-scan.wat, json-scan-records.wat): compiling one from its
 * generated base64 module, and a memory grown to hold a read window above a fixed low area.
 */

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
}
const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: WasmApi };
const PAGE = 65536;

/** A compiled module, from the base64 text `npm run build:wasm` generates. */
export function compileWasm(base64: string): object {
  return new wasmApi.Module(Buffer.from(base64, 'base64'));
}

/** A new instance of a compiled module (each has its own memory, so reads run side by side). */
export function instantiate<T>(module: object): T {
  return new wasmApi.Instance(module, {}).exports as T;
}

/** A scanner's memory with a read window of `window` bytes from `low` on: grows it (contents kept); the views to use. */
export function windowViews(memory: WasmMemory, low: number, window: number): { bytes: Buffer; words: Int32Array } {
  const pages = Math.ceil((low + window) / PAGE) - memory.buffer.byteLength / PAGE;
  if (pages > 0) memory.grow(pages);
  return { bytes: Buffer.from(memory.buffer), words: new Int32Array(memory.buffer) };
}
