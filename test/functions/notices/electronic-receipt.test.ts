/**
 * The dispatcher with the deployed channels: a taxpayer who gave an e-mail address gets the pre-sale
 * notice through SES (the local SES v2 server), and SES's acceptance, recorded by the dispatcher,
 * starts the deadline; one without gets it in the day's print batch (fauxqs S3), and the deadline
 * waits for the post office's result. DynamoDB Local holds the cases.
 */
import type { SQSRecord } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDbOutboxStore } from '#adapters/dynamodb/outbox-store';
import { readS3PrintBatch } from '#adapters/notice-channels/index';
import { confirmCustody, registerCase, requestTransfer, sendPreSaleNotice, type Transition } from '#domain/case';
import { decimal } from '#domain/money';
import { createNoticeDispatcher } from '../../../functions/dispatch-notice/app';
import { channelsFor } from '../../../functions/dispatch-notice/channels';
import { loadDispatcherConfig } from '../../../functions/dispatch-notice/config';
import { preSaleReceiptRecorder } from '../../../functions/dispatch-notice/receipts';
import { bill, ctxAt } from '../../support/cases';
import { useCasesTable } from '../../support/dynamodb';
import { useNoticeDelivery } from '../../support/notice-delivery';

const table = useCasesTable();
const delivery = useNoticeDelivery('print-receipts-test');
const BUCKET = delivery.bucket;

const AT = '2032-03-02T01:00:00Z';

async function noticed(caseId: string, contact: Record<string, string>): Promise<Transition> {
  const r = registerCase(
    {
      cityId: 'cheongju',
      caseId,
      cityCaseRef: `CJ-${caseId}`,
      taxpayer: { ref: 'T', name: '홍길동', contact },
      bills: [bill('B1')],
    },
    ctxAt(AT),
  );
  await table.store.create(r);
  let c = r.case;
  for (const step of [
    (x: typeof c) => requestTransfer(x, [{ market: 'KRW-BTC', quantity: decimal('0.05') }], ctxAt(AT)),
    (x: typeof c) => confirmCustody(x, { market: 'KRW-BTC', quantity: decimal('0.05') }, ctxAt(AT)),
  ]) {
    const t = step(c);
    await table.store.commit(c.version, t);
    c = t.case;
  }
  const t = sendPreSaleNotice(c, [{ market: 'KRW-BTC', bid: decimal('140000000') }], ctxAt(AT));
  await table.store.commit(c.version, t);
  return t;
}

const record = (t: Transition): SQSRecord =>
  ({
    messageId: `m-${t.notices[0]!.noticeId}`,
    body: JSON.stringify({ cityId: t.case.cityId, caseId: t.case.caseId, noticeId: t.notices[0]!.noticeId }),
    attributes: { ApproximateReceiveCount: '1' },
  }) as unknown as SQSRecord;

it('an e-mailed pre-sale notice’s receipt starts the deadline; a posted one waits for the post office', async () => {
  const config = loadDispatcherConfig({
    TABLE_NAME: table.tableName,
    PRINT_BATCH_BUCKET: BUCKET,
    EMAIL_FROM: 'notice@cheongju.example.go.kr',
  });
  const dispatcher = createNoticeDispatcher({
    outbox: new DynamoDbOutboxStore(table.client, table.tableName),
    cases: table.store,
    channels: channelsFor(config, { s3: () => delivery.s3, ses: () => delivery.sesClient }),
    channelOrder: config.channelOrder,
    recordReceipt: preSaleReceiptRecorder({
      store: table.store,
      settings: table.settings,
      now: () => new Date('2032-03-02T02:00:00Z'),
    }),
    maxReceiveCount: 5,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => new Date('2032-03-02T02:00:00Z'),
  });

  const mailed = await noticed('rcpt-mail', {
    email: 'hong@example.com',
    address: '충청북도 청주시 상당구 상당로 155',
  });
  expect(await dispatcher.dispatch(record(mailed))).toBe('SENT');
  expect((await delivery.ses.emails()).map((e) => e.destination.to)).toContainEqual(['hong@example.com']);
  expect(await table.store.get('cheongju', 'rcpt-mail')).toMatchObject({
    preSaleNotice: { deliveredOn: '2032-03-02', effectiveOn: '2032-03-02' },
    deadline: '2032-04-16',
  });
  // A redelivered message: no second e-mail, the receipt stays as recorded.
  const sent = (await delivery.ses.emails()).length;
  expect(await dispatcher.dispatch(record(mailed))).toBe('ALREADY_SENT');
  expect((await delivery.ses.emails()).length).toBe(sent);

  const posted = await noticed('rcpt-post', { address: '충청북도 청주시 흥덕구 2순환로 1' });
  expect(await dispatcher.dispatch(record(posted))).toBe('SENT');
  const letters = await readS3PrintBatch(delivery.s3, BUCKET, 'print/cheongju/post-cheongju-20320302.prn');
  expect(letters.map((l) => [l.caseId, l.kind])).toEqual([['rcpt-post', 'PRE_SALE']]);
  const c = await table.store.get('cheongju', 'rcpt-post');
  expect(c?.deadline).toBeUndefined();
  expect(c?.preSaleNotice?.effectiveOn).toBeUndefined();
});
