/**
 * What one case costs to run on AWS: one case driven through its whole life in the local stack
 * (the same handlers, DynamoDB Local, the local SQS server, the synthesized state machine in the
 * local interpreter, the exchange simulator), every AWS SDK request counted, priced at Seoul prices.
 *
 *   npm run bench -- cost
 *
 * Life: registered through the API, seizure and custody through the API, the pre-sale notice the
 * next morning, the reminders, the deadline check after the deadline, the sale (Step Functions
 * execution with its case and market steps), settlement and its notices.
 *
 * Measured (counted in the run): DynamoDB read and write units (ReturnConsumedCapacity on every
 * request, through a counting middleware on the SDK clients, the store untouched) and SQS requests
 * naming the case; Step Functions state transitions from the execution's event log; Lambda
 * invocations (API requests, queue messages consumed, Task states).
 * Estimated (stated in the result): Lambda durations (a flat figure per invocation), SQS receive
 * and delete requests per message, and the scheduled jobs a city shares (price poll every minute,
 * outbox sweep, daily deadline check and reminders), divided over the city's open cases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand } from '../local/cli';
import { startLocalStack } from '../local/stack';
import { runTimeline } from '../local/timeline';
import { AwsMeter } from './support/aws-meter';
import { machine, round, table, targetLines, writeResult, type Target } from './support/common';

const CITY = 'cheongju';
const CASE_REF = 'TP-COST-1';
const TARGET_KRW = 100;
/** Cases a city shares its scheduled jobs with (Cheongju: 161). */
const CITY_CASES = 161;

/**
 * USD list prices, Asia Pacific (Seoul) ap-northeast-2, on-demand, free tiers ignored. Step Functions
 * as shown on its pricing page (Seoul $0.0271 per 1,000 transitions); the others as published in
 * 2025 and not re-checked on the day of the run: verify before quoting.
 */
const PRICES = {
  asOf: '2025 list prices (Step Functions Seoul rate checked on its pricing page; others from the 2025 price lists, to verify)',
  region: 'ap-northeast-2',
  dynamoDbWriteRequestUnitPerMillion: 0.7115, // on-demand, after the November 2024 halving
  dynamoDbReadRequestUnitPerMillion: 0.1423,
  sqsFifoRequestsPerMillion: 0.5,
  stepFunctionsStandardPerThousandTransitions: 0.0271,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  schedulerInvocationsPerMillion: 1.0,
  sesPerThousandEmails: 0.1,
  s3PutPerThousand: 0.0045,
  s3GetPerThousand: 0.00035,
  krwPerUsd: 1400,
};
/** Estimate: average billed duration of one invocation (ms) at the stack's 512 MB. */
const LAMBDA_MS = 200;
const LAMBDA_GB = 0.5;
/** Estimate: per message a consumer receives and deletes (Lambda's poller, batch of one). */
const SQS_REQUESTS_PER_MESSAGE = 2;

export const command = defineCommand({
  name: 'npm run bench -- cost',
  about:
    'What one case costs on AWS: one case driven through its whole life in the local stack, every AWS request counted, priced at Seoul prices.',
  options: {},
  read: () => ({}),
});

