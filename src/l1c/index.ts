/** The L1C product: records in (builder), arrays out, as a CDF spec for src/cdf's writer; names and keys. */
export { L1cBuilder, type L1cResult, type L1cStats } from './builder.js';
export type { L1cProduct } from './assemble.js';
export { L1cInputError, L1cOptionsError, type L1cInputCode } from './errors.js';
export { l1cCdfSpec, type L1cFileOptions } from './product.js';
export { checkDay, l1cFileName, l1cKey, l1cLogicalFileId, l1cMode } from './naming.js';
export { newL1cRecord, NUM, type L1cRecord } from './record.js';
export { fillFromCsvRow, fillFromJsonRecord } from './rows.js';
export { parsePyLiteral, PyLiteralError, PyNumber, type PyValue } from './literal.js';
