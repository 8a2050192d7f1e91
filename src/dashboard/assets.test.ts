import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboardAssets, generatedPath } from '../../scripts/dashboard-assets.ts';
import { dashboardAssets } from './assets.generated.ts';

const root = resolve(import.meta.dirname, '..', '..');

describe('the dashboard assets', () => {
  it('are exactly what the client sources build to (run `npm run dashboard` after changing them)', async () => {
    expect(await readFile(generatedPath(root), 'utf8')).toBe(await buildDashboardAssets(root));
  }, 60_000);

  it('stay small: no framework, a few kilobytes', () => {
    expect(dashboardAssets['app.js'].body.length).toBeLessThan(60_000);
    expect(dashboardAssets['style.css'].body.length).toBeLessThan(10_000);
  });

  it('never write HTML from strings (innerHTML, outerHTML, insertAdjacentHTML, document.write)', () => {
    expect(dashboardAssets['app.js'].body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('never touch localStorage, and keep the token in sessionStorage', () => {
    expect(dashboardAssets['app.js'].body).not.toContain('localStorage');
    expect(dashboardAssets['app.js'].body).toContain('sessionStorage');
  });
});
