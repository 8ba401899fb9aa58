/**
 * The Lambda composition every handler shares (functions/lambda.ts): log lines carry the
 * invocation's context and a correlation id taken from the event, and nothing of one invocation
 * leaks into the next.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { correlationIdOf, lambdaHandler } from '../../functions/lambda';
import { saleExecutionName } from '#adapters/workflow/sale-workflow';
import { lambdaContext } from '../../local/sqs';

function capture(): { lines: Record<string, unknown>[]; restore: () => void } {
  const lines: Record<string, unknown>[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
}

it('adds the context and the correlation id to every log line of an invocation, and resets them after', async () => {
  const logger = new Logger({ serviceName: 'cases-api', logLevel: 'INFO' });
  const tools = {
    logger,
    metrics: new Metrics({
      namespace: 'test',
      serviceName: 'cases-api',
      logger: logger.createChild({ logLevel: 'ERROR' }),
    }),
    tracer: new Tracer({ enabled: false }),
  };
  const handler = lambdaHandler(async (event: { requestContext?: { requestId: string } }) => {
    logger.info('handling', { has: Boolean(event.requestContext) });
    return 'ok';
  }, tools);
  const out = capture();
  try {
    const context = lambdaContext('cases-api', 30_000);
    await expect(handler({ requestContext: { requestId: 'req-1' } }, context)).resolves.toBe('ok');
    await handler({}, lambdaContext('cases-api', 30_000));
    const handling = out.lines.filter((l) => l.message === 'handling');
    expect(handling[0]).toMatchObject({
      correlation_id: 'req-1',
      function_name: 'cases-api',
      function_request_id: context.awsRequestId,
    });
    expect(handling[1]).not.toHaveProperty('correlation_id');
  } finally {
    out.restore();
  }
});

it('finds the correlation id of each kind of event', () => {
  expect(correlationIdOf({ requestContext: { requestId: 'abc' }, httpMethod: 'GET' })).toBe('abc');
  expect(correlationIdOf({ Records: [{ messageId: 'm1' }, { messageId: 'm2' }] })).toBe('m1,m2');
  expect(correlationIdOf({ step: 'LoadCase', cityId: 'cheongju', caseId: 'c1', saleId: 'c1-s1' })).toBe(
    saleExecutionName('cheongju', 'c1-s1'),
  );
  expect(correlationIdOf({ source: 'schedule', scheduledTime: '2026-01-01T00:00:00Z' })).toBe(
    'schedule:2026-01-01T00:00:00Z',
  );
  expect(correlationIdOf({})).toBeUndefined();
  expect(correlationIdOf(null)).toBeUndefined();
});
