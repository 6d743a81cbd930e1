import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * End-to-end files first. They take 15-40 s each and the unit files a few seconds: with two workers,
 * starting the long ones first lets the short ones fill in around them, where vitest's default order on
 * a fresh clone (largest file first, no timings cached) can leave one long file running alone at the end.
 */
export class EndToEndFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const e2e = (f: TestSpecification): boolean => f.moduleId.includes('/test/e2e/');
    return [...sorted.filter(e2e), ...sorted.filter((f) => !e2e(f))];
  }
}
