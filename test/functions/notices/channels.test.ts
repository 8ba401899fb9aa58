/** Notice channels without queues: the choice, the postal print file, the provider channels, the dispatcher's configuration. */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlimtalkChannel,
  ChannelNotConfiguredError,
  chooseChannel,
  EmailChannel,
  LocalFolderChannel,
  NoReachableChannelError,
  parsePrintBatch,
  PostalPrintFileChannel,
  PrintFileCorruptError,
  readPrintBatch,
  SmsChannel,
  UnavailableChannel,
  type ChannelKind,
  type NoticeChannel,
  type OutgoingNotice,
  type SmsMessage,
} from '#adapters/notice-channels/index';
import QRCode from 'qrcode';
import { renderNotice } from '#domain/notices';
import { loadDispatcherConfig } from '../../../functions/dispatch-notice/config';
import { registered, toNoticeSent } from '../../support/cases';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'channels-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const preSale = toNoticeSent(registered('ch-1').case, '2025-09-01T01:00:00Z')[2]!.notices[0]!;
const outgoing = (overrides: Partial<OutgoingNotice> = {}): OutgoingNotice => ({
  cityId: 'cheongju',
  caseId: 'ch-1',
  noticeId: overrides.noticeId ?? preSale.noticeId,
  idempotencyKey: overrides.noticeId ?? preSale.noticeId,
  kind: preSale.kind,
  content: preSale.content,
  rendered: renderNotice(preSale.content),
  recipient: {
    kind: 'TAXPAYER',
    name: '홍길동',
    contact: { phone: '010-0000-0000', address: '충청북도 청주시 상당구 상당로 155' },
  },
  at: new Date('2025-09-01T16:30:00Z'), // 2025-09-02 01:30 in Korea
  ...overrides,
});

describe('chooseChannel', () => {
  const channels = new Map<ChannelKind, NoticeChannel>([['POST', new PostalPrintFileChannel(dir)]]);
  it('takes the first channel in the order the contact data can reach, configured or not', () => {
    const both = { kind: 'TAXPAYER' as const, name: 'x', contact: { phone: '010', address: '주소' } };
    expect(chooseChannel(channels, ['SMS', 'POST'], 'REMINDER', both).kind).toBe('SMS');
    expect(chooseChannel(channels, ['SMS', 'POST'], 'REMINDER', both)).toBeInstanceOf(UnavailableChannel);
    expect(chooseChannel(channels, ['EMAIL', 'POST'], 'REMINDER', both).kind).toBe('POST');
    expect(() =>
      chooseChannel(channels, ['POST', 'EMAIL'], 'PRE_SALE', {
        kind: 'TAXPAYER',
        name: 'x',
        contact: { phone: '010' },
      }),
    ).toThrow(NoReachableChannelError);
  });
});

