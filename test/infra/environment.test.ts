/**
 * The stack and the functions agree on configuration: each function's environment, as the
 * template sets it (CloudFormation references replaced by values of their shape), passes that
 * function's own environment schema; what differs between cities is not in it (docs/LEGAL.md "Many cities").
 */
import { Template } from 'aws-cdk-lib/assertions';
import { loadApiConfig } from '../../functions/api/config';
import { loadDeadlineCheckConfig } from '../../functions/check-deadlines/config';
import { loadDispatcherConfig } from '../../functions/dispatch-notice/config';
import { loadPollConfig } from '../../functions/poll-prices/config';
import { loadSaleConfig } from '../../functions/sale/config';
import { loadPreSaleNoticeConfig } from '../../functions/send-pre-sale-notices/config';
import { loadReminderConfig } from '../../functions/send-reminders/config';
import { loadStarterConfig } from '../../functions/start-sale/config';
import { loadSweeperConfig } from '../../functions/sweep-outbox/config';
import { loadReleaseConfig } from '../../functions/release-coins/config';
import { loadReconcileConfig } from '../../functions/reconcile-custody/config';
import { loadRefundConfig } from '../../functions/instruct-refunds/config';
import { synthesizedTemplate, resourcesOfType } from './helpers';

const template = Template.fromJSON(synthesizedTemplate());

/** A reference's stand-in, shaped like what the deployed function gets. */
const placeholder = (name: string): string =>
  /QUEUE_URL$/.test(name)
    ? 'https://sqs.ap-northeast-2.amazonaws.com/123456789012/q.fifo'
    : /ARN/.test(name)
      ? 'arn:aws:iam::123456789012:role/x'
      : 'cases';

function environmentOf(service: string): NodeJS.ProcessEnv {
  const fn = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).find(
    (r) =>
      (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
        ?.POWERTOOLS_SERVICE_NAME === service,
  );
  const vars = (fn?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables;
  if (!vars) throw new Error(`no function ${service} in the template`);
  // A value built around references (CALLERS: JSON naming the caller roles) keeps its text, each reference stood in for.
  const joined = (v: unknown): string | undefined => {
    const join = (v as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    return join
      ? join[1].map((part) => (typeof part === 'string' ? part : 'arn:aws:iam::123456789012:role/x')).join(join[0])
      : undefined;
  };
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : (joined(v) ?? placeholder(k))]),
  );
}

type Loaded = object;
const loaders: Record<string, (env: NodeJS.ProcessEnv) => Loaded> = {
  api: loadApiConfig,
  'check-deadlines': loadDeadlineCheckConfig,
  'dispatch-notice': loadDispatcherConfig,
  'poll-prices': loadPollConfig,
  'sale-case-steps': loadSaleConfig,
  'sale-market-steps': loadSaleConfig,
  'send-pre-sale-notices': loadPreSaleNoticeConfig,
  'send-reminders': loadReminderConfig,
  'start-sale': loadStarterConfig,
  'sweep-outbox': loadSweeperConfig,
  'release-coins': loadReleaseConfig,
  'reconcile-custody': loadReconcileConfig,
  'instruct-refunds': loadRefundConfig,
  'sweep-orders-in-doubt': loadSaleConfig,
};

it.each(Object.keys(loaders))('%s: the environment the stack sets passes the function’s schema', (service) => {
  expect(() => loaders[service]!(environmentOf(service))).not.toThrow();
});

it('sets no city setting in a function’s environment: the notice window and waiting period are each city’s settings item in the table', () => {
  for (const service of Object.keys(loaders)) {
    expect(
      Object.keys(environmentOf(service)).filter((name) => /NOTICE_WINDOW|AFTER_CUSTODY|DISPLAY_NAME/.test(name)),
    ).toEqual([]);
  }
  for (const service of ['api', 'dispatch-notice', 'send-pre-sale-notices'])
    expect(environmentOf(service).TABLE_NAME).toEqual(expect.any(String));
});

it('gives the API the release function’s withdrawal fees and exchange: a destination is judged as the withdrawal will be', () => {
  const api = loadApiConfig(environmentOf('api'));
  const release = loadReleaseConfig(environmentOf('release-coins'));
  expect(api.withdrawalFees.venueId).toBe(release.venueId);
  expect(Object.keys(release.fees).length).toBeGreaterThan(0);
  for (const [currency, fee] of Object.entries(release.fees)) {
    expect(api.withdrawalFees.fee(currency, 'default').toFixed()).toBe(fee.toFixed());
    expect(api.withdrawalFees.fee(currency, 'internal').isZero()).toBe(true);
  }
});

it('gives the deadline check the sale attempts the sale counts: it stops asking where the sale stops trying', () => {
  const check = loadDeadlineCheckConfig(environmentOf('check-deadlines'));
  const sale = loadSaleConfig(environmentOf('sale-case-steps'));
  expect(check.maxSaleAttempts).toBe(sale.limits.maxSaleAttempts);
  expect(check.maxSaleAttempts).toBeGreaterThan(0);
  expect(loadDeadlineCheckConfig({ ...environmentOf('check-deadlines'), SALE_MAX_ATTEMPTS: '3' }).maxSaleAttempts).toBe(
    3,
  );
  expect(() => loadDeadlineCheckConfig({ ...environmentOf('check-deadlines'), SALE_MAX_ATTEMPTS: 'many' })).toThrow(
    /SALE_MAX_ATTEMPTS/,
  );
});

it('gives the starter the cities the sale serves: its cap counts every city sharing the exchange account', () => {
  const starter = loadStarterConfig(environmentOf('start-sale'));
  expect(starter.cities.length).toBeGreaterThan(0);
  expect(starter.cities).toEqual(loadSaleConfig(environmentOf('sale-case-steps')).cities);
  expect(starter.tableName).toBe(loadSaleConfig(environmentOf('sale-case-steps')).tableName);
});
