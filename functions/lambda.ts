/**
 * Every Lambda handler of this system is composed here, the same way on AWS, in the local stack and
 * in the tests: the function's own handler (a factory's output, given its dependencies) wrapped by
 * middy with Powertools' middlewares:
 *
 *   captureLambdaHandler   an X-Ray subsegment for the invocation (the SDK clients are traced with
 *                          `tracer.captureAWSv3Client` where handler.ts makes them); off outside Lambda
 *   injectLambdaContext    request id, function name, cold start on every log line, and a
 *                          correlation id from the event (`correlationIdOf`); keys reset after; the
 *                          event itself never logged, whatever POWERTOOLS_LOGGER_LOG_EVENT says
 *                          (events carry session tokens, link codes, birth dates)
 *   logMetrics             the invocation's metrics flushed once at the end (also on errors), with
 *                          the ColdStart metric
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { saleExecutionName } from '#adapters/workflow/sale-workflow';

export interface Powertools {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** A function's logger, metrics and tracer, made once per container (namespace and level from the environment the stack sets). */
export function powertools(serviceName: string): Powertools {
  const logger = new Logger({ serviceName });
  // Metrics' own diagnostics through the logger, errors only: an invocation that records no metric
  // (most API requests) is normal here, not a warning on every request.
  const metrics = new Metrics({ serviceName, logger: logger.createChild({ logLevel: 'ERROR' }) });
  return { logger, metrics, tracer: new Tracer({ serviceName }) };
}

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

// @middy/core 7 is published as ES modules only (an `import` export condition, none for require):
// this CommonJS project loads it with import(), which resolves it as an ES module wherever the code
// runs (esbuild's bundles, tsx for the local stack; swc compiles it under jest, jest.config.js).
// Started when this module loads, so the first invocation does not wait for it.
const middyLoaded = import('@middy/core').then((m) => m.default);

/** The handler with the middlewares above: what the stack deploys and the local stack runs. */
export function lambdaHandler<E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  tools: Powertools,
): LambdaHandler<E, R> {
  const composed = middyLoaded.then((middy) =>
    middy(handler)
      .use(captureLambdaHandler(tools.tracer, { captureResponse: false }))
      .use(injectLambdaContext(tools.logger, { resetKeys: true, logEvent: false }))
      .use({
        before: (request) => {
          const id = correlationIdOf(request.event);
          if (id !== undefined) tools.logger.setCorrelationId(id);
        },
      })
      .use(logMetrics(tools.metrics, { captureColdStartMetric: true })),
  );
  return async (event, context) => (await composed)(event, context);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * What ties an invocation's log lines to the work it belongs to:
 *  - an API request: API Gateway's request id (in its access log too);
 *  - an SQS batch: the ids of its messages;
 *  - a sale step: the workflow execution (named after the city and the sale attempt);
 *  - a schedule: the scheduled time (a retried run has the same one).
 */
export function correlationIdOf(event: unknown): string | undefined {
  if (!isObject(event)) return undefined;
  if (isObject(event.requestContext) && typeof event.requestContext.requestId === 'string')
    return event.requestContext.requestId;
  if (Array.isArray(event.Records)) {
    const ids = event.Records.map((r: unknown) =>
      isObject(r) && typeof r.messageId === 'string' ? r.messageId : undefined,
    ).filter((id) => id !== undefined);
    return ids.length > 0 ? ids.join(',') : undefined;
  }
  if (typeof event.step === 'string' && typeof event.cityId === 'string' && typeof event.saleId === 'string')
    return saleExecutionName(event.cityId, event.saleId);
  if (typeof event.scheduledTime === 'string') return `schedule:${event.scheduledTime}`;
  return undefined;
}
