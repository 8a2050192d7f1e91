import { dashboardAssets } from './assets.generated.ts';

/**
 * The dashboard's HTML shell and the headers of everything the dashboard function serves. The
 * page holds no data (a token prompt and two asset links); the script fetches the JSON endpoints
 * with the session's token.
 */

/** The assets the function serves besides the page. */
export type AssetName = keyof typeof dashboardAssets;
/** Their names, for the query-string schema. */
export const assetNames = Object.keys(dashboardAssets) as [AssetName, ...AssetName[]];

/** Where the function answers: its default URL works locally and on Netlify alike. */
const self = '/.netlify/functions/envsync-dashboard';

/** The URL of an asset, versioned by its hash so a browser may cache it for good. */
export function assetUrl(name: AssetName): string {
  return `${self}?asset=${name}&v=${encodeURIComponent(dashboardAssets[name].sha256.slice(0, 16))}`;
}

/**
 * Strict Content-Security-Policy: scripts and styles from this origin only (no inline script or
 * style at all), calls to this origin only, no frames, no plugins, no base or form targets, and
 * Trusted Types required, so no string can reach an HTML sink. The only image is the empty data:
 * favicon (so the browser does not ask for /favicon.ico).
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Headers of every dashboard response: the CSP, no framing, no referrer, no MIME sniffing. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** The page. Subresource Integrity pins each asset to the hash it was built with. */
export function pageHtml(): string {
  const css = dashboardAssets['style.css'];
  const js = dashboardAssets['app.js'];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>EnvSync</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetUrl('style.css')}" integrity="sha256-${css.sha256}">
<script type="module" src="${assetUrl('app.js')}" integrity="sha256-${js.sha256}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<h1>EnvSync</h1>
<nav id="nav" aria-label="Views"></nav>
</header>
<main id="main" tabindex="-1">
<noscript><p>The EnvSync dashboard needs JavaScript. The same data is available as JSON: see docs/functions.md.</p></noscript>
</main>
</body>
</html>
`;
}
