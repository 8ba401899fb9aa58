/**
 * The taxpayer's self-service page in headless Chromium on a phone-sized screen, against a local
 * stack of its own: the taxpayer opens the link printed (as a QR code) on the pre-sale notice,
 * passes the check, reads the statement, asks for a sale with a floor and sees it settle; an expired
 * or altered link and a wrong date are refused with the very same words; guessing is stopped by the
 * lockout. Every main page passes axe-core with no serious violation and leaves a screenshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { readS3PrintBatch, S3PrintBatchChannel } from '#adapters/notice-channels/index';
import { formatCode, linkCode } from '#adapters/self-service/access-keys';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { runTimeline } from '../../local/timeline';
import { checkPage, openBrowser, type BrowserSession } from '../support/browser';

jest.setTimeout(240_000);

const CITY = 'cheongju';
const BIRTH = '1975-03-09';
const PHONE = { width: 390, height: 844 };

describe('taxpayer self-service page', () => {
  let stack: LocalStack;
  let browser: BrowserSession;
  let stateDir: string;
  let caseId = '';
  let link = '';

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'taxpayer-'));
    [stack, browser] = await Promise.all([
      startLocalStack({ start: '2026-09-14T10:00:00+09:00', stateDir, preSaleNoticeAfterCustodyDays: 0 }),
      openBrowser(),
    ]);
    // A case in custody; the next morning its pre-sale notice goes out by post, with the link.
    const { city } = stack;
    caseId = (
      await city.post<{ caseId: string }>('/cases', {
        cityId: CITY,
        cityCaseRef: 'CJ-SELF-1',
        taxpayer: {
          ref: 'TP-SELF-1',
          name: '김납세',
          contact: { phone: '010-0000-0009', address: '충청북도 청주시 상당구 상당로 155' },
        },
        bills: [
          {
            billId: 'B-2025-9',
            taxItem: '지방소득세',
            dueDate: '2025-05-31',
            cost: '5000',
            tax: '1200000',
            surcharge: '36000',
            surchargeAsOf: '2026-08-31',
          },
        ],
      })
    ).caseId;
    await city.post(`/cases/${caseId}/seizures`, { cityId: CITY, seizures: [{ market: 'KRW-ETH', quantity: '2.5' }] });
    stack.exchange.accounts.credit('ETH', '2.5', stack.exchangeKeys.accessKey);
    await city.post(`/cases/${caseId}/custody`, { cityId: CITY, market: 'KRW-ETH', quantity: '2.5' });
    await city.put(`/cases/${caseId}/taxpayer-check`, { cityId: CITY, birthDate: BIRTH });
    await runTimeline(stack, {
      until: new Date('2026-09-15T09:30:00+09:00'),
      done: async () =>
        (await stack.pendingNotices()) === 0 && (await stack.store.get(CITY, caseId))?.status === 'NOTICE_SENT',
    });
    // The post office delivered it that day (reported by the city's system): the deadline runs.
    const noticeId = (await stack.store.get(CITY, caseId))?.preSaleNotice?.noticeId ?? '';
    await city.post(`/cases/${caseId}/notices/${noticeId}/delivery`, {
      cityId: CITY,
      outcome: 'DELIVERED',
      on: '2026-09-15',
    });
    await city.post(`/cases/${caseId}/payments`, {
      cityId: CITY,
      paymentId: 'RCPT-SELF-1',
      amount: '100000',
      receivedOn: '2026-09-15',
    });
    const channel = new S3PrintBatchChannel(stack.printBatches.s3, stack.printBatches.bucket);
    const letters = await readS3PrintBatch(
      stack.printBatches.s3,
      stack.printBatches.bucket,
      channel.batchKey(CITY, new Date('2026-09-15T12:00:00+09:00')),
    );
    const notice = letters.find((l) => l.caseId === caseId && l.kind === 'PRE_SALE');
    link = notice?.qr ?? '';
    expect(notice?.text).toContain(`- 주소: ${link}`);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function phone(): Promise<Page> {
    const { page } = await browser.newPage();
    await page.setViewportSize(PHONE);
    return page;
  }

  /** Opens a link and answers the check; returns the page (showing the statement, or the refusal). */
  async function open(page: Page, url: string, birthDate: string): Promise<void> {
    await page.goto(url);
    await page.getByLabel('생년월일').fill(birthDate);
    await page.getByRole('button', { name: '확인' }).click();
  }

  async function refusal(page: Page): Promise<string> {
    await page.getByRole('alert').waitFor();
    return (await page.getByRole('alert').textContent()) ?? '';
  }

  it('the link opens the check, with the code filled in from the QR code (and then taken out of the address bar)', async () => {
    expect(link).toMatch(new RegExp(`^${stack.taxpayer.site.pageUrl}#[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$`));
    const page = await phone();
    await page.goto(link);
    await page.getByRole('button', { name: '확인' }).waitFor();
    expect(await page.getByLabel('확인 번호').inputValue()).toBe(link.split('#')[1]);
    expect(page.url()).not.toContain('#');
    expect(await checkPage(page, 'taxpayer-check')).toEqual([]);
  });

  it('an expired or altered link and a wrong date of birth are refused in the very same words', async () => {
    const code = link.split('#')[1] ?? '';
    const altered = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    const grant = { cityId: CITY, caseId, noticeId: 'an-older-notice', expiresOn: '2026-09-01' };
    const expiredCode = linkCode(stack.taxpayer.keys, grant);
    await stack.taxpayer.records.putLink(expiredCode, grant, new Date().toISOString());
    const texts: string[] = [];
    for (const [url, date] of [
      [`${stack.taxpayer.site.pageUrl}#${altered}`, BIRTH],
      [`${stack.taxpayer.site.pageUrl}#${formatCode(expiredCode)}`, BIRTH],
      [link, '1975-03-10'],
      [`${stack.taxpayer.site.pageUrl}#ZZZZ-ZZZZ-ZZZZ-ZZZZ`, BIRTH],
    ] as const) {
      const page = await phone();
      await open(page, url, date);
      texts.push(await refusal(page));
      if (texts.length === 3) expect(await checkPage(page, 'taxpayer-refused')).toEqual([]);
    }
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).toContain('확인 번호가 맞지 않거나');
    expect(texts[0]).not.toContain('김납세');
  });

  it('the taxpayer reads the statement, asks for a sale with a floor after seeing the plan, and sees it settle', async () => {
    const page = await phone();
    await open(page, link, BIRTH);
    await page.getByRole('heading', { name: '김납세 님의 체납액과 압류 가상자산' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('오늘 납부하실 금액');
    expect(text).toContain('(납부기한)');
    expect(text).toContain('이더리움(ETH)');
    expect(text).toContain('100,000원'); // the payment the city recorded
    expect(text).toContain('301-0000-0000-00'); // the city's account, from its settings
    expect(text).toContain('이의신청');
    expect(await checkPage(page, 'taxpayer-statement')).toEqual([]);

    const bid = (await stack.bids(['KRW-ETH']))['KRW-ETH'];
    const floor = bid!.mul('0.9').floor().toFixed();
    await page.getByLabel('이더리움(ETH) 최저 가격(원, 선택)').fill(floor);
    await page.getByRole('button', { name: '매각 계획 보기' }).click();
    await page.getByRole('heading', { name: '매각 계획 (오늘 시세 기준 예상)' }).waitFor();
    const plan = (await page.locator('section[aria-labelledby="sell"]').textContent()) ?? '';
    expect(plan).toContain('예상 매각대금');
    expect(plan).toContain('돌려받을 가상자산');
    expect(await checkPage(page, 'taxpayer-sale-plan')).toEqual([]);
    await page.getByRole('button', { name: '이대로 매각 요청' }).click();
    await page.getByRole('status').waitFor();
    // Waiting for the sale starter, or already selling: the page follows it either way.
    await page.getByText(/매각 준비 중입니다\.|매각하고 있습니다\./).waitFor();
    expect(await checkPage(page, 'taxpayer-sale-requested')).toEqual([]);
    const requested = await stack.store.get(CITY, caseId);
    expect(requested?.saleRequest).toMatchObject({ evidence: { channel: 'SELF_SERVICE' } });
    expect(requested?.saleRequest?.limitPrices['KRW-ETH']?.toFixed()).toBe(floor);

    await runTimeline(stack, {
      until: new Date('2026-09-16T12:00:00+09:00'),
      done: async () =>
        (await stack.store.get(CITY, caseId))?.status === 'SETTLED' && (await stack.pendingNotices()) === 0,
    });
    expect((await stack.store.get(CITY, caseId))?.status).toBe('SETTLED');
    // Coming back later (the session has long expired): the link again, the check again, the result.
    const later = await phone();
    await open(later, link, BIRTH);
    await later.getByText('매각을 마치고 체납액에 충당했습니다.').waitFor();
    const result = (await later.locator('main').textContent()) ?? '';
    expect(result).toContain('체납액 충당');
    // Only what the arrears needed was sold: the rest goes back, and the proceeds were applied to the won.
    expect(result).toMatch(/[\d.]+ ETH: 매각 후 남은 수량, 업비트 본인 계정\(으\)로 압류 해제/);
    expect(result).toContain('오늘 납부하실 금액0원');
    expect(await checkPage(later, 'taxpayer-settled')).toEqual([]);
  });

  it('guessing the date of birth is stopped: after five wrong answers even the right one is refused', async () => {
    const page = await phone();
    for (let i = 1; i <= 5; i++) {
      await open(page, link, `1960-01-0${i}`);
      await refusal(page);
    }
    await open(page, link, BIRTH);
    expect(await refusal(page)).toContain('확인 번호가 맞지 않거나');
    const log = await stack.taxpayer.records.accessLog(CITY, caseId);
    expect(log.some((e) => e.outcome === 'LOCKED')).toBe(true);
    expect(log.filter((e) => e.outcome === 'CHECK_PASSED').length).toBeGreaterThanOrEqual(2);
  });
});
