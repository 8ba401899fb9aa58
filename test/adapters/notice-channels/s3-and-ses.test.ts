/**
 * The deployed channels against local servers through the real SDK clients: postal print batches
 * in S3 (fauxqs emulates S3 beside SQS) and e-mail through SES v2 (aws-ses-v2-local).
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  EmailChannel,
  readS3PrintBatch,
  S3PrintBatchChannel,
  SesEmailGateway,
  type OutgoingNotice,
} from '#adapters/notice-channels/index';
import { renderNotice } from '#domain/notices';
import { registered, toNoticeSent } from '../../support/cases';
import { useNoticeDelivery } from '../../support/notice-delivery';

const delivery = useNoticeDelivery('print-batches-test');
const BUCKET = delivery.bucket;

const preSale = toNoticeSent(registered('s3-1').case, '2025-09-01T01:00:00Z')[2]!.notices[0]!;
const outgoing = (noticeId: string, overrides: Partial<OutgoingNotice> = {}): OutgoingNotice => ({
  cityId: 'cheongju',
  caseId: 's3-1',
  noticeId,
  idempotencyKey: noticeId,
  kind: preSale.kind,
  content: preSale.content,
  rendered: renderNotice(preSale.content),
  recipient: {
    kind: 'TAXPAYER',
    name: '홍길동',
    contact: { address: '충청북도 청주시 상당구 상당로 155', email: 'hong@example.com' },
  },
  at: new Date('2025-09-01T16:30:00Z'), // 2025-09-02 01:30 in Korea
  ...overrides,
});

describe('postal print batches in S3', () => {
  it('appends each notice to the city’s batch of the day, once: a re-run (another channel instance too) adds nothing', async () => {
    const post = new S3PrintBatchChannel(delivery.s3, BUCKET);
    const key = 'print/cheongju/post-cheongju-20250902.prn';
    expect(post.batchKey('cheongju', new Date('2025-09-01T16:30:00Z'))).toBe(key);
    const first = await post.deliver(outgoing('n-1'));
    const second = await post.deliver(outgoing('n-2'));
    expect(first).toMatchObject({ channel: 'POST', reference: `s3://${BUCKET}/${key}#1` });
    expect(second.reference).toBe(`s3://${BUCKET}/${key}#2`);
    // A redelivered message after a crash, in a new container: the same receipt, no second letter.
    const again = await new S3PrintBatchChannel(delivery.s3, BUCKET).deliver(outgoing('n-1'));
    expect(again.reference).toBe(first.reference);
    const records = await readS3PrintBatch(delivery.s3, BUCKET, key);
    expect(records.map((r) => [r.seq, r.noticeId, r.mailClass, r.to])).toEqual([
      [1, 'n-1', 'REGISTERED', '홍길동'],
      [2, 'n-2', 'REGISTERED', '홍길동'],
    ]);
    expect(records[0]?.text).toContain(renderNotice(preSale.content).title);
    // Concurrent deliveries in one process take turns: every letter once, sequence unbroken.
    await Promise.all(['n-3', 'n-4', 'n-5', 'n-3'].map((id) => post.deliver(outgoing(id))));
    expect((await readS3PrintBatch(delivery.s3, BUCKET, key)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    // One file per city per day (beside each letter's sent marker).
    await post.deliver(outgoing('n-6', { cityId: 'sejong', at: new Date('2025-09-02T16:00:00Z') }));
    const keys = (await delivery.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'print/' }))).Contents?.map(
      (o) => o.Key ?? '',
    );
    expect(keys?.filter((k) => k.endsWith('.prn')).sort()).toEqual([key, 'print/sejong/post-sejong-20250903.prn']);
    // A retry after midnight (the message came back the next day) finds the letter by its marker: no second letter.
    const nextDay = await post.deliver(outgoing('n-2', { at: new Date('2025-09-02T16:30:00Z') }));
    expect(nextDay.reference).toBe(second.reference);
    await expect(readS3PrintBatch(delivery.s3, BUCKET, 'print/cheongju/post-cheongju-20250903.prn')).rejects.toThrow();
    const body = await (
      await delivery.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    ).Body?.transformToString('utf8');
    expect(body?.match(/^%%BEGIN /gm)).toHaveLength(5);
  });
});

describe('e-mail through SES v2', () => {
  it('sends the notice as UTF-8 text from the city’s identity, tagged with the notice id, and reports SES’s message id as the receipt', async () => {
    const channel = new EmailChannel(
      new SesEmailGateway(delivery.sesClient, { from: '"청주시 징수과" <notice@cheongju.example.go.kr>' }),
      { receiptOnAcceptance: true },
    );
    const receipt = await channel.deliver(outgoing('n-mail-1'));
    const emails = await delivery.ses.emails();
    const email = emails.find((e) => e.messageId === receipt.reference);
    expect(receipt).toMatchObject({
      channel: 'EMAIL',
      sentAt: '2025-09-01T16:30:00.000Z',
      deliveredAt: '2025-09-01T16:30:00.000Z',
    });
    expect(email).toMatchObject({
      from: '"청주시 징수과" <notice@cheongju.example.go.kr>',
      destination: { to: ['hong@example.com'] },
      subject: `[청주시] ${renderNotice(preSale.content).title}`,
    });
    expect(email?.body.text).toContain('홍길동');
    expect(email?.headers).toEqual(expect.arrayContaining([{ name: 'X-Notice-Id', value: 'n-mail-1' }]));
  });
});
