import { describe, expect, it } from 'vitest';
import { NetlifyFake } from '../../../test/emulator/netlify.ts';
import { RenderFake } from '../../../test/emulator/render.ts';
import { useLocalBlobs } from '../../../test/support/blobs-server.ts';
import { testEnv } from '../../../test/support/settings.ts';
import { createLogger } from '../../logging/logger.ts';
import { providers } from '../../providers/index.ts';
import type { ServiceDeps } from '../deps.ts';
import { serve, type Endpoint } from '../http/endpoint.ts';
import { runsEndpoint, ticketsEndpoint } from './runs-and-tickets.ts';
import { applyEndpoint } from './sync.ts';

/**
 * Providers that quote the request body in their 400 and 422 answers, driven through the real
 * adapters and endpoints, with reports and tickets on the real local Blobs server: no value
 * EnvSync read or sent, long or short, canonical or unmanaged, may come back out.
 */

const blobs = useLocalBlobs();
const apiToken = 'unit-api-token-0123456789abcdef0123';
const base = 'http://localhost:8888/.netlify/functions';
const netlifyOrigin = 'https://api.netlify.test';
const renderOrigin = 'https://api.render.test';

const canaries = {
  canonicalLong: 'CANARY-canonical-7d1e5b0a',
  canonicalShort: 'Zq7',
  unmanagedLong: 'CANARY-unmanaged-3c9b2f41',
  unmanagedShort: 'Kp4',
  renderCanonical: 'CANARY-render-canonical-51aa',
} as const;

function setup() {
  const netlify = new NetlifyFake({ echoRequestBodies: true }).addSite({ id: 'site-a', accountSlug: 'team-a' });
  const render = new RenderFake({ echoRequestBodies: true });
  const lines: string[] = [];
  const client = blobs.freshClient();
  const storage = blobs.open({ client });
  const env = testEnv({
    ENVSYNC_TARGETS: 'render,netlify',
    ENVSYNC_NETLIFY_SITE_ID: 'site-a',
    NETLIFY_API_URL: `${netlifyOrigin}/api/v1`,
    RENDER_API_URL: `${renderOrigin}/v1`,
    ENVSYNC_API_TOKEN: apiToken,
    APP_A_SHORT: canaries.canonicalShort,
    APP_A_TOKEN: canaries.canonicalLong,
    // Twelve Render changes: more than the per-key limit, so Render gets one replace-all.
    ...Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`APP_R${String(index).padStart(2, '0')}`, `${canaries.renderCanonical}-${index}`])),
  });
  const deps: ServiceDeps = {
    env,
    openStorage: () => storage,
    adapters: providers,
    logger: createLogger({ write: (line) => lines.push(line), level: 'debug' }),
    fetch: (input, init) => {
      const request = new Request(input, init);
      const origin = new URL(request.url).origin;
      if (origin === netlifyOrigin) return netlify.handle(request);
      if (origin === renderOrigin) return render.handle(request);
      return Promise.reject(new Error(`unexpected request to ${origin}`));
    },
  };
  const call = async (endpoint: Endpoint, path: string, init: RequestInit = {}) => {
    const response = await serve(endpoint, new Request(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${apiToken}` } }), deps);
    return { status: response.status, text: await response.text() };
  };
  return { netlify, render, lines, call };
}

/** Where a value may hide in text: as is, JSON-escaped, URL-encoded, base64. */
function sightings(text: string): string[] {
  return Object.entries(canaries).flatMap(([name, value]) =>
    [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]
      .filter((form) => new RegExp(`(^|[^A-Za-z0-9])${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(text))
      .map(() => name),
  );
}

describe('providers that echo the request body in their rejections', () => {
  it('no value read or sent reaches the apply response, the stored reports, the tickets or the log', async () => {
    const s = setup();
    s.netlify.fail({ route: 'POST /accounts/{account_id}/env', status: 422, times: 10 });
    s.render.seed('srv-a', { OTHER_LONG: canaries.unmanagedLong, OTHER_PIN: canaries.unmanagedShort });
    s.render.fail({ route: 'env-vars.replace', status: 400 });

    const netlifyApply = await s.call(applyEndpoint, '/envsync-apply/netlify', { method: 'POST' });
    const renderApply = await s.call(applyEndpoint, '/envsync-apply/render', { method: 'POST' });
    const runs = await s.call(runsEndpoint, '/envsync-runs');
    const tickets = await s.call(ticketsEndpoint, '/envsync-tickets');

    // The rejections happened, and were reported on their keys.
    expect(s.netlify.count('POST /accounts/{account_id}/env', { status: 422 })).toBeGreaterThan(0);
    expect(s.render.count('env-vars.replace', 400)).toBe(1);
    expect(netlifyApply.text).toContain('provider-rejected');
    expect(renderApply.text).toContain('provider-rejected');
    expect(runs.text).toContain('provider-rejected');
    expect(tickets.text).toContain('srv-a');

    expect(sightings(netlifyApply.text)).toEqual([]);
    expect(sightings(renderApply.text)).toEqual([]);
    expect(sightings(runs.text)).toEqual([]);
    expect(sightings(tickets.text)).toEqual([]);
    expect(sightings(s.lines.join('\n'))).toEqual([]);
  });
});
