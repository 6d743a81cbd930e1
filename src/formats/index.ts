/**
 * The artifact formats. Adding one: a module beside csv.ts exporting an ArtifactFormat, and its entry
 * here (docs/data-path.md walks through it).
 */
import type { ArtifactFormat } from './format.js';
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';

export const FORMATS = { csv: csvFormat, json: jsonFormat } as const satisfies Record<string, ArtifactFormat>;

/** A format's name, as `--output-format` takes it. */
export type OutputFormat = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as OutputFormat[];
export const DEFAULT_FORMAT: OutputFormat = FORMAT_NAMES[0]!;

export function isFormatName(name: string): name is OutputFormat {
  return Object.hasOwn(FORMATS, name);
}

export function formatByName(name: OutputFormat): ArtifactFormat {
  return FORMATS[name];
}

/** The ledger's output_format, read leniently: anything unknown (older rows: empty) is the default. */
export function formatOfLedger(value: string | undefined): OutputFormat {
  return value !== undefined && isFormatName(value) ? value : DEFAULT_FORMAT;
}

/** The format a file name's extension names, if any. */
export function formatOfPath(path: string): OutputFormat | undefined {
  const dot = path.lastIndexOf('.');
  const ext = dot < 0 ? '' : path.slice(dot + 1);
  return FORMAT_NAMES.find((n) => FORMATS[n].extension === ext);
}

export type { ArtifactFormat, FormatSession } from './format.js';
export type { PieceIn, PieceOut, PageWriter } from './piece.js';
export { Piece } from './piece.js';
export type { ReadOptions, RecordBatch } from './reader.js';
export { ArtifactReadError } from './reader.js';
export { PageFormatError } from './json-scan.js';
