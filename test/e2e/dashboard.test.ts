import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/server.ts';
import { demoCanonical, demoTargets } from '../emulator/sample-data.ts';
import { collectPageErrors, launchBrowser } from '../support/browser.ts';
import { startLocalServer, type LocalServer } from '../support/local-server.ts';
import { loadOpenApiValidator, type SeenResponse } from '../support/openapi-validator.ts';
import { repoRoot } from './project-copy.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { apiToken, fn, runtimeEnv, secretsOf } from './setup.ts';

/**
 * The dashboard in a real Chromium, served by the local Netlify runtime, over the provider
 * emulator: the token prompt, the targets after a sync, drift after an out-of-band change, the
 * plan view, a target's timeline and a run's report; a stale plan refused, a reviewed plan applied,
 * a run rolled back (its plan first), the hold it leaves and its release, the events log and a key's
 * history; and a read-token session that sees no write control while the server refuses its
 * writes. With no console error, no value anywhere in the DOM, every answer as docs/openapi.yaml
 * describes it, and a layout that fits 375 px. Screenshots go to test-results/screenshots/
 * (gitignored); the main ones are copied into docs/screenshots/.
 */

const canary = 'canary-value-3b9f1e7c0d';
const unmanagedCanary = 'canary-unmanaged-8a2c4e6f1b';
const screenshots = join(repoRoot, 'test-results', 'screenshots');
const [api, worker] = demoTargets.render;
const [site] = demoTargets.netlify;
const readToken = 'e2e-read-token-9c4e7a1b3d5f-fedcba9876543210';
const webhookSecret = 'e2e-webhook-secret-4d7a9c2e';

let emulator: Emulator;
let runtime: Runtime;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let secrets: string[];
let receiver: LocalServer;
/** The run applied from a reviewed plan, then rolled back. */
let planRunId = '';
/** Every JSON answer the page received, to check against docs/openapi.yaml. */
const answers: Promise<SeenResponse>[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ render: { writesPerMinute: false, readsPerMinute: false } });
  emulator.render.seed(worker ?? '', { APP_UNMANAGED_NOTE_X: 'x', UNMANAGED_CANARY: unmanagedCanary });
  // A webhook receiver, so the events view has delivery outcomes to show.
  receiver = await startLocalServer((request, response) => request.resume().on('end', () => response.writeHead(204).end()));
  const env = runtimeEnv(emulator, { APP_CANARY: canary, ENVSYNC_READ_TOKEN: readToken, ENVSYNC_WEBHOOK_URLS: `${receiver.url}/hooks/envsync`, ENVSYNC_WEBHOOK_SECRET: webhookSecret });
  secrets = [...secretsOf(env), canary, unmanagedCanary, readToken, webhookSecret];
  [runtime, browser] = await Promise.all([startRuntime({ env }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  page = await context.newPage();
  errors = collectPageErrors(page);
  recordAnswers(page);
  await mkdir(screenshots, { recursive: true });
});

/** Keeps every JSON answer a page receives from EnvSync's endpoints, for the OpenAPI check. */
function recordAnswers(page: Page): void {
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
}

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await emulator?.stop();
  await receiver?.close();
});

const dashboardUrl = () => `${runtime.url}${fn('dashboard')}`;
const shot = (name: string, on: Page = page) => on.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

/** Every view must be free of values: the canonical ones, the unmanaged canary, every token. */
async function expectNoValueInDom(on: Page = page) {
  const html = await on.content();
  for (const secret of secrets) expect(html).not.toContain(secret);
}

/** The state badge of a target's row in the targets table. */
const stateOf = (target: string, on: Page = page) => on.locator('tr', { has: on.getByRole('link', { name: target, exact: true }) }).locator('.badge');

/** Opens a view by its hash and waits for its heading. */
async function open(hash: string, title: string | RegExp, on: Page = page) {
  await on.evaluate((next) => (location.hash = next), hash);
  await on.getByRole('heading', { name: title, exact: typeof title === 'string' }).first().waitFor();
}

/** Plans one target in the plan view and waits for its plan. */
async function planTarget(target: string, planned: RegExp, on: Page = page) {
  await open('#/plan', 'Plan', on);
  await on.locator('#plan-target').selectOption(`render/${target}`);
  await on.getByRole('button', { name: 'Plan (dry-run)' }).click();
  await on.getByRole('heading', { name: planned }).waitFor();
}

