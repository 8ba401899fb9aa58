import { CONTEXT_KEYS, InvalidContextError, parseStackConfig } from '../../infra/config';
import { cdkJsonContext } from './helpers';

describe('stack configuration from CDK context', () => {
  const all = cdkJsonContext();
  const defaults = Object.fromEntries(CONTEXT_KEYS.map((k) => [k, all[k]]));

  it('reads the dev Cheongju defaults of cdk.json', () => {
    const config = parseStackConfig(defaults);
    expect(config.stage).toBe('dev');
    expect(config.region).toBe('ap-northeast-2');
    expect(config.cities).toEqual([{ id: 'cheongju', displayName: '청주시' }]);
    expect(config.exchange.id).toBe('upbit');
    expect(config.schedules).toEqual({
      pricePollRate: 'rate(1 minute)',
      deadlineCheckCron: 'cron(0 9 * * ? *)',
      timezone: 'Asia/Seoul',
    });
    expect(config.callers).toEqual({});
  });

  it('accepts the string forms `-c key=value` produces', () => {
    const config = parseStackConfig({
      ...defaults,
      stage: 'prod',
      cities: 'cheongju:청주시,sejong:세종시',
      logRetentionDays: '731',
      exchange: '{"id":"upbit","baseUrl":"https://api.upbit.com"}',
      executionPolicy: '{"maxParticipation":"0.05"}',
      callers: JSON.stringify({
        cheongju: {
          citySystem: ['arn:aws:iam::123456789012:role/tax-system'],
          officers: 'arn:aws:iam::123456789012:user/kim,arn:aws:iam::123456789012:user/lee',
        },
        sejong: {
          citySystem: ['arn:aws:iam::123456789012:role/sejong-tax-system'],
          officers: ['arn:aws:iam::123456789012:user/choi'],
          auditors: ['arn:aws:iam::123456789012:user/han'],
        },
      }),
    });
    expect(config.cities.map((c) => c.id)).toEqual(['cheongju', 'sejong']);
    expect(config.logRetentionDays).toBe(731);
    expect(config.executionPolicy).toEqual({ maxParticipation: '0.05' });
    expect(config.callers.cheongju?.officers).toHaveLength(2);
    expect(config.callers.cheongju?.auditors).toEqual([]);
  });

  it.each([
    ['stage', { stage: 'Prod!' }, 'stage:'],
    ['cities', { cities: [] }, 'cities:'],
    ['duplicate cities', { cities: 'a1:A,a1:B' }, 'cities:'],
    ['exchange', { exchange: { id: 'bithumb', baseUrl: 'https://x.example' } }, 'exchange.id:'],
    ['plain-http exchange', { exchange: { id: 'upbit', baseUrl: 'http://api.upbit.com' } }, 'exchange.baseUrl:'],
    [
      'e-mail sender outside the SES identity',
      {
        notices: {
          emailFrom: 'notice@elsewhere.example',
          sesIdentity: 'cheongju.example.go.kr',
          exchangeContact: { address: '서울' },
        },
      },
      'notices:',
    ],
    [
      'exchange contact',
      {
        notices: {
          emailFrom: 'notice@cheongju.example.go.kr',
          sesIdentity: 'cheongju.example.go.kr',
          exchangeContact: {},
        },
      },
      'notices:',
    ],
    [
      'plain-http taxpayer page address',
      { notices: { ...(all.notices as object), taxpayerPageUrl: 'http://pay.cheongju.example.go.kr/t/' } },
      'notices.taxpayerPageUrl:',
    ],
    [
      'taxpayer page address with its own fragment',
      { notices: { ...(all.notices as object), taxpayerPageUrl: 'https://pay.cheongju.example.go.kr/t/#x' } },
      'notices.taxpayerPageUrl:',
    ],
    [
      'poll rate',
      { schedules: { pricePollRate: 'every minute', deadlineCheckCron: 'cron(0 9 * * ? *)', timezone: 'Asia/Seoul' } },
      'schedules.pricePollRate:',
    ],
    [
      'caller ARN',
      { callers: { cheongju: { citySystem: ['not-an-arn'], officers: [] } } },
      'callers.cheongju.citySystem.0:',
    ],
    ['callers of a city not served', { callers: { busan: { citySystem: [], officers: [] } } }, 'callers.busan:'],
    [
      'production without callers',
      { stage: 'prod' },
      'callers.cheongju.citySystem: required outside a development stage',
    ],
    [
      'production without officers',
      { stage: 'prod', callers: { cheongju: { citySystem: ['arn:aws:iam::123456789012:role/t'], officers: [] } } },
      'callers.cheongju.officers: required',
    ],
    ['log retention', { logRetentionDays: 42 }, 'logRetentionDays:'],
    ['malformed JSON', { executionPolicy: '{oops' }, 'executionPolicy:'],
  ])('refuses a bad %s and names the key', (_label, override, key) => {
    expect(() => parseStackConfig({ ...defaults, ...override })).toThrow(InvalidContextError);
    expect(() => parseStackConfig({ ...defaults, ...override })).toThrow(key);
  });

  it('lists every missing key at once', () => {
    try {
      parseStackConfig({});
      throw new Error('expected a failure');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidContextError);
      const issues = (e as InvalidContextError).issues.join('\n');
      for (const key of [
        'stage',
        'region',
        'cities',
        'exchange',
        'schedules',
        'executionPolicy',
        'callers',
        'logRetentionDays',
      ]) {
        expect(issues).toContain(`${key}:`);
      }
    }
  });
});
