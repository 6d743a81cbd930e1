import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('the package entry', () => {
  it('exports the public API and the errors a caller may catch, and nothing internal', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'DOWNLOAD_DEFAULTS',
        'IncompleteDayError',
        'LEDGER_COLUMNS',
        'LockedError',
        'ReachUdlError',
        'StoppedError',
        'UdlAuthError',
        'UdlThrottledError',
        'UsageError',
        'latestByDay',
        'readLedger',
        'runDownload',
        'startSim',
        'validateDownloadOptions',
      ].sort(),
    );
  });

  it('gives every exported error a stable code and an exit class', () => {
    const errors = [new api.UsageError('x'), new api.UdlAuthError(401), new api.UdlThrottledError('/u', ''), new api.IncompleteDayError(1, 2, 3)];
    for (const e of errors) {
      expect(e).toBeInstanceOf(api.ReachUdlError);
      expect(e.code).toMatch(/^ERR_[A-Z_]+$/);
      expect(['usage', 'failed', 'internal']).toContain(e.exitClass);
      expect(e.name).toBe(e.constructor.name);
    }
    expect(new api.UdlThrottledError('/u', '').code).toBe('ERR_UDL_THROTTLED');
  });
});