/** Presses the confirming button of the open confirmation dialog. */
async function confirmDialog(label: string) {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: label, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The body rows of the tables in `scope`, each as its cells by column name. */
const tableRows = (scope: Locator) =>
  scope.locator('tbody tr').evaluateAll((rows) => rows.map((row) => Object.fromEntries([...row.querySelectorAll('td')].map((cell) => [cell.dataset['label'] ?? '', cell.textContent?.trim() ?? '']))));

/** How long a view may take to settle after a write (a release plans the target again). */
const settle = { timeout: 30_000, interval: 200 };

const apiValue = (key: string) => emulator.render.variables(api ?? '')[key];

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

  it('refuses a stale plan: nothing written, and the page names the keys that moved', async () => {
    await planTarget(api ?? '', /^render: 1 change planned across 1 target$/);
    emulator.render.seed(api ?? '', { APP_LOG_LEVEL: 'trace' }); // out of band, after the dry-run
    const writes = emulator.writeCount();

    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await confirmDialog('Apply');
    const moved = page.getByRole('list', { name: 'Moved since the plan' });
    await moved.waitFor();

    expect((await moved.textContent())?.replace(/\s+/g, ' ').trim()).toBe(`render · ${api}: APP_LOG_LEVEL (target-changed)`);
    expect(await page.getByRole('alert').textContent()).toContain('Nothing was written');
    expect(emulator.writeCount()).toBe(writes);
    expect(apiValue('APP_LOG_LEVEL')).toBe('trace');
    await shot('plan-stale');
    await expectNoValueInDom();
    // The refused apply answered 409, which Chromium reports on the console; nothing else may.
    errors = errors.filter((error) => !/status of 409/.test(error));
  });

  it('applies a reviewed plan after a confirmation, and the target then holds the canonical values', async () => {
    await planTarget(api ?? '', /^render: 1 change planned across 1 target$/);
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await page.getByRole('dialog').textContent()).toMatch(new RegExp(`1 change to ${api}, exactly as planned \\(plan plan-`));
    await shot('plan-confirm');
    await confirmDialog('Apply');
    await page.getByRole('heading', { name: /^Run / }).waitFor();

    planRunId = decodeURIComponent(new URL(page.url()).hash.replace('#/run/', ''));
    expect(apiValue('APP_LOG_LEVEL')).toBe(demoCanonical['APP_LOG_LEVEL']);
    expect((await page.getByRole('list', { name: `Changes for ${api}` }).textContent())?.replace(/\s+/g, ' ').trim()).toBe('~update APP_LOG_LEVEL (drift)');
    expect(await page.getByRole('article').textContent()).toContain('applied 1 change');
  });

  it('shows the rollback plan of a run first and writes nothing for it', async () => {
    const writes = emulator.writeCount();
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const plan = page.getByRole('region', { name: 'Rollback plan' });
    await plan.waitFor();

    expect(await plan.getByRole('heading').textContent()).toBe('Rollback plan: 1 slot to put back');
    expect(await tableRows(plan)).toEqual([{ Key: 'APP_LOG_LEVEL', Context: '', Action: 'restore', Why: 'restore the prior value' }]);
    expect(emulator.writeCount()).toBe(writes);
    await shot('rollback-plan');
    await expectNoValueInDom();
  });

  it('rolls the run back after a confirmation: the prior value is back and the target is held', async () => {
    await page.locator('[data-write="rollback"]').click();
    expect(await page.getByRole('dialog').textContent()).toContain(`Puts back 1 slot on ${api}`);
    await confirmDialog('Roll back');
    await page.getByText(/^Rollback of run /).waitFor(); // the rollback run's own view

    expect(apiValue('APP_LOG_LEVEL')).toBe('trace');
    expect(await page.getByRole('article').textContent()).toContain(`Rollback of run ${planRunId.slice(0, 8)}`);
    expect(await page.getByRole('article').textContent()).toContain('rolled back 1 change');

    await open('#/', 'Targets');
    expect(await stateOf(api ?? '').textContent()).toBe('held');
    expect(await stateOf(worker ?? '').textContent()).toBe('in sync');
    const hold = page.getByRole('listitem', { name: `Hold on ${api}` });
    expect(await hold.textContent()).toContain('APP_LOG_LEVEL');
    expect(await hold.getByRole('button', { name: 'Release' }).isVisible()).toBe(true);
    await shot('targets-held');
    await expectNoValueInDom();
  });

  it('keeps the held key through the next sync, which reports it held', async () => {
    const sync = await runtime.call('POST', fn('apply-all'), { token: apiToken });
    expect(sync.status).toBe(200);
    await page.reload();
    await page.getByRole('heading', { name: 'Targets' }).waitFor();

    expect(apiValue('APP_LOG_LEVEL')).toBe('trace');
    expect(await stateOf(api ?? '').textContent()).toBe('held');
    expect(await page.locator('tr', { has: page.getByRole('link', { name: api ?? '', exact: true }) }).textContent()).toContain('nothing written: 1 held');
  });

  it('shows the events log newest first, with outcomes (held too), key names and deliveries', async () => {
    await open('#/events', 'Events');
    const rows = page.locator('tbody tr');
    const times = await rows.locator('time').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));

    expect(times.length).toBeGreaterThan(6);
    expect(times).toEqual([...times].sort().reverse());
    const heldRow = rows.filter({ has: page.locator('.outcome-held') }).first();
    expect(await heldRow.textContent()).toContain(api);
    expect(await heldRow.textContent()).toContain('APP_LOG_LEVEL');
    expect(await rows.first().textContent()).toMatch(/webhook 1 \(127\.0\.0\.1\): delivered · 204 · 1 attempt/);
    expect(receiver.requests.length).toBeGreaterThan(6);
    await shot('events');

    await page.locator('#events-type').selectOption('ENVSYNC_COMPLETE');
    await page.locator('#events-target').selectOption(api ?? '');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText(new RegExp(`^\\d+ COMPLETE events? of ${api}$`)).waitFor();
    const filtered = await page.locator('tbody tr').allTextContents();

    expect(filtered.length).toBeGreaterThan(2);
    for (const row of filtered) {
      expect(row).toContain('COMPLETE');
      expect(row).toContain(`render · ${api}`);
    }
    await expectNoValueInDom();
  });

  it("shows a key's history across targets, newest first: the rollback, the reviewed apply, the first sync", async () => {
    await open('#/history', 'Change history');
    await page.getByRole('searchbox', { name: 'Key' }).fill('APP_LOG_LEVEL');
    await page.getByRole('button', { name: 'Show history' }).click();
    await page.getByRole('heading', { name: 'History of APP_LOG_LEVEL' }).waitFor();
    const rows = await tableRows(page.locator('main'));

    expect(rows[0]).toMatchObject({ Target: `render · ${api}`, Op: 'update', Why: `rollback of run ${planRunId.slice(0, 8)}` });
    expect(rows[1]).toMatchObject({ Target: `render · ${api}`, Op: 'update', Why: 'api', Run: planRunId.slice(0, 8) });
    const workerCreate = rows.find((row) => row['Target'] === `render · ${worker}` && row['Op'] === 'create');
    expect(workerCreate).toBeDefined();
    expect(rows.some((row) => row['Target']?.startsWith(`netlify · ${site}`))).toBe(true);
    expect(rows.every((row) => /^[0-9a-f]{12}$/.test(row['Fingerprint'] ?? ''))).toBe(true);
    const times = await page.locator('tbody time').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));
    expect(times).toEqual([...times].sort().reverse());
    // The reviewed apply wrote the canonical value, as the first sync did to the worker; the rollback wrote another.
    expect(rows[1]?.['Fingerprint']).toBe(workerCreate?.['Fingerprint']);
    expect(rows[0]?.['Fingerprint']).not.toBe(rows[1]?.['Fingerprint']);
    await shot('history');
    await expectNoValueInDom();
  });

  it('pages a long history with More, through the cursor', async () => {
    await open('#/history/APP_LOG_LEVEL?limit=2', 'History of APP_LOG_LEVEL');
    await expect.poll(() => page.locator('tbody tr').count(), settle).toBe(2);

    await page.getByRole('button', { name: 'More' }).click();
    await expect.poll(() => page.locator('tbody tr').count(), settle).toBe(4);
    const runs = await page.locator('tbody tr td[data-label="Run"]').allTextContents();
    const rows = await page.locator('tbody tr').allTextContents();

    expect(runs[1]).toBe(planRunId.slice(0, 8));
    expect(new Set(rows).size).toBe(4); // the second page continues the first, repeating nothing
  });

  it('a read-token session sees no write control anywhere, and the server refuses its writes', async () => {
    emulator.render.seed(worker ?? '', { APP_LOG_LEVEL: 'warn' }); // a plan with a change to (not) apply
    const reader = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const readPage = await reader.newPage();
    const readErrors = collectPageErrors(readPage);
    recordAnswers(readPage);
    try {
      await readPage.goto(dashboardUrl());
      await readPage.getByLabel('Token').fill(readToken);
      await readPage.getByRole('button', { name: 'Open the dashboard' }).click();
      await readPage.getByRole('heading', { name: 'Targets' }).waitFor();

      expect(await readPage.getByText('read session').isVisible()).toBe(true);
      expect(await stateOf(api ?? '', readPage).textContent()).toBe('held');
      expect(await readPage.getByRole('listitem', { name: `Hold on ${api}` }).isVisible()).toBe(true);
      const views: [string, string | RegExp][] = [
        ['#/', 'Targets'],
        [`#/run/${encodeURIComponent(planRunId)}`, /^Run /],
        ['#/events', 'Events'],
        ['#/history/APP_LOG_LEVEL', 'History of APP_LOG_LEVEL'],
      ];
      for (const [hash, title] of views) {
        await open(hash, title, readPage);
        expect(await readPage.locator('[data-write]').count()).toBe(0);
        expect(await readPage.getByRole('button', { name: /Release|Roll back|Apply/ }).count()).toBe(0);
      }
      await planTarget(worker ?? '', /^render: 1 change planned across 1 target$/, readPage);
      expect(await readPage.locator('[data-write]').count()).toBe(0);
      await shot('read-session-plan', readPage);
      await expectNoValueInDom(readPage);
      expect(readErrors).toEqual([]);
    } finally {
      await Promise.all(answers); // their bodies, before the context that received them closes
      await reader.close();
    }

    const health = await runtime.call('GET', fn('health'), { token: readToken });
    expect((health.json as { role?: string }).role).toBe('read');
    const writes = emulator.writeCount();
    const refused = await Promise.all([
      runtime.call('POST', fn('apply', '/render'), { token: readToken, body: {} }),
      runtime.call('POST', fn('rollback'), { token: readToken, body: { runId: planRunId } }),
      runtime.call('POST', fn('rollback'), { token: readToken, body: { release: api } }),
    ]);
    expect(refused.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(emulator.writeCount()).toBe(writes);
  });

  it('releases a hold after a confirmation: nothing written now, the target planned again, the next sync writes', async () => {
    await open('#/', 'Targets');
    const writes = emulator.writeCount();
    await page.getByRole('listitem', { name: `Hold on ${api}` }).getByRole('button', { name: 'Release' }).click();
    await confirmDialog('Release');
    await expect.poll(() => stateOf(api ?? '').textContent(), settle).toBe('drift');

    expect(await page.getByRole('listitem', { name: `Hold on ${api}` }).count()).toBe(0);
    expect(emulator.writeCount()).toBe(writes);
    expect(apiValue('APP_LOG_LEVEL')).toBe('trace');
    const sync = await runtime.call('POST', fn('apply-all'), { token: apiToken });
    expect(sync.status).toBe(200);
    expect(apiValue('APP_LOG_LEVEL')).toBe(demoCanonical['APP_LOG_LEVEL']);
  });

  it('fits a 375 px wide screen without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    const views: [string, string][] = [
      ['#/plan', 'Plan'],
      [`#/target/render/${api}`, `render · ${api}`],
      ['#/events', 'Events'],
      ['#/history/APP_LOG_LEVEL', 'History of APP_LOG_LEVEL'],
      [`#/run/${encodeURIComponent(planRunId)}`, `Run ${planRunId.slice(0, 8)}`],
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
    expect(focused).toEqual(['Targets', 'Plan', 'Events']);
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
    expect(new Set(seen.map((answer) => new URL(answer.url).pathname.split('/')[3]))).toEqual(
      new Set(['envsync-health', 'envsync-runs', 'envsync-tickets', 'envsync-dry-run', 'envsync-apply', 'envsync-rollback', 'envsync-events', 'envsync-history']),
    );
    // The refused stale plan (409 with `moved`) is among them, checked like every other answer.
    expect(seen.some((answer) => answer.status === 409 && answer.url.includes('envsync-apply'))).toBe(true);
    expect(seen.flatMap((answer) => validator.problems(answer))).toEqual([]);
  });
});

// The canary is in the canonical set and reached the targets; the page never showed it.
it('synced the canary, so the DOM scans above were meaningful', () => {
  expect(emulator.render.variables(api ?? '')['APP_CANARY']).toBe(canary);
  expect(Object.keys(demoCanonical).length).toBeGreaterThan(0);
});
