/**
 * The flags that say how to reach UDL, shared by every command that talks to it, with the reference
 * tool's names and defaults and the ranges the checks enforce (config/udl.ts).
 */
import type { Command } from 'commander';
import { UDL_DEFAULTS as d, rangeText } from '../config/udl.js';

export function addUdlOptions(cmd: Command): Command {
  return cmd
    .option('--max-concurrent-requests <n>', `requests in flight at once (${rangeText('maxConcurrentRequests')})`, String(d.maxConcurrentRequests))
    .option('--initial-rate <req/s>', `starting request rate (${rangeText('initialRate')})`, String(d.initialRate))
    .option('--additive-increase <req/s>', `rate added per successful request (${rangeText('additiveIncrease')})`, String(d.additiveIncrease))
    .option('--multiplicative-decrease <f>', `rate factor on a 429, reset or timeout, in ${rangeText('multiplicativeDecrease')}`, String(d.multiplicativeDecrease))
    .option('--min-rate <req/s>', `lowest request rate (${rangeText('minRate')})`, String(d.minRate))
    .option('--max-rate <req/s>', `highest request rate (${rangeText('maxRate')})`, String(d.maxRate))
    .option('--aws-region <region>', 'AWS region for SECRET_ARN_UDL (default: AWS_REGION)')
    .option('--udl-url <url>', 'UDL base URL (default: env UDL_BASE_URL, else https://unifieddatalibrary.com)')
    .option('--request-timeout <s>', `deadline for one request, in seconds (${rangeText('requestTimeoutS')})`, String(d.requestTimeoutS))
    .option('--max-retries <n>', `retries per request after the first attempt (${rangeText('maxRetries')})`, String(d.maxRetries))
    .option('--compression <gzip|none>', 'ask the server for gzip-compressed bodies (about 13x fewer bytes on the wire) or plain ones', d.compression);
}
