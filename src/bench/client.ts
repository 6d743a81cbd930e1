/**
 * One benchmark client run in its own process, so process.resourceUsage() measures the client alone:
 * reads a download config as JSON from argv, runs it, prints one JSON line of measurements.
 */
import { runDownload } from '../download/run.js';
import { validateDownloadOptions, type RawDownloadOptions } from '../config/download.js';

const raw = JSON.parse(process.argv[2] ?? '{}') as RawDownloadOptions;
const config = validateDownloadOptions(raw);
let responses = 0;
let throttled = 0;
const started = performance.now();
const summary = await runDownload(config, {
  onEvent: (e) => {
    if (e.type === 'client' && e.event.type === 'response') {
      responses++;
      if (e.event.status === 429) throttled++;
    }
  },
});
const wallS = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
const records = summary.days.reduce((n, d) => n + Number(d.row?.records_downloaded || 0), 0);
process.stdout.write(
  `${JSON.stringify({
    wallS,
    cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    peakRssMb: usage.maxRSS / 1024,
    responses,
    throttled,
    records,
    downloaded: summary.downloaded,
    failed: summary.failed,
  })}\n`,
);
