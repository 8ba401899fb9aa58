/**
 * The officers' web console in headless Chromium against a local stack of its own: officers sign in
 * (password and TOTP code), read cases, act on them; every main page passes axe-core with no serious
 * violation and leaves a screenshot in test-output/screenshots/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { totp, type ConsoleUser } from '../../local/cognito';
import { keyFor } from '../../local/credentials';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { checkPage, openBrowser, type BrowserSession } from '../support/browser';

jest.setTimeout(180_000);

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

  async function signIn(page: Page, u: Pick<ConsoleUser, 'username' | 'password' | 'totpSecret'>): Promise<void> {
    await page.goto(stack.console.site.url);
    await page.getByLabel('아이디').fill(u.username);
    await page.getByLabel('비밀번호').fill(u.password);
    await page.getByLabel('인증 코드 (OTP)').fill(totp(u.totpSecret));
    await page.getByRole('button', { name: '로그인' }).click();
  }

  it('signs an officer in with password and one-time code and lists the city’s cases', async () => {
    const { page } = await browser.newPage();
    await page.goto(stack.console.site.url);
    await page.getByRole('button', { name: '로그인' }).waitFor();
    expect(await checkPage(page, 'sign-in')).toEqual([]);
    await signIn(page, user('officer'));
    await page.getByRole('heading', { name: '체납 사건' }).waitFor();
    await page.getByRole('table').waitFor();
    expect(await checkPage(page, 'cases')).toEqual([]);
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
    await signIn(page, {
      username: keyFor(stack.credentials, 'CITY_SYSTEM', CITY).name,
      password: 'city-system-key-0000',
      totpSecret: officer.totpSecret,
    });
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('heading', { name: '체납 사건' }).count()).toBe(0);
    const withKey = await fetch(`${stack.console.api.url}/cases?city=${CITY}`, {
      headers: { authorization: `Bearer ${keyFor(stack.credentials, 'CITY_SYSTEM', CITY).key}` },
    });
    expect(withKey.status).toBe(401);
  });
});