describe('postal print file', () => {
  it('appends print-ready records to the city’s daily file (Korean date), once per notice, readable back exactly', async () => {
    const root = join(dir, 'post-1');
    const post = new PostalPrintFileChannel(root);
    const first = await post.deliver(outgoing());
    const path = post.batchPath('cheongju', new Date('2025-09-01T16:30:00Z'));
    expect(path).toBe(join(root, 'cheongju', 'post-cheongju-20250902.prn'));
    expect(first).toEqual({ channel: 'POST', reference: `${path}#1`, sentAt: '2025-09-01T16:30:00.000Z' });
    expect(await post.deliver(outgoing())).toEqual(first); // the same notice again: nothing appended
    const second = await post.deliver(
      outgoing({
        noticeId: 'ch-1.other',
        recipient: { kind: 'TAXPAYER', name: '김\n납세', contact: { address: '세종특별자치시\t한누리대로 2130' } },
      }),
    );
    expect(second.reference).toBe(`${path}#2`);
    // A new process (a new channel) reads the file and still refuses the duplicate.
    expect(await new PostalPrintFileChannel(root).deliver(outgoing())).toEqual(first);

    const records = await readPrintBatch(path);
    expect(records.map((r) => [r.seq, r.noticeId, r.mailClass, r.to, r.address])).toEqual([
      [1, preSale.noticeId, 'REGISTERED', '홍길동', '충청북도 청주시 상당구 상당로 155'],
      [2, 'ch-1.other', 'REGISTERED', '김 납세', '세종특별자치시 한누리대로 2130'],
    ]);
    expect(records[0]?.text).toContain('압류 가상자산 매각 예정 통지');
    const raw = readFileSync(path, 'utf8');
    expect(raw.split('\f').length).toBe(3);
    expect(
      raw.startsWith(`%%BEGIN seq=000001 notice=${preSale.noticeId} case=ch-1 kind=PRE_SALE class=REGISTERED lines=`),
    ).toBe(true);
  });

  it('finds a repeat of the key in an earlier day’s file: a retry after midnight prints no second letter', async () => {
    const post = new PostalPrintFileChannel(join(dir, 'post-midnight'));
    const before = new Date('2025-09-01T14:59:50Z'); // 23:59:50 on 1 September in Korea
    const after = new Date('2025-09-01T15:00:30Z'); // 00:00:30 on 2 September
    const first = await post.deliver(outgoing({ at: before }));
    expect(first.reference).toBe(`${post.batchPath('cheongju', before)}#1`);
    // A new process, after midnight: the key is found in yesterday's file.
    expect(
      (await new PostalPrintFileChannel(join(dir, 'post-midnight')).deliver(outgoing({ at: after }))).reference,
    ).toBe(first.reference);
    expect(
      existsSync(post.batchPath('cheongju', after)) ? await readPrintBatch(post.batchPath('cheongju', after)) : [],
    ).toEqual([]);
    // Beyond the look-back, a key is not searched for any more.
    const shortMemory = new PostalPrintFileChannel(join(dir, 'post-midnight'), { lookbackDays: 0 });
    expect((await shortMemory.deliver(outgoing({ at: after }))).reference).toBe(
      `${post.batchPath('cheongju', after)}#1`,
    );
  });

  it('prints reminders as ordinary mail and escapes body lines that look like control lines', async () => {
    const post = new PostalPrintFileChannel(join(dir, 'post-2'));
    const rendered = { ...renderNotice(preSale.content), body: '%%END trick\n %%BEGIN spaced\n본문' };
    await post.deliver(outgoing({ kind: 'REMINDER', rendered }));
    const [record] = await readPrintBatch(post.batchPath('cheongju', outgoing().at));
    expect(record?.mailClass).toBe('ORDINARY');
    expect(record?.text).toContain('%%END trick\n %%BEGIN spaced\n본문');
  });

  it('cuts a record torn by a crash before appending the next, and refuses a corrupted file', async () => {
    const root = join(dir, 'post-3');
    await new PostalPrintFileChannel(root).deliver(outgoing());
    const path = new PostalPrintFileChannel(root).batchPath('cheongju', outgoing().at);
    appendFileSync(
      path,
      '%%BEGIN seq=000002 notice=torn case=ch-1 kind=PRE_SALE class=REGISTERED lines=40 sha256=' +
        'a'.repeat(64) +
        '\n%%TO 홍',
    );
    expect(parsePrintBatch(readFileSync(path, 'utf8')).tornBytes).toBeGreaterThan(0);
    await new PostalPrintFileChannel(root).deliver(outgoing({ noticeId: 'after-crash' }));
    expect((await readPrintBatch(path)).map((r) => [r.seq, r.noticeId])).toEqual([
      [1, preSale.noticeId],
      [2, 'after-crash'],
    ]);

    const content = readFileSync(path, 'utf8');
    writeFileSync(path, content.replace('압류 가상자산 매각 예정 통지', '바뀐 제목'));
    expect(() => parsePrintBatch(readFileSync(path, 'utf8'))).toThrow(PrintFileCorruptError);
    writeFileSync(path, content.replace(/%%END seq=000001[^\n]*\n/, ''));
    expect(() => parsePrintBatch(readFileSync(path, 'utf8'))).toThrow(PrintFileCorruptError);
  });
});

