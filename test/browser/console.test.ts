/**
 * The officers' web console in headless Chromium against a local stack of its own: officers sign in
 * (password and TOTP code), read cases, act on them; every main page passes axe-core with no serious
 * violation and leaves a screenshot in test-output/screenshots/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { Decimal } from '#domain/money';
import { readS3PrintBatch, S3PrintBatchChannel } from '#adapters/notice-channels/index';
import { deskExecutionName, saleExecutionName } from '#adapters/workflow/sale-workflow';
import type { ConsoleUser } from '../../local/cognito';
import { keyFor } from '../../local/credentials';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { runTimeline } from '../../local/timeline';
import { checkPage, openBrowser, type BrowserSession } from '../support/browser';
import { registered } from '../support/cases';

// The large sale runs about 70 slices on the simulated clock (about two minutes on a busy 2-core machine).
jest.setTimeout(300_000);

const CITY = 'cheongju';

describe('web console', () => {
  let stack: LocalStack;
  let browser: BrowserSession;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'console-'));
    [stack, browser] = await Promise.all([
      startLocalStack({ start: '2026-09-14T10:00:00+09:00', stateDir, preSaleNoticeAfterCustodyDays: 0 }),
      openBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const user = (name: string): ConsoleUser => {
    const u = stack.console.users.find((x) => x.username === name);
    if (!u) throw new Error(`no console user ${name}`);
    return u;
  };

  /** What the officer's authenticator app shows now for its secret. */
  const appCode = (secret: string) => new TOTP({ secret }).generate();

  async function enterPassword(page: Page, username: string, password: string): Promise<void> {
    await page.goto(stack.console.site.url);
    await page.getByLabel('아이디').fill(username);
    await page.getByLabel('비밀번호').fill(password);
    await page.getByRole('button', { name: '로그인' }).click();
  }

  async function signIn(page: Page, u: Pick<ConsoleUser, 'username' | 'password' | 'totpSecret'>): Promise<void> {
    await enterPassword(page, u.username, u.password);
    await page.getByLabel('인증 코드 (OTP)').fill(appCode(u.totpSecret ?? ''));
    await page.getByRole('button', { name: '확인' }).click();
  }

  it('signs an officer in with password and one-time code and lists the city’s cases', async () => {
    const { page } = await browser.newPage();
    await page.goto(stack.console.site.url);
    await page.getByRole('button', { name: '로그인' }).waitFor();
    expect(await checkPage(page, 'sign-in')).toEqual([]);
    const shown = [
      await caseInCustody('TP-LIST-1', '800000', 'KRW-ETH', '0.8'),
      await caseInCustody('TP-LIST-2', '2400000', 'KRW-BTC', '0.05'),
    ];
    await signIn(page, user('officer'));
    await page.getByRole('heading', { name: '체납 사건' }).waitFor();
    // The screenshot shows the cases, not the table before they arrive.
    for (const caseId of shown) await page.getByRole('link', { name: caseId }).waitFor();
    expect(await checkPage(page, 'cases')).toEqual([]);
  });

  it('an officer an administrator created sets a new password and enrols an authenticator app at the first sign-in, then signs in with its codes', async () => {
    const { temporaryPassword } = stack.console.pool.adminCreateUser({
      username: 'officer-new',
      group: 'officer',
      cities: [CITY],
    });
    const { page } = await browser.newPage();
    await enterPassword(page, 'officer-new', temporaryPassword);
    await page.getByRole('heading', { name: '새 비밀번호' }).waitFor();
    expect(await checkPage(page, 'first-sign-in-password')).toEqual([]);
    // The pool's password policy refuses a weak one; the officer tries again in the same sign-in.
    await page.getByLabel('새 비밀번호', { exact: true }).fill('password1234');
    await page.getByLabel('새 비밀번호 확인').fill('password1234');
    await page.getByRole('button', { name: '비밀번호 변경' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('비밀번호 규칙');
    const password = 'Cheongju-Officer-2026!';
    await page.getByLabel('새 비밀번호', { exact: true }).fill(password);
    await page.getByLabel('새 비밀번호 확인').fill(password);
    await page.getByRole('button', { name: '비밀번호 변경' }).click();

    // Enrolment: the secret as a QR code and as text; the app's code confirms it.
    await page.getByRole('heading', { name: '인증 앱 등록' }).waitFor();
    expect(await page.getByRole('img', { name: '인증 앱 등록용 QR 코드' }).locator('path').getAttribute('d')).toMatch(
      /^(M\d+ \d+h1v1h-1z){100,}$/,
    );
    const secret = (await page.getByLabel('설정 키').textContent())?.replace(/\s/g, '') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // A new form: nothing typed at an earlier step (the password) shows in the code field.
    expect(await page.getByLabel('인증 코드 (OTP)').inputValue()).toBe('');
    expect(await checkPage(page, 'first-sign-in-enrol')).toEqual([]);
    await page.getByLabel('인증 코드 (OTP)').fill(appCode(secret) === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: '등록' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('인증 코드가 맞지 않습니다');
    await page.getByLabel('인증 코드 (OTP)').fill(appCode(secret));
    await page.getByRole('button', { name: '등록' }).click();
    await page.getByRole('heading', { name: '체납 사건' }).waitFor();
    expect(stack.console.users.find((u) => u.username === 'officer-new')).toMatchObject({
      status: 'CONFIRMED',
      password,
      totpSecret: secret,
    });

    // Later sign-ins: the new password, then the enrolled app's code; the temporary password no longer works.
    await page.getByRole('button', { name: '로그아웃' }).click();
    await enterPassword(page, 'officer-new', temporaryPassword);
    expect(await page.getByRole('alert').textContent()).toContain('아이디 또는 비밀번호');
    await signIn(page, { username: 'officer-new', password, totpSecret: secret });
    await page.getByRole('heading', { name: '체납 사건' }).waitFor();
    await page.getByRole('table').waitFor();
  });

  /** Registers a case through the city system's API with coins in custody; returns its id. */
  async function caseInCustody(
    ref: string,
    tax: string,
    market: string,
    quantity: string,
    cityId = CITY,
  ): Promise<string> {
    const { city } = stack.callersOf(cityId);
    const { caseId } = await city.post<{ caseId: string }>('/cases', {
      cityId,
      cityCaseRef: `${ref}-CASE`,
      taxpayer: {
        ref,
        name: '김납세',
        contact: { phone: '010-0000-0001', address: '충청북도 청주시 상당구 상당로 155' },
      },
      bills: [
        {
          billId: 'B-2025-1',
          taxItem: '지방소득세',
          dueDate: '2025-05-31',
          cost: '5000',
          tax,
          surcharge: '36000',
          surchargeAsOf: '2026-08-31',
        },
      ],
    });
    await city.post(`/cases/${caseId}/seizures`, { cityId, seizures: [{ market, quantity }] });
    stack.exchange.accounts.credit(market.replace(/^KRW-/, ''), quantity, stack.exchangeKeys.accessKey);
    await city.post(`/cases/${caseId}/custody`, { cityId, market, quantity });
    return caseId;
  }

  const openPage = async (page: Page, hash: string, heading: string | RegExp) => {
    await page.goto(`${stack.console.site.url}/${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  it('finds a case by taxpayer reference, reads its statement, and places and releases a hold as the signed-in officer', async () => {
    const caseId = await caseInCustody('TP-FIND-1', '1200000', 'KRW-ETH', '1.5');
    const { page } = await browser.newPage();
    await signIn(page, user('officer'));
    await page.getByRole('heading', { name: '체납 사건' }).waitFor();
    await page.getByLabel('납세자 번호').fill('TP-FIND-1');
    await page.getByRole('button', { name: '검색' }).click();
    await page.getByRole('link', { name: caseId }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(caseId) }).waitFor();
    await page.getByRole('heading', { name: '명세서' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('1,241,000원');
    expect(await checkPage(page, 'case')).toEqual([]);

    await page.getByLabel('보류 사유', { exact: true }).fill('이의신청 접수');
    await page.getByRole('button', { name: '보류', exact: true }).click();
    await page.getByRole('button', { name: '보류 해제' }).waitFor();
    expect((await stack.store.get(CITY, caseId))?.status).toBe('ON_HOLD');
    await page.getByRole('button', { name: '보류 해제' }).click();
    await page.getByRole('button', { name: '보류', exact: true }).waitFor();
    const c = await stack.store.get(CITY, caseId);
    expect(c?.status).toBe('IN_CUSTODY');
    // The audit trail names the officer who signed in, for both acts.
    const audit = (await stack.store.statement(CITY, caseId))?.audit.slice(-2);
    expect(audit?.map((a) => [a.action, a.actor.kind, a.actor.id])).toEqual([
      ['PLACE_HOLD', 'OFFICER', 'officer'],
      ['RELEASE_HOLD', 'OFFICER', 'officer'],
    ]);
    expect(await page.getByRole('listitem').filter({ hasText: '공무원 officer' }).count()).toBeGreaterThanOrEqual(2);
  });

  it('one city’s officer cannot see another city’s cases', async () => {
    const caseId = await caseInCustody('TP-OTHER-CITY', '900000', 'KRW-ETH', '1');
    const { page } = await browser.newPage();
    await signIn(page, user('sejong-officer'));
    await page.getByRole('heading', { name: '체납 사건' }).waitFor();
    expect(await page.getByRole('link', { name: caseId }).count()).toBe(0);
    await page.goto(`${stack.console.site.url}/#/cases/${caseId}`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('heading', { level: 1, name: new RegExp(caseId) }).count()).toBe(0);
  });

  it('two officers approve a large sale in the approvals queue, and the sale is followed to settlement', async () => {
    // Arrears over the dual-approval threshold (₩500,000,000): BTC worth more, sold at the taxpayer's request.
    const bids = await stack.bids(['KRW-BTC']);
    const bid = bids['KRW-BTC'];
    if (!bid) throw new Error('no BTC bid');
    const quantity = new Decimal('560000000').div(bid).toDecimalPlaces(4, Decimal.ROUND_UP).toFixed();
    const caseId = await caseInCustody('TP-LARGE-1', '520000000', 'KRW-BTC', quantity);
    await runTimeline(stack, { until: new Date('2026-09-15T09:30:00+09:00') });
    const city = stack.callersOf(CITY).city;
    await city.post(`/cases/${caseId}/sale-requests`, {
      cityId: CITY,
      limitPrices: {},
      evidence: { relayedBy: 'clerk-7', receivedAt: '2026-09-15T09:00:00+09:00', channel: 'IN_PERSON' },
    });
    await runTimeline(stack, {
      until: new Date('2026-09-16T12:00:00+09:00'),
      done: async () => (await stack.sales.get(CITY, caseId, `${caseId}-sale-1`))?.status === 'AWAITING_APPROVAL',
    });
    expect((await stack.sales.get(CITY, caseId, `${caseId}-sale-1`))?.status).toBe('AWAITING_APPROVAL');
    const saleId = `${caseId}-sale-1`;

    const first = (await browser.newPage()).page;
    await signIn(first, user('officer'));
    // Signed in (the session saved) before going elsewhere: a navigation right after 확인 can cut the sign-in short.
    await first.getByRole('heading', { level: 1, name: '체납 사건' }).waitFor();
    await openPage(first, '#/approvals', '승인·반환');
    await first.getByRole('button', { name: `승인 (${saleId})` }).click();
    await first.getByRole('status').waitFor();
    // Four eyes: the same officer is not offered the second approval.
    await first.getByText('다른 공무원이 승인해야 합니다').waitFor();
    expect(await first.getByRole('button', { name: `승인 (${saleId})` }).count()).toBe(0);
    expect(await checkPage(first, 'approvals')).toEqual([]);

    const second = (await browser.newPage()).page;
    await signIn(second, user('officer-2'));
    await second.getByRole('heading', { level: 1, name: '체납 사건' }).waitFor();
    await openPage(second, '#/approvals', '승인·반환');
    expect(await second.locator('main').textContent()).toContain('officer (');
    await second.getByRole('button', { name: `승인 (${saleId})` }).click();
    await second.getByRole('status').waitFor();
    expect((await stack.store.get(CITY, caseId))?.saleApproval?.approvals.map((a) => a.by)).toEqual([
      'officer',
      'officer-2',
    ]);

    // The sale page follows the run live until it settles.
    await openPage(second, `#/sales/${caseId}/${saleId}`, new RegExp(saleId));
    await runTimeline(stack, {
      until: new Date('2026-09-20T12:00:00+09:00'),
      done: async () => (await stack.store.get(CITY, caseId))?.status === 'SETTLED',
    });
    await second.getByRole('status').filter({ hasText: '정산 완료' }).waitFor({ timeout: 20_000 });
    expect(await second.getByRole('table').first().locator('tbody tr').count()).toBeGreaterThan(0);
    // Quality figures under their Korean names, never the record's keys.
    const figures = await second.locator('.figure .label').allTextContents();
    expect(figures).toEqual(expect.arrayContaining(['실행 부족분 (bp)', '분할 주문 수', 'BTC 평균 체결가']));
    expect(figures.filter((f) => /[A-Za-z]{4,}/.test(f))).toEqual([]);
    // Its orders with what sized each and their state in Korean, never the record's codes.
    const slices = await second
      .getByRole('table', { name: '분할 주문' })
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.flatMap((tr) => [...(tr as HTMLTableRowElement).cells].slice(-2).map((c) => c.textContent?.trim() ?? '')),
      );
    expect(slices.length).toBeGreaterThan(0);
    expect(slices.filter((t) => /^[A-Z_]+$/.test(t))).toEqual([]);
    // The execution state by state as Step Functions ran it (here aws-local-stepfunctions' log), newest first.
    const sale = await stack.sales.get(CITY, caseId, saleId);
    const execution = sale?.executionName ?? saleExecutionName(CITY, saleId, sale?.continuations ?? 0);
    const states = second.getByRole('table', { name: '실행 단계' });
    await states.locator('tbody tr').first().filter({ hasText: 'SaleEnded' }).waitFor({ timeout: 20_000 });
    const rows = await states
      .locator('tbody tr')
      .evaluateAll((trs) => trs.slice(0, 3).map((tr) => (tr as HTMLTableRowElement).cells[0]?.textContent?.trim()));
    expect(rows).toEqual(['SaleEnded', 'NotifyResult', 'Settle']);
    expect(await states.locator('tbody tr').count()).toBe(
      Math.min(25, stack.workflow.history(execution).filter((e) => e.type === 'StateEntered').length),
    );
    expect(await second.locator('main').textContent()).toContain(`실행 ${execution} · 성공`);
    expect(await checkPage(second, 'sale')).toEqual([]);
    // Each of the sale's executions (one a day) can be picked: the first one's states as its own history has them.
    const picker = second.getByLabel(/^실행 선택/);
    const continuations = sale?.continuations ?? 0;
    console.info(`the large sale ran in ${continuations + 1} executions`);
    expect(continuations).toBeGreaterThan(0);
    expect(await picker.locator('option').count()).toBe(continuations + 1);
    const firstExecution = saleExecutionName(CITY, saleId, 0);
    await picker.selectOption({ index: 0 });
    await second.locator('main').getByText(`실행 ${firstExecution} ·`).waitFor();
    const firstEntered = stack.workflow.history(firstExecution).filter((e) => e.type === 'StateEntered');
    expect(await states.locator('tbody tr').count()).toBe(Math.min(25, firstEntered.length));
    expect(await states.locator('tbody tr').first().locator('td').first().textContent()).toBe(
      firstEntered.at(-1)?.state,
    );
    expect(await checkPage(second, 'sale-first-execution')).toEqual([]);

    // It sold through the BTC desk of its day: the sale page links to the desk, which shows its run,
    // the case among its members and its orders with the case's share, as the desk's records hold them.
    const shares = (await stack.sales.caseOrders(CITY, caseId)).filter((o) => o.saleId === saleId);
    const deskId = shares.find((o) => o.deskId)?.deskId;
    if (!deskId) throw new Error('the sale did not sell through a desk');
    await second.getByRole('link', { name: /^공동 매각 BTC/ }).click();
    await second.getByRole('heading', { level: 1, name: /공동 매각 BTC/ }).waitFor();
    const desk = await stack.desks.get(CITY, deskId);
    expect(await second.locator('main').textContent()).toContain(
      `실행 ${CITY}_desk_KRW-BTC_${desk?.day.replaceAll('-', '')}`,
    );
    const members = second.getByRole('table', { name: '참여 사건' });
    await members.getByRole('link', { name: caseId }).waitFor();
    const orders = second.getByRole('table', { name: '공동 매각 주문' });
    const orderRows = await orders.locator('tbody tr').count();
    expect(orderRows).toBe(Math.min(20, desk?.sliceCount ?? 0));
    // The newest order first, with this case's share of its fill as its own record has it.
    const newest = shares.filter((o) => o.deskId === deskId).sort((a, b) => b.slice - a.slice)[0];
    expect(await orders.locator('tbody tr').first().locator('td').first().textContent()).toBe(String(desk?.sliceCount));
    if (newest && newest.slice === desk?.sliceCount && newest.executedVolume?.gt(0))
      expect(await orders.locator('tbody tr').first().textContent()).toContain(
        `${caseId}: ${newest.volume.toFixed()} BTC → ${newest.executedVolume.toFixed()} BTC`,
      );
    // The desk's run state by state, as its execution ran it.
    if (!desk) throw new Error(`no desk ${deskId}`);
    const deskExecution = deskExecutionName(desk);
    await second.locator('main').getByText(`실행 ${deskExecution} ·`).waitFor();
    const deskEntered = stack.workflow.history(deskExecution).filter((e) => e.type === 'StateEntered');
    expect(await second.getByRole('table', { name: '실행 단계' }).locator('tbody tr').count()).toBe(
      Math.min(25, deskEntered.length),
    );
    expect(await checkPage(second, 'desk')).toEqual([]);
    await second.getByRole('link', { name: '공동 매각 목록' }).click();
    await second.getByRole('heading', { level: 1, name: '공동 매각' }).waitFor();
    await second.getByRole('link', { name: 'BTC', exact: true }).waitFor();
    expect(await checkPage(second, 'desks')).toEqual([]);

    await openPage(second, '#/sales?state=SETTLED', '매각 실행');
    await second.getByRole('link', { name: saleId }).waitFor();
    expect(await checkPage(second, 'sales')).toEqual([]);
    await openPage(second, '#/city', /도시 현황/);
    await second.getByText('징수액 (누계)').waitFor();
    expect(await checkPage(second, 'city')).toEqual([]);
  });

  it('the case page shows the taxpayer page’s access log: the officer sends the notice, the taxpayer opens its link', async () => {
    const caseId = await caseInCustody('TP-ACCESS-1', '700000', 'KRW-ETH', '1');
    const { city } = stack.callersOf(CITY);
    await city.put(`/cases/${caseId}/taxpayer-check`, { cityId: CITY, birthDate: '1980-01-02' });
    const { page } = await browser.newPage();
    await signIn(page, user('officer'));
    await page.getByRole('heading', { level: 1, name: '체납 사건' }).waitFor();
    await openPage(page, `#/cases/${caseId}`, new RegExp(caseId));
    const log = page.getByRole('table', { name: '납세자 페이지 접속 기록' });
    await log.getByText('접속 기록이 없습니다.').waitFor();
    await page.getByRole('button', { name: '매각 예고 통지 지금 발송' }).click();
    await page.getByRole('status').filter({ hasText: '완료' }).waitFor();

    // The notice goes out by post with its link; the taxpayer gets the date wrong once, then reads the statement.
    const channel = new S3PrintBatchChannel(stack.printBatches.s3, stack.printBatches.bucket);
    let link = '';
    for (let i = 0; i < 100 && !link; i++) {
      const letters = await readS3PrintBatch(
        stack.printBatches.s3,
        stack.printBatches.bucket,
        channel.batchKey(CITY, stack.clock.now()),
      ).catch(() => []);
      link = letters.find((l) => l.caseId === caseId && l.kind === 'PRE_SALE')?.qr ?? '';
      if (!link) await new Promise((r) => setTimeout(r, 200));
    }
    expect(link).not.toBe('');
    const taxpayer = (await browser.newPage()).page;
    for (const birthDate of ['1980-01-03', '1980-01-02']) {
      await taxpayer.goto(link);
      await taxpayer.getByLabel('생년월일').fill(birthDate);
      await taxpayer.getByRole('button', { name: '확인' }).click();
      if (birthDate === '1980-01-03') await taxpayer.getByRole('alert').waitFor();
      // The stack's clock holds still while the browser acts: a second between the two tries.
      stack.clock.advance(1000);
    }
    await taxpayer.getByRole('heading', { name: '김납세 님의 체납액과 압류 가상자산' }).waitFor();

    await page.reload();
    await log.locator('tbody tr').nth(2).waitFor();
    const rows = await log
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => (tr as HTMLTableRowElement).cells[1]?.textContent?.trim()));
    // Newest first. The check and the statement read right after it share the held clock's instant,
    // so between those two the order is the request ids'; the failed try came a second before both.
    expect(rows[2]).toBe('본인 확인 실패');
    expect(rows.slice(0, 2).sort()).toEqual(['명세서 열람', '본인 확인 성공'].sort());
    const noticeId = (await stack.store.get(CITY, caseId))?.preSaleNotice?.noticeId;
    expect(await log.locator('tbody tr').first().textContent()).toContain(noticeId);
    expect(await checkPage(page, 'case-access-log')).toEqual([]);
  });

  it('a filtered page cut at the 500 cases one request reads says so, and 다음 reads on to the match', async () => {
    // Sejong's cases, more than one request reads for a filter; the one searched for lies past them.
    const ids = Array.from({ length: 505 }, (_, n) => `cut-${String(n).padStart(4, '0')}`);
    for (let n = 0; n < ids.length; n += 25)
      await Promise.all(
        ids
          .slice(n, n + 25)
          .map((caseId, i) =>
            stack.store.create(
              registered(caseId, new Date(Date.UTC(2026, 8, 1) + (n + i) * 1000).toISOString(), 'sejong'),
            ),
          ),
      );
    const target = ids[502]!;
    const { page } = await browser.newPage();
    await signIn(page, user('sejong-officer'));
    await page.getByRole('heading', { level: 1, name: '체납 사건' }).waitFor();
    await page.getByLabel('납세자 번호').fill(`CC-${target}`);
    await page.getByRole('button', { name: '검색' }).click();
    await page.getByRole('status').filter({ hasText: '500건까지 살펴봤습니다 — 다음 페이지에서 계속' }).waitFor();
    expect(await page.getByText('조건에 맞는 사건이 없습니다.').count()).toBe(1);
    expect(await checkPage(page, 'cases-cut-short')).toEqual([]);
    await page.getByRole('button', { name: '다음' }).click();
    await page.getByRole('link', { name: target }).waitFor();
    expect(await page.getByText('살펴봤습니다').count()).toBe(0);
  });

  it('refuses a wrong code, and a city system has no account and its key does not open the console API', async () => {
    const { page } = await browser.newPage();
    const officer = user('officer');
    await signIn(page, { ...officer, totpSecret: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('인증 코드');
    expect(stack.console.users.map((u) => u.username)).not.toContain(
      keyFor(stack.credentials, 'CITY_SYSTEM', CITY).name,
    );
    await enterPassword(page, keyFor(stack.credentials, 'CITY_SYSTEM', CITY).name, 'city-system-key-0000');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('아이디 또는 비밀번호');
    expect(await page.getByRole('heading', { name: '체납 사건' }).count()).toBe(0);
    const withKey = await fetch(`${stack.console.api.url}/cases?city=${CITY}`, {
      headers: { authorization: `Bearer ${keyFor(stack.credentials, 'CITY_SYSTEM', CITY).key}` },
    });
    expect(withKey.status).toBe(401);
  });
});
