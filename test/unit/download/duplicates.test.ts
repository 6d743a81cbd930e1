/** Duplicates.find against a plain model: long runs, ids whose hashes collide, records sent again. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DuplicateIdError, Duplicates } from '../../../src/download/duplicates.js';
import type { ChunkTarget } from '../../../src/download/page-stream.js';
import { FORMATS } from '../../../src/formats/index.js';
import type { PieceOut } from '../../../src/formats/piece.js';

/** A record sent: its id, a content variant, and its obTime run. */
interface Sent {
  id: number;
  variant: number;
  run: number;
}

const text = (r: Sent): string => JSON.stringify({ id: `id-${r.id}`, v: r.variant });

/** Writes `records` as one piece the way PageStream does, the kept ones only; what Duplicates dropped. */
function dropped(records: Sent[], hashOf: (id: number) => number): number[] {
  let window = Buffer.alloc(0);
  const target: ChunkTarget = {
    get offset() {
      return window.length;
    },
    write: () => undefined,
    truncate: () => undefined,
    read: (offset, length) => window.subarray(offset, offset + length),
  };
  const dups = new Duplicates(target, FORMATS.json);
  const texts = records.map(text);
  const ends = new Uint32Array(records.length);
  let at = 0;
  texts.forEach((t, i) => {
    at += (i === 0 ? 0 : 1) + t.length;
    ends[i] = at;
  });
  const bytes = Buffer.from(texts.join('\n'));
  const out: PieceOut = {
    keys: [],
    count: records.length,
    bytes,
    length: bytes.length,
    ends,
    obTimes: records.map((r) => `2026-01-01T00:00:${String(r.run).padStart(2, '0')}.000Z`),
    ids: records.map((r) => hashOf(r.id)),
  };
  // The piece is in the window before its records are checked (PageStream writes, then finds).
  window = bytes;
  return dups.find(out, 0, 1);
}

/** The model: a record repeats one of its run sent before it; the same id with other content is refused. */
function expected(records: Sent[]): number[] | 'refused' {
  const out: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const before = records.slice(0, i).filter((o) => o.run === r.run && o.id === r.id);
    if (before.some((o) => o.variant !== r.variant)) return 'refused';
    if (before.length > 0) out.push(i);
  }
  return out;
}

describe('Duplicates', () => {
  it('drops exactly the records sent again within their obTime run, whatever the hashes and run lengths', () => {
    const sent = fc.array(fc.record({ id: fc.integer({ min: 0, max: 400 }), variant: fc.constant(0), run: fc.integer({ min: 0, max: 2 }) }), { maxLength: 900 });
    fc.assert(
      fc.property(sent, fc.constantFrom(1, 3, 64), (records, spread) => {
        // Records of one run come together, as the server sorts them by obTime.
        records.sort((a, b) => a.run - b.run);
        // Few distinct hashes: ids that differ share them, so chains of slots are walked.
        const got = dropped(records, (id) => 2 * (id % spread) + 1);
        expect(got).toEqual(expected(records));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses the same id with other content, also behind a hash shared with other ids', () => {
    const records: Sent[] = [
      ...Array.from({ length: 300 }, (_, id) => ({ id, variant: 0, run: 0 })),
      { id: 150, variant: 1, run: 0 },
    ];
    expect(() => dropped(records, (id) => 2 * (id % 5) + 1)).toThrow(DuplicateIdError);
    // The same id in another run is another observation.
    const later = records.map((r, i) => (i === 300 ? { ...r, run: 1 } : r));
    expect(dropped(later, (id) => 2 * (id % 5) + 1)).toEqual([]);
  });
});