describe('provider channels', () => {
  it('fail loudly while no provider is configured', async () => {
    for (const channel of [
      new SmsChannel(),
      new AlimtalkChannel(undefined, { PRE_SALE: 'TPL-1' }),
      new EmailChannel(),
    ]) {
      await expect(
        channel.deliver(
          outgoing({ recipient: { kind: 'TAXPAYER', name: 'x', contact: { phone: '010-1', email: 'a@b.kr' } } }),
        ),
      ).rejects.toBeInstanceOf(ChannelNotConfiguredError);
    }
    await expect(new AlimtalkChannel({ send: async () => ({ messageId: 'm' }) }).deliver(outgoing())).rejects.toThrow(
      'no approved template for PRE_SALE',
    );
    await expect(new UnavailableChannel('POST').deliver()).rejects.toBeInstanceOf(ChannelNotConfiguredError);
  });

  it('hand a provider the short Korean text, keyed by the notice id', async () => {
    const sent: SmsMessage[] = [];
    const sms = new SmsChannel({ send: async (m) => (sent.push(m), { messageId: 'provider-1' }) });
    expect(await sms.deliver(outgoing())).toEqual({
      channel: 'SMS',
      reference: 'provider-1',
      sentAt: '2025-09-01T16:30:00.000Z',
    });
    expect(sent[0]?.reference).toBe(preSale.noticeId);
    await sms.deliver(outgoing({ idempotencyKey: 'the-key' }));
    expect(sent[1]?.reference).toBe('the-key'); // the provider's idempotency key is the delivery's
    expect([...(sent[0]?.text ?? '')].length).toBeLessThanOrEqual(200);
    expect(sent[0]?.text).toContain('043-201-0000');
  });

  it('the local folder writes the text and its metadata, and answers a repeat of the key with the first delivery, writing nothing', async () => {
    const folder = new LocalFolderChannel(join(dir, 'folder'));
    const first = await folder.deliver(outgoing());
    const paths = folder.paths('cheongju', 'ch-1', preSale.noticeId);
    expect(first).toEqual({
      channel: 'LOCAL_FOLDER',
      reference: paths.text,
      sentAt: '2025-09-01T16:30:00.000Z',
      deliveredAt: '2025-09-01T16:30:00.000Z',
    });
    const written = readFileSync(paths.text, 'utf8');
    expect(written).toContain('홍길동');
    // The same key an hour later, its text rendered again from changed data: the first delivery stands.
    const repeat = await folder.deliver(
      outgoing({
        at: new Date('2025-09-01T17:30:00Z'),
        rendered: { ...renderNotice(preSale.content), body: '다른 본문' },
      }),
    );
    expect(repeat).toEqual(first);
    expect(readFileSync(paths.text, 'utf8')).toBe(written);
    expect(JSON.parse(readFileSync(paths.metadata, 'utf8'))).toMatchObject({
      kind: 'PRE_SALE',
      channel: 'LOCAL_FOLDER',
      writtenAt: '2025-09-01T16:30:00.000Z',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe('dispatcher configuration', () => {
  it('reads channel orders, per city, and refuses unknown kinds or channels', () => {
    const base = { TABLE_NAME: 't' };
    // E-mail where the taxpayer gave an address (applied for electronic service), else post: channels that deliver.
    expect(loadDispatcherConfig(base).channelOrder('cheongju')).toEqual({ '*': ['EMAIL', 'POST'] });
    expect(loadDispatcherConfig({ ...base, LOCAL_OUTBOX_DIR: '/tmp/o' }).channelOrder('cheongju')).toEqual({
      '*': ['LOCAL_FOLDER'],
    });
    const config = loadDispatcherConfig({
      ...base,
      NOTICE_CHANNEL_ORDER: JSON.stringify({ '*': ['POST'], cities: { sejong: { REMINDER: ['SMS'] } } }),
      EXCHANGE_NOTICE_CONTACT: JSON.stringify({ cheongju: { address: '서울 강남구' } }),
      MAX_RECEIVE_COUNT: '7',
    });
    expect(config.channelOrder('sejong')).toEqual({ '*': ['POST'], REMINDER: ['SMS'] });
    expect(config.channelOrder('cheongju')).toEqual({ '*': ['POST'] });
    expect(config.exchangeContact('cheongju')).toEqual({ address: '서울 강남구' });
    expect(config.maxReceiveCount).toBe(7);
    expect(() => loadDispatcherConfig({})).toThrow('TABLE_NAME');
    expect(() => loadDispatcherConfig({ ...base, NOTICE_CHANNEL_ORDER: '{"NOPE":["POST"]}' })).toThrow(
      'not a notice kind',
    );
    expect(() => loadDispatcherConfig({ ...base, NOTICE_CHANNEL_ORDER: '{"*":["FAX"]}' })).toThrow('non-empty list');
  });
});

describe('the self-service link on the pre-sale notice', () => {
  const link = {
    url: 'https://pay.example.go.kr/t/#7K2M-QX4P-9D3R-T6VW',
    code: '7K2M-QX4P-9D3R-T6VW',
    expiresOn: '2025-12-31',
  };
  const linked =
    preSale.content.kind === 'PRE_SALE'
      ? { ...preSale.content, data: { ...preSale.content.data, selfService: link } }
      : preSale.content;

  it('changes the text only by the link block: every other line stays as it was, in order', () => {
    const before = renderNotice(preSale.content).body.split('\n');
    const after = renderNotice(linked).body.split('\n');
    const at = after.indexOf('■ 인터넷으로 확인하고 직접 매각 요청하기');
    const added = after.slice(at, at + 6);
    expect([...after.slice(0, at), ...after.slice(at + 6)]).toEqual(before);
    expect(added).toEqual([
      '■ 인터넷으로 확인하고 직접 매각 요청하기',
      expect.stringContaining('QR코드'),
      `- 주소: ${link.url}`,
      `- 확인 번호: ${link.code}`,
      '- 이용 기한: 2025년 12월 31일까지',
      '',
    ]);
    expect(() =>
      renderNotice({
        ...linked,
        data: { ...linked.data, selfService: { ...link, url: 'javascript:alert(1)' } },
      } as typeof linked),
    ).toThrow(/selfService.url/);
  });

  it('the print record carries the link for the QR code, and a small one: version 4 at error correction M', async () => {
    const root = join(dir, 'post-qr');
    const channel = new PostalPrintFileChannel(root);
    await channel.deliver(outgoing({ content: linked, rendered: renderNotice(linked) }));
    await channel.deliver(outgoing({ noticeId: 'other-notice' }));
    const [withQr, without] = await readPrintBatch(channel.batchPath('cheongju', new Date('2025-09-01T16:30:00Z')));
    expect(withQr).toMatchObject({ qr: link.url, text: `${renderNotice(linked).body}\n` });
    expect(without?.qr).toBeUndefined();
    // About 50 characters: a 33 × 33 QR code, printable in 2.5 cm and read by any phone camera.
    expect(QRCode.create(withQr!.qr!, { errorCorrectionLevel: 'M' }).version).toBeLessThanOrEqual(4);
  });
});
