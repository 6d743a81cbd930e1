/**
 * A shortcut that pays only on some data (a cache, a comparison with the row before): on at first, it
 * judges itself over its first tries and stays on only if it hit at least half the time, so data it
 * does not suit pays for a thousand tries and no more.
 */

/** Tries before the shortcut judges whether it pays. */
const TRIAL = 1024;

export class Trial {
  on = true;
  private tries = 0;
  private hits = 0;

  /** Counts a try; returns `hit`. */
  note(hit: boolean): boolean {
    if (hit) this.hits++;
    if (++this.tries === TRIAL) this.on = this.hits * 2 >= TRIAL;
    return hit;
  }
}
