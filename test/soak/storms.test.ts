/** The long storms: `npm run soak`. Same assertions as the quick ones in `npm test`, many more events. */
import { describe, it } from 'vitest';
import { cleanEnv } from '../helpers/cli.js';
import { faultStorm, killStorm } from '../helpers/storms.js';

const AUTH = `Basic ${Buffer.from('soak-user:soak-password-XYZ').toString('base64')}`;
const env = cleanEnv({ BASICAUTH: AUTH });

describe('soak', () => {
  it('ends byte-identical to an uninterrupted run over 25 kill -9s across 5 days', async () => {
    await killStorm({ env, sim: { sensors: 2, subSecondShare: 0.01, seed: 11, auth: AUTH, latencyMs: 5 }, firstDay: '2026-06-01', days: 5, kills: 25, seed: 20261129 });
  });

  it('with 5% 5xx, 5% resets, 2% cut bodies and throttling, 8 days end with their exact records', async () => {
    await faultStorm({ env, auth: AUTH, firstDay: '2026-08-01', days: 8 });
  });
});
