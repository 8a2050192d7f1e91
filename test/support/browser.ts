import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, which downloads no browser: the path comes from
 * ENVSYNC_CHROMIUM (or CHROMIUM_PATH), else /usr/bin/chromium, which `.ci/run` installs when missing.
 * `--no-sandbox` because tests run as root; the rest keeps the browser from calling home.
 */

/** Where Chromium is expected. */
export const chromiumPath = process.env['ENVSYNC_CHROMIUM'] ?? process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Starts a headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Console errors, uncaught exceptions and CSP violations a page reported. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}
