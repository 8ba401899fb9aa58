/**
 * The sale starter (SQS consumer of the sale request queue): turns a sale request into a running
 * sale. For each message: load the case; if it is DUE and the request names its next attempt,
 * commit `startSale` (DUE → SELLING) and start the workflow execution named after case and attempt;
 * if the case is already SELLING that attempt (a redelivery, or a crash between the commit and the
 * start), start the execution again, which is a no-op when it exists. Anything else (paid, on hold,
 * cancelled, another attempt) means the request no longer applies: it is acknowledged and logged.
 *
 * FIFO queue, group = case: a failed message fails only its own case's group (the rest of the
 * batch goes on); a malformed message or an unknown case fails until the queue moves it to the DLQ.
 *
 * At most `cap` sales run at once on the exchange account (the served cities' SELLING cases): at the
 * cap a request is not started but sent again to the queue, whose delivery delay makes it come back
 * later (a new message, deduplicated per message deferred: a redelivery defers once), and this one
 * acknowledged. It is never dropped: a failed send fails the message, which the queue redelivers.
 * With the starter's reserved concurrency of 1 the requests are counted one after another (once per
 * batch, then as the batch starts sales).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CaseRuleError, nextSaleId, startSale } from '#domain/case';
import { CaseNotFoundError, ConcurrencyConflictError, type CaseStore } from '#domain/case-store';
import type { CitySettingsSource } from '#domain/city-settings';
import { parseSaleRequestMessage, type SaleRequestMessage } from '#adapters/workflow/sale-requests';

/** The cap on sales running at once on the account, and where a request waits when it is reached. */
export interface RunningSalesCap {
  cap: number;
  /** The cities sharing the exchange account (the deployment's served cities). */
  cities: readonly string[];
  /** Sends the request to the queue again (delivered after the queue's delay), deduplicated by `deferredMessageId`. */
  defer(request: SaleRequestMessage, deferredMessageId: string): Promise<void>;
}
import type { SaleWorkflowStarter } from '#adapters/workflow/sale-workflow';

export interface StartSaleDeps {
  store: CaseStore;
  starter: SaleWorkflowStarter;
  /** Each city's settings (docs/LEGAL.md "Many cities"). */
  settings: CitySettingsSource;
  clock: () => Date;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Flushed by the Lambda composition (functions/lambda.ts) after each batch. */
  metrics: Pick<Metrics, 'addMetric'>;
  runningSales: RunningSalesCap;
}

export type StartOutcome = 'STARTED' | 'ALREADY_RUNNING' | 'NO_LONGER_APPLIES' | 'DEFERRED';

const OUTCOME_METRIC: Record<StartOutcome, string> = {
  STARTED: 'SalesStarted',
  ALREADY_RUNNING: 'SaleRequestsRepeated',
  NO_LONGER_APPLIES: 'SaleRequestsNoLongerApplying',
  DEFERRED: 'SaleStartsDeferred',
};

const COMMIT_ATTEMPTS = 3;

export function createSaleStarter(deps: StartSaleDeps) {
  /** One request: the case's state decides; a lost race re-reads it. */
  async function running(): Promise<number> {
    const counts = await Promise.all(deps.runningSales.cities.map((city) => deps.store.countByStatus(city, 'SELLING')));
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Sales running now: counted once per batch, then kept up to date as this batch starts sales. */
  let runningNow = 0;

  async function startOne(request: SaleRequestMessage, messageId: string): Promise<StartOutcome> {
    for (let attempt = 1; ; attempt++) {
      const c = await deps.store.get(request.cityId, request.caseId);
      if (!c) throw new CaseNotFoundError(request.cityId, request.caseId);
      if (c.status === 'SELLING' && c.saleId === request.saleId) {
        const started = await deps.starter.start(request);
        return started.started ? 'STARTED' : 'ALREADY_RUNNING';
      }
      if (c.status !== 'DUE' || nextSaleId(c) !== request.saleId) {
        deps.logger.info('sale request no longer applies', {
          saleId: request.saleId,
          status: c.status,
          currentSale: c.saleId,
        });
        return 'NO_LONGER_APPLIES';
      }
      if (runningNow >= deps.runningSales.cap) {
        await deps.runningSales.defer(request, messageId);
        deps.logger.info('sale start deferred: the account runs its maximum of sales', {
          saleId: request.saleId,
          cap: deps.runningSales.cap,
        });
        return 'DEFERRED';
      }
      let transition;
      try {
        transition = startSale(c, request.saleId, {
          now: deps.clock(),
          actor: { kind: 'SYSTEM', id: 'start-sale' },
          settings: await deps.settings.get(c.cityId),
        });
      } catch (error) {
        if (!(error instanceof CaseRuleError)) throw error;
        deps.logger.info('sale request refused by the rules', { saleId: request.saleId, code: error.code });
        return 'NO_LONGER_APPLIES';
      }
      try {
        await deps.store.commit(c.version, transition);
      } catch (error) {
        if (error instanceof ConcurrencyConflictError && attempt < COMMIT_ATTEMPTS) continue;
        throw error;
      }
      runningNow++;
      const started = await deps.starter.start(request);
      deps.logger.info('sale started', {
        saleId: request.saleId,
        execution: started.executionName,
        requestedBy: request.requestedBy,
      });
      return 'STARTED';
    }
  }

  return async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
    const processor = new SqsFifoPartialProcessorAsync();
    runningNow = await running();
    try {
      return await processPartialResponse(
        event,
        async (record: SQSRecord) => {
          const outcome = await startOne(parseSaleRequestMessage(record.body), record.messageId);
          deps.metrics.addMetric(OUTCOME_METRIC[outcome], 'Count', 1);
          return outcome;
        },
        processor,
        { skipGroupOnError: true, throwOnFullBatchFailure: false },
      );
    } finally {
      // Names and messages only: a message body may name a case, never a person.
      for (const error of processor.errors)
        deps.logger.error('sale request failed', { error: `${error.name}: ${error.message}` });
    }
  };
}
