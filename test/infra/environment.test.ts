/**
 * The stack and the functions agree on configuration: each function's environment, as the
 * template sets it (CloudFormation references replaced by values of their shape), passes that
 * function's own environment schema, and the deployment's city display names reach every reader.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { ENV } from '#adapters/env';
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
import { buildTestApp, cdkJsonContext, resourcesOfType } from './helpers';

const { stack } = buildTestApp();
const template = Template.fromStack(stack);

/** A reference's stand-in, shaped like what the deployed function gets. */
const placeholder = (name: string): string =>
  /QUEUE_URL$/.test(name) ? 'https://sqs.ap-northeast-2.amazonaws.com/123456789012/q.fifo' : /ARN/.test(name) ? 'arn:aws:iam::123456789012:role/x' : 'cases';

function environmentOf(service: string): NodeJS.ProcessEnv {
  const fn = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).find(
    (r) => (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  );
  const vars = (fn?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables;
  if (!vars) throw new Error(`no function ${service} in the template`);
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]));
}

type Loaded = { settingsFor?: (cityId: string) => { displayName: string } } | object;
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
  'sweep-orders-in-doubt': loadSaleConfig,
};

it.each(Object.keys(loaders))('%s: the environment the stack sets passes the function’s schema', (service) => {
  expect(() => loaders[service]!(environmentOf(service))).not.toThrow();
});

it('gives every function that names cities the configured display names', () => {
  const city = (cdkJsonContext().cities as { id: string; displayName: string }[])[0]!;
  for (const [service, load] of Object.entries(loaders)) {
    const env = environmentOf(service);
    expect(JSON.parse(env[ENV.cityDisplayNames] ?? '{}')).toEqual({ [city.id]: city.displayName });
    const loaded = load(env);
    if ('settingsFor' in loaded && loaded.settingsFor) expect(loaded.settingsFor(city.id).displayName).toBe(city.displayName);
  }
});

it('gives the functions that set a pre-sale deadline the configured notice window and waiting period', () => {
  const context = cdkJsonContext();
  for (const service of ['api', 'dispatch-notice', 'send-pre-sale-notices'] as const) {
    const loaded = loaders[service]!(environmentOf(service)) as { settingsFor(cityId: string): { preSaleNoticeDays: number; preSaleNoticeAfterCustodyDays: number } };
    expect(loaded.settingsFor('cheongju')).toMatchObject({ preSaleNoticeDays: context.noticeWindowDays, preSaleNoticeAfterCustodyDays: context.preSaleNoticeAfterCustodyDays });
  }
});
