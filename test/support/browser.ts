/**
 * Browser tests of the web UI: Debian's Chromium (`/usr/bin/chromium`, installed by .ci/run) driven by
 * playwright-core, one browser per test file, started headless (Playwright gives each launch a fresh temporary profile). `MLCYCLE_CHROMIUM`
 * names another binary. The UI must be built first (`npm run build` writes dist/web; `npm test` builds).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { defaultUiDirectory } from '../../src/server/ui-routes.js';

export const CHROMIUM = process.env.MLCYCLE_CHROMIUM ?? '/usr/bin/chromium';

/** Starts one browser for the file's tests (closed after them); each call of `page()` opens a fresh context. */
export function useBrowser() {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set MLCYCLE_CHROMIUM)`);
    if (defaultUiDirectory() === undefined) throw new Error('the web UI is not built: run npm run build (it writes dist/web)');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
  }, 60_000);
  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await browser?.close();
  });
  /** A new page in a fresh context (no stored token), failing the test on any error the page throws. */
  const page = async (): Promise<{ page: Page; errors: string[] }> => {
    if (browser === undefined) throw new Error('the browser did not start');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const opened = await context.newPage();
    // Shorter than the test's timeout, so that a missing element fails naming its locator.
    opened.setDefaultTimeout(15_000);
    const errors: string[] = [];
    opened.on('pageerror', (error) => errors.push(error.message));
    opened.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    return { page: opened, errors };
  };
  return { page };
}
