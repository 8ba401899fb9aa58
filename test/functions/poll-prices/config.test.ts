import { ConfigError, loadPollConfig } from '../../../functions/poll-prices/config';

const base = { TABLE_NAME: 'cases', SERVED_CITIES: 'cheongju, sejong', EXCHANGE_BASE_URL: 'https://api.upbit.com' };

describe('loadPollConfig', () => {
  it('takes the policy’s price checks (defaults, or the deployment’s overrides) and sensible defaults', () => {
    const c = loadPollConfig(base);
    expect(c).toMatchObject({
      tableName: 'cases',
      cities: ['cheongju', 'sejong'],
      checks: { maxPriceAgeMs: 90_000, maxSourceGapBps: 50 },
      maxMarketsPerCall: 100,
      historyDays: 7,
      casesPerPart: 1000,
    });
    const tuned = loadPollConfig({
      ...base,
      EXECUTION_POLICY: JSON.stringify({ maxPriceAgeMs: 120_000, maxSourceGapBps: 30, priceBandBps: 80 }),
      MAX_MARKETS_PER_CALL: '20',
    });
    expect(tuned).toMatchObject({ checks: { maxPriceAgeMs: 120_000, maxSourceGapBps: 30 }, maxMarketsPerCall: 20 });
  });

  it('stops at start-up on a missing or malformed setting', () => {
    expect(() => loadPollConfig({ ...base, TABLE_NAME: '' })).toThrow(ConfigError);
    expect(() => loadPollConfig({ ...base, SERVED_CITIES: 'Busan!' })).toThrow(/invalid city id/);
    expect(() => loadPollConfig({ ...base, EXECUTION_POLICY: '{"maxSourceGapBps": -1}' })).toThrow(/EXECUTION_POLICY/);
    expect(() => loadPollConfig({ ...base, EXECUTION_POLICY: 'not json' })).toThrow(ConfigError);
    expect(() => loadPollConfig({ ...base, MAX_MARKETS_PER_CALL: '0' })).toThrow(/MAX_MARKETS_PER_CALL/);
  });
});
