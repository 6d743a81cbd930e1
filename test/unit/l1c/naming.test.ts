import { describe, expect, it } from 'vitest';
import { checkDay, l1cFileName, l1cKey, l1cLogicalFileId, l1cMode, L1cOptionsError } from '../../../src/l1c/index.js';

describe('L1C names (PROCESSING.md 4.1, with the mode and the day start)', () => {
  it('names ALL and single-sensor files of a day apart, from the day alone', () => {
    expect(l1cMode('ALL')).toBe('all');
    expect(l1cMode('all')).toBe('all');
    expect(l1cMode('REACH-101')).toBe('101');
    expect(l1cFileName('all', '2025-09-04')).toBe('reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf');
    expect(l1cFileName('101', '2025-09-04')).toBe('reach_101_l1c_prelim_20250904T000000_v1.0.0.cdf');
    expect(l1cLogicalFileId('all', '2025-09-04')).toBe('reach_all_l1c_prelim_20250904T000000_v1.0.0');
  });

  it('gives the key that is both the S3 key and the path under the output directory', () => {
    expect(l1cKey('all', '2025-09-04')).toBe('l1c/prelim/2025/09/04/reach_all_l1c_prelim_20250904T000000_v1.0.0.cdf');
    expect(l1cKey('137', '2016-12-31')).toBe('l1c/prelim/2016/12/31/reach_137_l1c_prelim_20161231T000000_v1.0.0.cdf');
  });

  it('refuses bad days and sensor selections with L1cOptionsError', () => {
    for (const day of ['2025-9-4', '2025-02-29', '20250904', '']) expect(() => checkDay(day), day).toThrow(L1cOptionsError);
    expect(checkDay('2024-02-29')).toBe('2024-02-29');
    for (const s of ['REACH-', 'REACH-1a', '101', 'reach-101']) expect(() => l1cMode(s), s).toThrow(L1cOptionsError);
  });
});
