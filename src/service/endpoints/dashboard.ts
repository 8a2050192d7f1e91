import * as z from 'zod';
import { dashboardAssets } from '../../dashboard/assets.generated.ts';
import { assetNames, pageHtml, securityHeaders } from '../../dashboard/page.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { queryOf } from '../http/inputs.ts';
import { requireNoSubPath } from '../http/route.ts';

const dashboardQuerySchema = z.strictObject({
  asset: z.enum(assetNames).optional(),
  /** The asset's hash prefix, set by the page's links. */
  v: z.string().max(64).optional(),
});

/**
 * `GET /.netlify/functions/envsync-dashboard`: the dashboard page, and with `?asset=app.js` or
 * `?asset=style.css` its script and style sheet. Public, like a login page: it holds no data and
 * no secret; everything it shows comes from the token-protected JSON endpoints.
 *
 * An asset asked for with its current hash (`&v=`, as the page links it) may be cached for good;
 * the page itself is revalidated every time, so a deploy shows at once.
 */
export const dashboardEndpoint: Endpoint = {
  name: 'envsync-dashboard',
  methods: ['GET'],
  run(request) {
    requireNoSubPath(request, 'envsync-dashboard');
    const query = queryOf(request, dashboardQuerySchema);
    if (query.asset === undefined) {
      return Promise.resolve(new Response(pageHtml(), { status: 200, headers: { ...securityHeaders, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } }));
    }
    const asset = dashboardAssets[query.asset];
    const current = query.v !== undefined && asset.sha256.startsWith(query.v) && query.v.length >= 16;
    return Promise.resolve(
      new Response(asset.body, {
        status: 200,
        headers: { ...securityHeaders, 'content-type': asset.contentType, 'cache-control': current ? 'public, max-age=31536000, immutable' : 'no-cache' },
      }),
    );
  },
};
