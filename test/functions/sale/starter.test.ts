import { sameSettingsForEveryCity } from '../../domain/fixtures';
/**
 * The sale starter's rules without a queue (the queue itself: sale-workflow.test.ts) and the
 * deterministic execution names: a request for the case's next attempt starts it once; a repeat,
 * or a redelivery after a crash between the commit and the start, starts nothing new; a request
 * that no longer applies is acknowledged.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { failSale, markDue, nextSaleId, recordPayment, startSale, type Case } from '#domain/case';
import { won } from '#domain/money';
import { saleExecutionName, type SaleExecutionInput, type SaleWorkflowStarter } from '#adapters/workflow/sale-workflow';
import { createSaleStarter, type RunningSalesCap, type StartSaleDeps } from '../../../functions/start-sale/app';
import { CITY, ctxAt, registered, settings, toNoticeSent } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();
const NOW = '2025-10-20T01:00:00Z';
const system = { ...ctxAt(NOW), actor: { kind: 'SYSTEM' as const, id: 'test' } };

class RecordingStarter implements SaleWorkflowStarter {
  readonly names = new Set<string>();
  readonly calls: SaleExecutionInput[] = [];
  async start(input: SaleExecutionInput) {
    this.calls.push(input);
    const executionName = saleExecutionName(input.cityId, input.saleId);
    const started = !this.names.has(executionName);
    this.names.add(executionName);
    return { started, executionName };
  }
}

async function dueCase(caseId: string): Promise<Case> {
  const r = registered(caseId, '2025-08-01T01:00:00Z');
  await table.store.create(r);
  let c = r.case;
  for (const t of [...toNoticeSent(c, '2025-09-01T01:00:00Z')]) {
    await table.store.commit(c.version, t);
    c = t.case;
  }
  const due = markDue(c, system);
  await table.store.commit(c.version, due);
  return due.case;
}

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: `g${i}`,
        MessageDeduplicationId: `d${i}`,
        SequenceNumber: String(i),
      },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:ap-northeast-2:111122223333:sale-requests.fifo',
      awsRegion: 'ap-northeast-2',
    })),
  };
}

const request = (c: Case, saleId = nextSaleId(c)) =>
  JSON.stringify({ cityId: c.cityId, caseId: c.caseId, saleId, requestedBy: 'DEADLINE', requestedAt: NOW });

const unlimited: RunningSalesCap = {
  cap: 10_000,
  cities: [CITY, 'sejong'],
  defer: () => Promise.reject(new Error('nothing should be deferred')),
};

function starterWith(workflow: SaleWorkflowStarter, runningSales = unlimited) {
  return createSaleStarter({
    runningSales,
    store: table.store,
    starter: workflow,
    settings: sameSettingsForEveryCity(settings),
    clock: () => new Date(NOW),
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: { addMetric: () => undefined } as unknown as StartSaleDeps['metrics'],
  });
}

describe('sale starter', () => {
  it('starts the next attempt once: DUE → SELLING and one execution, repeats are no-ops', async () => {
    const c = await dueCase('st-once-1');
    const workflow = new RecordingStarter();
    const handle = starterWith(workflow);
    expect(await handle(sqsEvent([request(c), request(c)]))).toEqual({ batchItemFailures: [] });
    expect(await handle(sqsEvent([request(c)]))).toEqual({ batchItemFailures: [] });
    expect(workflow.names).toEqual(new Set([`cheongju_${c.caseId}-sale-1`]));
    expect(await table.store.get(c.cityId, c.caseId)).toMatchObject({
      status: 'SELLING',
      saleId: `${c.caseId}-sale-1`,
      saleAttempts: 1,
    });
  });

  it('after a crash between the commit and the start, the redelivered request starts the execution', async () => {
    const c = await dueCase('st-crash-1');
    const selling = startSale(c, nextSaleId(c), system); // committed, but the start never happened
    await table.store.commit(c.version, selling);
    const workflow = new RecordingStarter();
    await starterWith(workflow)(sqsEvent([request(c)]));
    expect([...workflow.names]).toEqual([`cheongju_${c.caseId}-sale-1`]);
  });

  it('acknowledges requests that no longer apply (paid, another attempt) and fails only unreadable ones', async () => {
    const c = await dueCase('st-stale-1');
    const paid = recordPayment(c, { paymentId: 'P1', amount: won('5000000'), receivedOn: '2025-10-20' }, ctxAt(NOW));
    await table.store.commit(c.version, paid);
    const workflow = new RecordingStarter();
    const answer = await starterWith(workflow)(sqsEvent([request(c), request(c, `${c.caseId}-sale-7`), 'not json']));
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(workflow.calls).toEqual([]);
  });

  it('fails a message whose starter call fails, so the queue redelivers it', async () => {
    const c = await dueCase('st-fail-1');
    const failing: SaleWorkflowStarter = {
      start: async () => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' })),
    };
    expect(await starterWith(failing)(sqsEvent([request(c)]))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm0' }],
    });
    // The case is SELLING: the redelivery only needs to start the execution.
    const workflow = new RecordingStarter();
    await starterWith(workflow)(sqsEvent([request(c)]));
    expect(workflow.names.size).toBe(1);
  });
});

describe('the cap on sales running at once', () => {
  it('at the cap defers the request (sent again, deduplicated per message, this one acknowledged) and starts it once a place is free', async () => {
    const running = await table.store.countByStatus(CITY, 'SELLING');
    const first = await dueCase('st-cap-1');
    const second = await dueCase('st-cap-2');
    const deferred: { request: SaleExecutionInput; after: string }[] = [];
    const cap: RunningSalesCap = {
      cap: running + 1,
      cities: [CITY, 'sejong'],
      defer: async (request, after) => void deferred.push({ request, after }),
    };
    const workflow = new RecordingStarter();
    expect(await starterWith(workflow, cap)(sqsEvent([request(first), request(second)]))).toEqual({
      batchItemFailures: [],
    });
    expect([...workflow.names]).toEqual([`cheongju_${first.caseId}-sale-1`]);
    expect(deferred).toEqual([{ request: JSON.parse(request(second)) as SaleExecutionInput, after: 'm1' }]);
    expect(await table.store.get(CITY, second.caseId)).toMatchObject({ status: 'DUE', saleAttempts: 0 });

    // A send that fails fails the message: the queue delivers it again, nothing is lost.
    const failing: RunningSalesCap = { ...cap, defer: () => Promise.reject(new Error('queue unavailable')) };
    expect(await starterWith(workflow, failing)(sqsEvent([request(second)]))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm0' }],
    });

    // The first sale ends (its attempt failed, nothing sold): its place is free, the deferred request starts.
    const selling = (await table.store.get(CITY, first.caseId))!;
    await table.store.commit(selling.version, failSale(selling, selling.saleId!, 'market closed', system));
    expect(await table.store.countByStatus(CITY, 'SELLING')).toBe(running);
    await starterWith(workflow, cap)(sqsEvent([JSON.stringify(deferred[0]!.request)]));
    expect(workflow.names).toEqual(new Set([`cheongju_${first.caseId}-sale-1`, `cheongju_${second.caseId}-sale-1`]));
  });
});

describe('execution names', () => {
  it('are the city and the sale id (case and attempt), safe for Step Functions, at most 80 characters', () => {
    expect(saleExecutionName('cheongju', 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W-sale-1')).toBe(
      'cheongju_c01JZ8X4E7Q2M3N4P5R6S7T8V9W-sale-1',
    );
    const long = saleExecutionName('a-very-long-city-identifier-of-forty-ch', `${'c'.repeat(64)}-sale-12`);
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(saleExecutionName('a-very-long-city-identifier-of-forty-ch', `${'c'.repeat(64)}-sale-12`)).toBe(long);
    expect(saleExecutionName('a-very-long-city-identifier-of-forty-ch', `${'c'.repeat(64)}-sale-13`)).not.toBe(long);
    expect(saleExecutionName('x', 'a#b/c:d e')).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});
