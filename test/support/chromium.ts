import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM_PATH = process.env.EVIDENT_TEST_CHROMIUM ?? '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';

/**
 * True when the browser tests should run. Without Chromium a developer's run skips them
 * loudly; with CI=true they run and fail, as they must not silently vanish from CI.
 */
export const CHROMIUM_ENABLED = existsSync(CHROMIUM_PATH) || IN_CI;

if (!CHROMIUM_ENABLED) {
  console.warn(
    `⚠️  Browser (dashboard) tests SKIPPED: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set EVIDENT_TEST_CHROMIUM).`,
  );
}

/** Headless Chromium and nothing that phones home; Playwright gives each launch a fresh profile. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `CI=true but there is no Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium)`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, close: () => browser.close() };
}
