/**
 * Graceful stop: the first SIGINT or SIGTERM aborts the run (no new request, the day in progress stays
 * resumable, the lock is released, one line says where it stopped); a second one exits at once.
 */
import { StoppedError } from '../errors.js';
import { EXIT } from './output.js';

export function stopOnSignals(controller: AbortController): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT);
    controller.abort(new StoppedError(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
