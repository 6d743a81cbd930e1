/** JSON artifacts: one array, each record's text exactly as the server sent it, records joined by ",\n". */
import type { ArtifactFormat } from './format.js';
import { JsonSensorScanner } from './sensor-counts.js';
import { JSON_SEPARATOR, JsonSession, createJsonPageWriter } from './json-writer.js';
import { jsonEnds, readJson } from './json-reader.js';

export const jsonFormat: ArtifactFormat = {
  name: 'json',
  extension: 'json',
  session() {
    const s = new JsonSession();
    return { pageWriter: () => createJsonPageWriter(s) };
  },
  head: () => Buffer.from('[\n'),
  separator: Buffer.from(JSON_SEPARATOR),
  tail: Buffer.from('\n]\n'),
  rewrite: (rows) => rows,
  recordId(record) {
    const id = (JSON.parse(record.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : '';
  },
  read: readJson,
  sensorScanner: (path) => new JsonSensorScanner(path),
  ends: jsonEnds,
};
