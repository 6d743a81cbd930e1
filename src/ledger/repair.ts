/**
 * --repair-ledger: lines that are not rows move to a side file next to the ledger (appended, kept, never
 * deleted) and the ledger is rewritten without them, atomically (temp file, fsync, rename). Every other
 * byte of the ledger stays as it was.
 */
import { appendFile, open } from 'node:fs/promises';
import { writeFileAtomic } from '../artifacts/fsutil.js';
import type { LedgerContents } from './read.js';

/** Where moved lines go: `<ledger>.rejected`. */
export function rejectedPath(ledgerPath: string): string {
  return `${ledgerPath}.rejected`;
}

export async function repairLedger(path: string, contents: LedgerContents): Promise<{ moved: number; sidePath: string }> {
  const sidePath = rejectedPath(path);
  if (contents.bad.length === 0) return { moved: 0, sidePath };
  const badLines = new Set(contents.bad.map((b) => b.line));
  const lines = contents.text.split('\n');
  const kept = lines.filter((_, i) => !badLines.has(i + 1));
  const stamp = new Date().toISOString();
  const moved = contents.bad.map((b) => `# ${stamp} line ${b.line}\n${b.text}\n`).join('');
  // The side file first, made durable: a crash after it but before the rewrite only leaves a copy.
  await appendFile(sidePath, moved);
  const fh = await open(sidePath, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await writeFileAtomic(path, kept.join('\n'));
  return { moved: contents.bad.length, sidePath };
}
