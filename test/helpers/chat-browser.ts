import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../../dev/chromium';

/** A file's real Chromium (Debian's package), valid inside its tests. */
export interface ChatBrowser {
  readonly browser: Browser;
  /** A new page at `url` (default 1440 px wide, light), with CSP violations and page errors recorded. */
  open(url: string, options?: { width?: number; colorScheme?: 'light' | 'dark' }): Promise<ChatPage>;
}

export interface ChatPage {
  page: Page;
  /** Console errors and uncaught exceptions (a CSP refusal shows up here). */
  errors: string[];
}

/**
 * Registers the file's hooks: one headless Chromium for the file. No Chromium installed fails the
 * file with what to install (the page tests are part of `npm test`, not skipped).
 */
export function useChatBrowser(): ChatBrowser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('Chromium is not started (use it inside a test)');
      return browser;
    },
    async open(url, { width = 1440, colorScheme = 'light' } = {}) {
      if (!browser) throw new Error('Chromium is not started (use it inside a test)');
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(url);
      return { page, errors };
    },
  };
}

/** Serious and critical accessibility violations axe-core finds on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A full-page screenshot in the run's temp dir (TEST_TMP_DIR/screenshots); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(process.env.TEST_TMP_DIR ?? '.', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