export default async function bench(): Promise<void> {
  const m = machine();
  let caseId = '';
  let benchReading = false;
  // Tags: 'case' when the request names the case, 'bench' for the bench's own reads, else 'shared'.
  const meter = new AwsMeter((_service, _op, input) => {
    if (benchReading) return 'bench';
    return caseId && JSON.stringify(input).includes(caseId) ? 'case' : 'shared';
  }).install();
  const stateDir = mkdtempSync(join(tmpdir(), 'ctr-bench-cost-'));
  const stack = await startLocalStack({
    start: '2026-09-14T10:00:00+09:00',
    stateDir,
    preSaleNoticeAfterCustodyDays: 0,
  });
  let apiRequests = 0;
  try {
    const { city } = stack;
    const registered = await city.post<{ caseId: string }>('/cases', {
      cityId: CITY,
      cityCaseRef: 'CJ-COST-1',
      taxpayer: {
        ref: CASE_REF,
        name: '김납세',
        contact: {
          phone: '010-0000-0001',
          address: '충청북도 청주시 상당구 상당로 155',
          email: 'taxpayer@example.com',
        },
      },
      bills: [
        {
          billId: 'B-2025-1',
          taxItem: '지방소득세',
          dueDate: '2025-05-31',
          cost: '5000',
          tax: '1200000',
          surcharge: '36000',
          surchargeAsOf: '2026-08-31',
        },
      ],
    });
    caseId = registered.caseId;
    const quantity = '2.50000000';
    await city.post(`/cases/${caseId}/seizures`, { cityId: CITY, seizures: [{ market: 'KRW-ETH', quantity }] });
    stack.exchange.accounts.credit('ETH', quantity, stack.exchangeKeys.accessKey);
    await city.post(`/cases/${caseId}/custody`, { cityId: CITY, market: 'KRW-ETH', quantity });
    apiRequests = 3;

    const status = async (): Promise<string> => {
      benchReading = true;
      try {
        return (await stack.store.get(CITY, caseId))?.status ?? 'MISSING';
      } finally {
        benchReading = false;
      }
    };
    const started = Date.now();
    const timeline = await runTimeline(stack, {
      until: new Date('2026-12-31T00:00:00+09:00'),
      done: async () => ['SETTLED', 'SHORTFALL', 'PAID', 'CANCELLED'].includes(await status()),
    });
    const finalStatus = await status();
    const wallSeconds = (Date.now() - started) / 1000;

    // Step Functions: every state entered is a transition (retries too).
    const executions = [...stack.workflow.starter.executions.values()].filter((e) => e.input.caseId === caseId);
    const events = executions.flatMap((e) => e.events);
    const transitions = events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried').length;
    const taskStates = events.filter((e) => e.type === 'StateEntered' && e.state?.type === 'Task').length;

    const dynamo = meter.total((k) => k.startsWith('case DynamoDB'));
    // Notices: e-mails through SES, print batch reads and writes in S3.
    const emails = meter.total((k) => k.startsWith('case SESv2')).requests;
    const s3Puts = meter.total((k) => k.startsWith('case S3 PutObject')).requests;
    const s3Gets = meter.total((k) => k.startsWith('case S3 GetObject')).requests;
    const sqsSent = meter.total((k) => k.startsWith('case SQS'));
    const sharedDynamo = meter.total((k) => k.startsWith('shared DynamoDB'));
    // Lambda invocations for the case: API requests, one per queue message consumed (notice
    // dispatcher, sale starter), one per Task state of the sale.
    const invocations = apiRequests + sqsSent.messages + taskStates;
    const sqsRequests = sqsSent.requests + sqsSent.messages * SQS_REQUESTS_PER_MESSAGE;

    // The case's share of the city's scheduled jobs over its life (estimate).
    const lifeDays = Math.max(
      1,
      Math.ceil((stack.clock.now().getTime() - new Date('2026-09-14T01:00:00Z').getTime()) / 86_400_000),
    );
    const perDay = {
      scheduledInvocations: 1440 + 288 + 3, // price poll each minute, outbox sweep each 5 minutes, deadline check, reminders and pre-sale notices daily
      pollLambdaMs: 1440 * 400 + 288 * 100 + 3 * 300, // estimate: poll 400 ms (exchange round trips), sweep 100 ms, daily jobs 300 ms
      writeUnits: 1440 * (4 * 2 + 1), // per poll: latest and series item per market (4), one coverage part
      readUnits: 288 * 8 * 0.5 + 3 * 8 * 0.5, // sweep and daily jobs: one eventually consistent query per index shard (8)
    };
    const share = lifeDays / CITY_CASES;
    const usd = {
      dynamoDb:
        (dynamo.writeUnits * PRICES.dynamoDbWriteRequestUnitPerMillion +
          dynamo.readUnits * PRICES.dynamoDbReadRequestUnitPerMillion) /
        1e6,
      sqs: (sqsRequests * PRICES.sqsFifoRequestsPerMillion) / 1e6,
      stepFunctions: (transitions * PRICES.stepFunctionsStandardPerThousandTransitions) / 1000,
      lambda:
        (invocations * PRICES.lambdaRequestsPerMillion) / 1e6 +
        invocations * (LAMBDA_MS / 1000) * LAMBDA_GB * PRICES.lambdaArmGbSecond,
      notices:
        (emails * PRICES.sesPerThousandEmails + s3Puts * PRICES.s3PutPerThousand + s3Gets * PRICES.s3GetPerThousand) /
        1000,
      sharedSchedules:
        share *
        ((perDay.scheduledInvocations * (PRICES.schedulerInvocationsPerMillion + PRICES.lambdaRequestsPerMillion)) /
          1e6 +
          (perDay.pollLambdaMs / 1000) * LAMBDA_GB * PRICES.lambdaArmGbSecond +
          (perDay.writeUnits * PRICES.dynamoDbWriteRequestUnitPerMillion +
            perDay.readUnits * PRICES.dynamoDbReadRequestUnitPerMillion) /
            1e6),
    };
    const krw = Object.fromEntries(Object.entries(usd).map(([k, v]) => [k, round(v * PRICES.krwPerUsd, 2)])) as Record<
      keyof typeof usd,
      number
    >;
    const totalKrw = round(
      Object.values(krw).reduce((a, b) => a + b, 0),
      2,
    );
    const measuredKrw = round(krw.dynamoDb + krw.stepFunctions + krw.notices, 2);

    const figures = {
      case: {
        caseId,
        finalStatus,
        lifeDays,
        simulatedUntil: stack.clock.now().toISOString(),
        timelineSteps: timeline.steps,
        wallSeconds: round(wallSeconds, 0),
      },
      counted: {
        dynamoDb: {
          requests: dynamo.requests,
          readUnits: round(dynamo.readUnits, 1),
          writeUnits: round(dynamo.writeUnits, 1),
        },
        sqs: { sendRequests: sqsSent.requests, messages: sqsSent.messages },
        stepFunctions: { executions: executions.length, transitions, taskStates },
        lambda: { invocations, apiRequests, queueMessages: sqsSent.messages, taskStates },
        notices: { emails, s3Puts, s3Gets },
        byRequest: Object.fromEntries([...meter.counts.entries()].filter(([k]) => k.startsWith('case '))),
        sharedInThisRun: {
          dynamoDb: {
            requests: sharedDynamo.requests,
            readUnits: round(sharedDynamo.readUnits, 1),
            writeUnits: round(sharedDynamo.writeUnits, 1),
          },
        },
      },
      estimated: {
        lambdaMsPerInvocation: LAMBDA_MS,
        lambdaGb: LAMBDA_GB,
        sqsReceiveAndDeletePerMessage: SQS_REQUESTS_PER_MESSAGE,
        sharedSchedulesPerCityPerDay: perDay,
        cityCases: CITY_CASES,
      },
      usd: Object.fromEntries(Object.entries(usd).map(([k, v]) => [k, round(v, 6)])),
      krw,
      totalKrw,
      measuredPartKrw: measuredKrw,
      notCounted:
        'fixed monthly costs that do not grow with cases: NAT gateway for the fixed exchange IP (about $0.059 an hour plus data), KMS key, CloudWatch logs, alarms and dashboard, API Gateway requests (about $3.5 per million), Secrets Manager',
    };
    const targets: Target[] = [
      {
        name: 'cost of one case (₩, variable costs; shared schedules divided over 161 cases)',
        goal: `< ${TARGET_KRW}`,
        value: totalKrw,
        met: totalKrw < TARGET_KRW,
      },
    ];
    process.stdout.write(
      [
        `case ${caseId}: ${finalStatus} after ${lifeDays} simulated days (${round(wallSeconds, 0)} s)`,
        table([
          ['part', 'counted', '₩'],
          ['DynamoDB (RRU / WRU)', `${round(dynamo.readUnits, 1)} / ${round(dynamo.writeUnits, 1)}`, krw.dynamoDb],
          ['SQS requests (sends counted, receive+delete est.)', sqsRequests, krw.sqs],
          ['Step Functions transitions', transitions, krw.stepFunctions],
          ['Lambda invocations (duration est.)', invocations, krw.lambda],
          ['notices: SES e-mails / S3 puts, gets', `${emails} / ${s3Puts}, ${s3Gets}`, krw.notices],
          ['shared schedules (estimated share)', round(share, 3), krw.sharedSchedules],
          ['total', '', totalKrw],
        ]),
        `prices: ${PRICES.region}, ${PRICES.asOf}; ₩${PRICES.krwPerUsd}/USD`,
        targetLines(targets),
        '',
      ].join('\n'),
    );
    const file = writeResult('cost', m, { prices: PRICES, figures, targets });
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    meter.uninstall();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
