/**
 * Headless Chromium for the browser tests: the binary shipped inside the npm package
 * @sparticuz/chromium (unpacked to the temp folder on first use; nothing is downloaded), driven by
 * playwright-core. One browser per test file (`openBrowser()` in beforeAll, `close()` in afterAll),
 * a fresh context per officer. `checkPage` runs axe-core on the page (serious or critical violations
 * fail the test) and saves a screenshot under test-output/screenshots/ (git-ignored) for a person
 * to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../local/paths';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

export interface BrowserSession {
  browser: Browser;
  /** A new context (its own cookies and storage: one signed-in person) with a laptop-sized page. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * The packaged Chromium's path (unpacked on first use) and its launch flags. The package is an ES
 * module that finds its files by import.meta.url, so it is asked in a child Node process rather than
 * compiled into jest's CommonJS.
 */
export function packagedChromium(): { executablePath: string; args: string[] } {
  const script =
    "import('@sparticuz/chromium').then(async ({ default: c }) => process.stdout.write(JSON.stringify({ executablePath: await c.executablePath(), args: c.args })))";
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' })) as {
    executablePath: string;
    args: string[];
  };
}

export async function openBrowser(): Promise<BrowserSession> {
  const { executablePath, args } = packagedChromium();
  const browser = await playwright.launch({ executablePath, args, headless: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({
        viewport: { width: 1366, height: 800 },
        locale: 'ko-KR',
        timezoneId: 'Asia/Seoul',
      });
      contexts.push(context);
      const page = await context.newPage();
      // A page error is a failed test, not a silent blank page.
      page.on('pageerror', (e) => {
        throw e;
      });
      return { context, page };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const axeSource = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A/AA and best practice). */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) stays as served.
  await page.evaluate(axeSource());
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A main page's checks: no serious accessibility violation (returned, for the test to expect none) and a screenshot. */
export async function checkPage(page: Page, name: string): Promise<AxeViolation[]> {
  // Fonts loaded, so the screenshot shows the Korean text as officers see it.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await screenshot(page, name);
  return accessibilityViolations(page);
}
