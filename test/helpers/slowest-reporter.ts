import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * Prints the slowest tests after every run, with each one's share of its timeout, so a suite creeping
 * towards its timeouts shows up in every CI log before it starts failing at random. A test above half of
 * its timeout is marked: on a busy 2-core machine it could time out.
 */
export default class SlowestReporter implements Reporter {
  private defaultTimeout = 5_000;

  onInit(vitest: Vitest): void {
    this.defaultTimeout = vitest.config.testTimeout;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows: Array<{ ms: number; share: number; timeout: number; name: string }> = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const ms = t.diagnostic()?.duration;
        if (ms === undefined) continue;
        const timeout = t.options.timeout ?? this.defaultTimeout;
        rows.push({ ms, share: ms / timeout, timeout, name: `${m.relativeModuleId} > ${t.fullName}` });
      }
    }
    rows.sort((a, b) => b.ms - a.ms);
    const over = rows.filter((r) => r.share > 0.5).length;
    const lines = rows.slice(0, 12).map(
      (r) => `  ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${String(Math.round(r.share * 100)).padStart(3)}% of ${r.timeout / 1000} s${r.share > 0.5 ? '  OVER HALF' : ''}  ${r.name}`,
    );
    // Files run in parallel: the slowest ones bound the wall time of the whole run.
    const files = modules
      .map((m) => ({ ms: m.diagnostic().duration, name: m.relativeModuleId }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8)
      .map((f) => `  ${(f.ms / 1000).toFixed(1).padStart(6)} s  ${f.name}`);
    process.stdout.write(`\nSlowest tests (${rows.length} timed; ${over} above half of their timeout):\n${lines.join('\n')}\n`);
    process.stdout.write(`Slowest files:\n${files.join('\n')}\n`);
  }
}
