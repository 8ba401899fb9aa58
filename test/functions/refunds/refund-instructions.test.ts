/**
 * Refunds from payable to paid, against DynamoDB Local and the S3 of fauxqs: two cases overpaid
 * through the API, the daily run's file (exact to the won), a rerun (the same file, nothing
 * instructed twice), the city system's confirmation (idempotent, refused for another city, checked
 * input, nothing written when refused) and the city report's refund line.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbJournalStore } from '#adapters/dynamodb/journal-store';
import { S3RefundFiles } from '#adapters/refund-files';
import { createRefundInstructions } from '../../../functions/instruct-refunds/app';
import { registerCaseVia, testApi } from '../../support/api';
import { useCasesTable } from '../../support/dynamodb';
import { useNoticeDelivery } from '../../support/notice-delivery';

const table = useCasesTable();
const delivery = useNoticeDelivery('refund-files-test');
// 2025-09-01 10:00 in Korea: the payments; the run at 07:00 the next morning covers 2025-09-01.
const api = testApi(table, '2025-09-01T01:00:00Z');
const journal = () => new DynamoDbJournalStore(table.client, table.tableName);
const files = () => new S3RefundFiles(delivery.s3, delivery.bucket);
const counted: number[] = [];
const run = (at: string) =>
  createRefundInstructions({
    journal: journal(),
    cases: table.store,
    files: files(),
    cities: ['cheongju', 'sejong'],
    count: (_n, n) => counted.push(n),
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => new Date(at),
  })({
    scheduledTime: at,
  });

async function owed(caseId: string): Promise<bigint> {
  const c = await api.call('GET', `/cases/${caseId}`, { query: { city: 'cheongju' } });
  return BigInt((c.body.arrears as { projected: string }).projected);
}
const pay = async (caseId: string, paymentId: string, amount: bigint) => {
  const answer = await api.call('POST', `/cases/${caseId}/payments`, {
    body: { cityId: 'cheongju', paymentId, amount: amount.toString(), receivedOn: '2025-09-01' },
  });
  expect(answer.status).toBe(200);
  return answer.body;
};

describe('refund instructions', () => {
  let first = '';
  let second = '';
  let cityCaseRefs: Record<string, string> = {};
  const KEY = 'refunds/cheongju/refund-cheongju-20250901.csv';

  beforeAll(async () => {
    // An overpayment (the surplus is refunded) and a payment to a case already paid (refunded whole).
    first = await registerCaseVia(api);
    second = await registerCaseVia(api);
    await pay(first, 'P-1', (await owed(first)) + 12_345n);
    await pay(second, 'P-2', await owed(second));
    await pay(second, 'P-3', 7_000n);
    cityCaseRefs = Object.fromEntries(
      await Promise.all([first, second].map(async (id) => [id, (await table.store.get('cheongju', id))!.cityCaseRef])),
    );
  });

  it('writes the day’s file per city with one instruction per case, exact to the won', async () => {
    const written = await run('2025-09-01T22:00:00Z');
    expect(written.map((f) => [f.cityId, f.key, f.instructions, f.totalKrw, f.added])).toEqual([
      ['cheongju', KEY, 2, '19345', 2],
    ]);
    const rows = [
      [`RF-20250901-${first}`, first, '12345'],
      [`RF-20250901-${second}`, second, '7000'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(await files().read(KEY)).toBe(
      'instructionId,cityId,caseId,cityCaseRef,taxpayerRef,amountKrw,payableThrough\r\n' +
        rows
          .map(([id, c, amount]) => `${id},cheongju,${c},${cityCaseRefs[c!]},TP-0001,${amount},2025-09-01\r\n`)
          .join(''),
    );
    const summary = await api.call('GET', '/reports/summary', { as: 'officer', query: { city: 'cheongju' } });
    expect(summary.body.refunds).toEqual({ payable: '0', instructed: '19345', paid: '0' });
  });

  it('writes the same file on a rerun and instructs nothing twice, even with a refund made payable since', async () => {
    const before = await files().read(KEY);
    // A later payment to the paid case: its refund waits for the next day's file.
    api.clock.now = new Date('2025-09-02T01:00:00Z');
    await api.call('POST', `/cases/${second}/payments`, {
      body: { cityId: 'cheongju', paymentId: 'P-4', amount: '500', receivedOn: '2025-09-02' },
    });
    const again = await run('2025-09-01T22:00:00Z');
    expect(again.map((f) => [f.instructions, f.added])).toEqual([[2, 0]]);
    expect(await files().read(KEY)).toBe(before);
    expect((await journal().instructions('cheongju')).length).toBe(2);
    expect(
      (await journal().refundLines('cheongju')).filter((l) => !l.instructionId).map((l) => l.amount.toFixed()),
    ).toEqual(['500']);
    // The next morning's run takes it alone.
    const next = await run('2025-09-02T22:00:00Z');
    expect(next.map((f) => [f.key, f.instructions, f.totalKrw])).toEqual([
      ['refunds/cheongju/refund-cheongju-20250902.csv', 1, '500'],
    ]);
    expect(counted).toEqual([2, 0, 1]);
  });

  it('takes the city system’s confirmation once: a retry answers the same, a second confirmation is refused', async () => {
    const id = `RF-20250901-${first}`;
    const body = { cityId: 'cheongju', paidOn: '2025-09-02', reference: 'FIN-2025-0001' };
    const paid = await api.call('POST', `/refunds/${id}/payment`, { body, key: 'pay-once' });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({
      instructionId: id,
      caseId: first,
      amount: '12345',
      status: 'PAID',
      paid: { on: '2025-09-02', reference: 'FIN-2025-0001' },
    });
    const retry = await api.call('POST', `/refunds/${id}/payment`, { body, key: 'pay-once' });
    expect([retry.status, retry.headers['Idempotent-Replayed'], retry.body]).toEqual([200, 'true', paid.body]);
    const again = await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, reference: 'FIN-2025-0002' } });
    expect([again.status, again.body.code]).toEqual([422, 'REFUND_ALREADY_PAID']);

    // On the case: its refund payable down by it, and who confirmed what in its trail.
    const c = await table.store.get('cheongju', first);
    expect(c?.refundPayable.toFixed()).toBe('0');
    const trail = await api.call('GET', `/audit-trails/${first}`, { as: 'auditor', query: { city: 'cheongju' } });
    const entries = trail.body.entries as {
      action: string;
      actor: { kind: string };
      details: Record<string, string>;
    }[];
    expect(entries.filter((e) => e.action === 'REFUND_PAID').map((e) => [e.actor.kind, e.details])).toEqual([
      ['CITY_SYSTEM', { instructionId: id, amount: '12345', paidOn: '2025-09-02', reference: 'FIN-2025-0001' }],
    ]);
    const summary = await api.call('GET', '/reports/summary', { as: 'auditor', query: { city: 'cheongju' } });
    expect(summary.body.refunds).toEqual({ payable: '0', instructed: '7500', paid: '12345' });
  });

  it('refuses another city, an unknown refund, other roles and bad input, writing nothing', async () => {
    const id = `RF-20250901-${second}`;
    const body = { cityId: 'cheongju', paidOn: '2025-09-02', reference: 'FIN-2025-0003' };
    const version = (await table.store.get('cheongju', second))!.version;
    const refused = [
      await api.call('POST', `/refunds/${id}/payment`, { body, as: 'sejongCity' }),
      await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, cityId: 'sejong' }, as: 'sejongCity' }),
      await api.call('POST', `/refunds/${id}/payment`, { body, as: 'officer' }),
      await api.call('POST', `/refunds/RF-20250901-nope/payment`, { body }),
      await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, paidOn: '2025-9-2' } }),
      await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, reference: '' } }),
      await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, amount: '7000' } }),
      await api.call('POST', `/refunds/not-an-id/payment`, { body }),
      await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, paidOn: '2025-08-31' } }),
      await api.call('POST', `/refunds/${id}/payment`, { body: { ...body, paidOn: '2025-09-03' } }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 404, 403, 404, 400, 400, 400, 400, 422, 422]);
    for (const r of refused) expect(r.headers['content-type']).toBe('application/problem+json');
    expect(refused.map((r) => r.body.code).slice(-2)).toEqual(['PAID_BEFORE_INSTRUCTED', 'PAID_IN_FUTURE']);
    expect((await table.store.get('cheongju', second))!.version).toBe(version);
    expect((await journal().instruction('cheongju', id))?.paid).toBeUndefined();
  });
});
