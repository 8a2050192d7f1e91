import { describe, expect, it } from 'vitest';
import { MemoryProvider } from '../../../test/support/memory-provider.ts';
import { dashboardAssets } from '../../dashboard/assets.generated.ts';
import { assetUrl } from '../../dashboard/page.ts';
import { createLogger } from '../../logging/logger.ts';
import type { ServiceDeps } from '../deps.ts';
import { serve } from '../http/endpoint.ts';
import { dashboardEndpoint } from './dashboard.ts';

/** The dashboard function with `new Request()`; the browser test runs it in Chromium. */

const origin = 'http://localhost:8888';
const deps: ServiceDeps = {
  env: {},
  openStorage: () => {
    throw new Error('the dashboard never opens storage');
  },
  adapters: { render: new MemoryProvider('render').adapter, netlify: new MemoryProvider('netlify').adapter, vercel: new MemoryProvider('vercel').adapter },
  logger: createLogger({ write: () => undefined }),
};
const get = (path: string, init: RequestInit = {}) => serve(dashboardEndpoint, new Request(`${origin}${path}`, init), deps);

describe('envsync-dashboard', () => {
  it('serves the page with every security header and no inline script or style', async () => {
    const response = await get('/.netlify/functions/envsync-dashboard');
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'",
    );
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(html).toContain(`src="${assetUrl('app.js')}" integrity="sha256-${dashboardAssets['app.js'].sha256}"`);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('needs no setting at all: it reads neither the configuration nor storage', async () => {
    expect((await get('/.netlify/functions/envsync-dashboard')).status).toBe(200);
  });

  it('serves each asset with its type; a versioned one may be cached for good', async () => {
    const versioned = await get(assetUrl('app.js'));
    const unversioned = await get('/.netlify/functions/envsync-dashboard?asset=style.css');
    const stale = await get('/.netlify/functions/envsync-dashboard?asset=app.js&v=0000000000000000');

    expect(await versioned.text()).toBe(dashboardAssets['app.js'].body);
    expect(versioned.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(versioned.headers.get('x-frame-options')).toBe('DENY');
    expect(await unversioned.text()).toBe(dashboardAssets['style.css'].body);
    expect(unversioned.headers.get('cache-control')).toBe('no-cache');
    expect(stale.headers.get('cache-control')).toBe('no-cache');
  });

  it.each([
    ['an unknown asset', '/.netlify/functions/envsync-dashboard?asset=../../.env', {}, 400, 'bad-request'],
    ['an unknown parameter', '/.netlify/functions/envsync-dashboard?token=abc', {}, 400, 'bad-request'],
    ['a sub-path', '/.netlify/functions/envsync-dashboard/app.js', {}, 404, 'not-found'],
    ['POST', '/.netlify/functions/envsync-dashboard', { method: 'POST' }, 405, 'method-not-allowed'],
  ] as const)('answers %s with a JSON error', async (_name, path, init, status, code) => {
    const response = await get(path, init);

    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });
});
