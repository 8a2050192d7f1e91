import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoTargets } from '../emulator/sample-data.ts';
import { collectPageErrors, launchBrowser } from '../support/browser.ts';
import { loadOpenApiValidator, type SeenResponse } from '../support/openapi-validator.ts';
import { repoRoot } from './project-copy.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, secretsOf } from './setup.ts';

/**
 * The dashboard in a real Chromium, served by the local Netlify runtime, over the provider
 * emulator: the token prompt, the targets after a sync, drift after an out-of-band change, the
 * plan view, a target's timeline and a run's report; with no console error, no value anywhere in
 * the DOM, and a layout that fits 375 px. Screenshots go to test-results/screenshots/ (gitignored);
 * the main ones are copied into docs/screenshots/.
 */

const canary = 'canary-value-3b9f1e7c0d';
const unmanagedCanary = 'canary-unmanaged-8a2c4e6f1b';
const screenshots = join(repoRoot, 'test-results', 'screenshots');
const [api, worker] = demoTargets.render;
const [site] = demoTargets.netlify;

let emulator: Emulator;
let runtime: Runtime;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let secrets: string[];
/** Every JSON answer the page received, to check against docs/openapi.yaml. */
const answers: Promise<SeenResponse>[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  emulator.render.seed(worker ?? '', { APP_UNMANAGED_NOTE_X: 'x', UNMANAGED_CANARY: unmanagedCanary });
  const env = runtimeEnv(emulator, { APP_CANARY: canary });
  secrets = [...secretsOf(env), canary, unmanagedCanary];
  [runtime, browser] = await Promise.all([startRuntime({ env }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  page = await context.newPage();
  errors = collectPageErrors(page);
  page.on('response', (response) => {
    const url = response.url();
    if (!url.includes('/.netlify/functions/envsync-') || url.includes('envsync-dashboard')) return;
    answers.push(
      response
        .json()
        .catch(() => undefined)
        .then((body: unknown) => ({ method: response.request().method(), url, status: response.status(), contentType: response.headers()['content-type'], body })),
    );
  });
  await mkdir(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await emulator?.stop();
});

const dashboardUrl = () => `${runtime.url}${fn('dashboard')}`;
const shot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

/** Every view must be free of values: the canonical ones, the unmanaged canary, every token. */
async function expectNoValueInDom() {
  const html = await page.content();
  for (const secret of secrets) expect(html).not.toContain(secret);
}

/** The state badge of a target's row in the targets table. */
const stateOf = (target: string) => page.locator('tr', { has: page.getByRole('link', { name: target, exact: true }) }).locator('.badge');

describe('the page and its assets', { timeout: 60_000 }, () => {
  it('serves the page with a strict CSP, no framing and no referrer', async () => {
    const result = await runtime.call('GET', fn('dashboard'));

    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'; style-src 'self'/);
    expect(result.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(result.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(result.headers['x-frame-options']).toBe('DENY');
    expect(result.headers['referrer-policy']).toBe('no-referrer');
    expect(result.headers['x-content-type-options']).toBe('nosniff');
    expect(result.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(result.text).not.toMatch(/\sstyle=/);
  });

  it('serves the script and the style sheet from the same function, cacheable when versioned', async () => {
    const page = await runtime.call('GET', fn('dashboard'));
    const [script] = /src="([^"]+asset=app\.js[^"]+)"/.exec(page.text)?.slice(1) ?? [];
    const js = await runtime.call('GET', (script ?? '').replaceAll('&amp;', '&'));
    const css = await runtime.call('GET', `${fn('dashboard')}?asset=style.css`);

    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-security-policy']).toContain("default-src 'none'");
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('no-cache');
  });

  it('answers an unknown asset with a JSON 400 naming the known ones', async () => {
    const result = await runtime.call('GET', `${fn('dashboard')}?asset=secrets.txt`);

    expect(result.status).toBe(400);
    expect((result.json as { error: { code: string; message: string } }).error).toMatchObject({ code: 'bad-request', message: expect.stringContaining('app.js') as unknown });
  });
});

describe('a session with the API token', { timeout: 60_000 }, () => {
  it('asks for a token first, and keeps it in sessionStorage only', async () => {
    const requests = emulator.requestCount();
    await page.goto(dashboardUrl());

    await expect.poll(() => page.getByLabel('Token').isVisible()).toBe(true);
    await shot('token-prompt');
    await page.getByLabel('Token').fill(apiToken);
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.getByRole('heading', { name: 'Targets' }).waitFor();

    expect(await page.evaluate(() => sessionStorage.getItem('envsync.token'))).toBe(apiToken);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(page.url()).not.toContain(apiToken);
    expect(await page.getByText('write session').isVisible()).toBe(true);
    // Looking costs no provider request: health, runs and tickets read Blobs and settings only.
    expect(emulator.requestCount()).toBe(requests);
  });

  it('shows every configured target as never synced before any run', async () => {
    for (const target of [api, worker, site]) expect(await stateOf(target ?? '').textContent()).toBe('never synced');
    await expectNoValueInDom();
  });

  it('shows every target in sync after a sync', async () => {
    const sync = await runtime.call('POST', fn('apply-all'), { token: apiToken });
    expect(sync.status).toBe(200);

    await page.reload();
    await page.getByRole('heading', { name: 'Targets' }).waitFor();

    for (const target of [api, worker, site]) expect(await stateOf(target ?? '').textContent()).toBe('in sync');
    expect(await page.locator('tr', { has: page.getByRole('link', { name: api ?? '', exact: true }) }).textContent()).toMatch(/applied \d+ changes/);
    await shot('targets');
    await expectNoValueInDom();
  });

  it('plans a drifted target as a readable diff, key names only, and writes nothing', async () => {
    emulator.render.seed(api ?? '', { APP_LOG_LEVEL: 'debug' });
    const writes = emulator.writeCount();

    await page.getByRole('link', { name: 'Plan' }).click();
    await page.getByRole('heading', { name: 'Plan', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Plan (dry-run)' }).click();
    await page.getByRole('heading', { name: /^render: 1 change planned across 2 targets$/ }).waitFor();

    const diff = page.getByRole('list', { name: `Changes for ${api}` });
    expect((await diff.textContent())?.replace(/\s+/g, ' ').trim()).toBe('~update APP_LOG_LEVEL (drift)');
    expect(await page.getByRole('heading', { name: /^netlify: 0 changes planned/ }).isVisible()).toBe(true);
    expect(emulator.writeCount()).toBe(writes);
    await shot('plan');
    await expectNoValueInDom();
  });

  it('then shows the drifted target as drift, the others in sync', async () => {
    await page.getByRole('link', { name: 'Targets' }).click();
    await page.getByRole('heading', { name: 'Targets' }).waitFor();

    expect(await stateOf(api ?? '').textContent()).toBe('drift');
    expect(await stateOf(worker ?? '').textContent()).toBe('in sync');
    expect(await stateOf(site ?? '').textContent()).toBe('in sync');
    await shot('targets-drift');
  });

  it("shows a target's runs as a timeline chart and a table", async () => {
    await page.getByRole('link', { name: api ?? '', exact: true }).click();
    await page.getByRole('heading', { name: `render · ${api}` }).waitFor();

    const chart = page.getByRole('img', { name: /^2 runs, \d+ changes in all, 0 with errors$/ });
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.locator('rect').count()).toBe(2);
    expect(await chart.locator('.bar-plan').count()).toBe(1);
    expect(await page.locator('tbody tr').count()).toBe(2);
    await shot('target');
    await expectNoValueInDom();
  });

  it("shows a run's report with every change", async () => {
    await page.locator('tbody tr').last().getByRole('link').click();
    await page.getByRole('heading', { name: /^Run / }).waitFor();

    const reports = page.getByRole('article');
    expect(await reports.count()).toBe(3);
    const apiChanges = await page.getByRole('list', { name: `Changes for ${api}` }).textContent();
    expect(apiChanges).toContain('APP_CANARY');
    expect(apiChanges).toContain('APP_API_URL');
    await shot('run');
    await expectNoValueInDom();
  });

  it('fits a 375 px wide screen without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    const views: [string, string][] = [
      ['#/plan', 'Plan'],
      [`#/target/render/${api}`, `render · ${api}`],
      ['#/', 'Targets'],
    ];
    for (const [hash, title] of views) {
      await page.evaluate((next) => (location.hash = next), hash);
      await page.getByRole('heading', { name: title, exact: true }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    }
    await shot('targets-375');
    await page.setViewportSize({ width: 1100, height: 800 });
  });

  it('follows prefers-color-scheme', async () => {
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await shot('targets-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    expect(light).toBe('rgb(255, 255, 255)');
    expect(dark).toBe('rgb(13, 17, 23)');
  });

  it('is reachable by keyboard: skip link first, then the views, and a plan runs from the keyboard', async () => {
    await page.evaluate(() => (location.hash = '#/'));
    await page.getByRole('heading', { name: 'Targets' }).waitFor();
    const first = await page.evaluate(() => document.querySelector('a[href], button, input, select')?.textContent);
    await page.locator('.skip').focus();
    const focused: string[] = [];
    for (let step = 0; step < 3; step += 1) {
      await page.keyboard.press('Tab');
      focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Plan', exact: true }).waitFor();
    await page.keyboard.press('Tab');
    const select = await page.evaluate(() => document.activeElement?.id);
    await page.keyboard.press('Tab');
    const button = await page.evaluate(() => document.activeElement?.textContent);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^render: \d+ changes? planned/ }).waitFor();

    expect(first).toBe('Skip to content');
    expect(focused).toEqual(['Targets', 'Plan', 'Sign out']);
    expect(select).toBe('plan-target');
    expect(button).toBe('Plan (dry-run)');
  }, 60_000);

  it('signs out: the token leaves sessionStorage and the prompt returns', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('Token').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('envsync.token'))).toBeNull();
  });

  it('refuses a wrong token with the server message and asks again', async () => {
    await page.getByLabel('Token').fill('not-the-token-at-all-0000000000000000');
    await page.getByRole('button', { name: 'Open the dashboard' }).click();

    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/does not match/);
    expect(await page.evaluate(() => sessionStorage.getItem('envsync.token'))).toBeNull();
    // The refused calls answer 401, which Chromium reports on the console; nothing else may.
    errors = errors.filter((error) => !/status of 401/.test(error));
  });

  it('reported no console error and no page error during the whole session', () => {
    expect(errors).toEqual([]);
  });

  it('received only answers that docs/openapi.yaml describes', async () => {
    const validator = loadOpenApiValidator();
    const seen = await Promise.all(answers);

    expect(seen.length).toBeGreaterThan(20);
    expect(new Set(seen.map((answer) => new URL(answer.url).pathname.split('/')[3]))).toEqual(new Set(['envsync-health', 'envsync-runs', 'envsync-tickets', 'envsync-dry-run']));
    expect(seen.flatMap((answer) => validator.problems(answer))).toEqual([]);
  });
});

// The canary is in the canonical set and reached the targets; the page never showed it.
it('synced the canary, so the DOM scans above were meaningful', () => {
  expect(emulator.render.variables(api ?? '')['APP_CANARY']).toBe(canary);
  expect(Object.keys(demoCanonical).length).toBeGreaterThan(0);
});
