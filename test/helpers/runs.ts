/**
 * Runs of a heavy property test. `npm test` takes a quarter of them, enough to catch a regression in most
 * runs and cheap enough for a 2-core CI; `npm run soak` (REACH_UDL_SOAK=1) takes them all.
 */
export function runs(full: number): number {
  return process.env.REACH_UDL_SOAK === '1' ? full : Math.max(25, Math.round(full / 4));
}
