import { HttpResponse } from 'msw';

/**
 * Seeded fault schedules for the provider fakes: the faults a real provider API shows under load,
 * applied in front of a fake's `handle`, so the engine meets them over the same HTTP boundary msw
 * gives every other adapter test.
 *
 * | kind | what the client sees |
 * | --- | --- |
 * | `429` | a rate-limit answer with the provider's own headers (Render: `Retry-After` and `Ratelimit-*`; Netlify: `X-RateLimit-*`, no `Retry-After`) |
 * | `500`, `503` | a server error; nothing was carried out |
 * | `reset` | the connection drops before an answer; nothing was carried out |
 * | `lost` | the request is carried out, then the connection drops: a write that landed but whose answer never came |
 */

export const faultKinds = ['429', '500', '503', 'reset', 'lost'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** One fault: which requests it hits, after letting `skip` matching ones through. */
export interface Fault {
  readonly kind: FaultKind;
  /** `write` matches every method but GET; `read` matches GET. */
  readonly on: 'read' | 'write' | 'any';
  readonly skip: number;
}

/** The provider whose 429 headers a fault imitates. */
export type FaultDialect = 'render' | 'netlify';

/** What a schedule did, for the assertions (never a value). */
export interface FaultLog {
  readonly injected: { readonly kind: FaultKind; readonly method: string; readonly path: string }[];
}

/**
 * Wraps a fake's `handle` with a fault schedule. Each fault fires once, on the first matching
 * request after its `skip`; a 429 asks for a wait of 0 s so that the suite stays fast while the
 * client still goes through its real header-reading path.
 */
export function withFaults(
  handle: (request: Request) => Promise<Response>,
  faults: readonly Fault[],
  dialect: FaultDialect,
): { readonly handle: (request: Request) => Promise<Response>; readonly log: FaultLog } {
  const pending = faults.map((fault) => ({ ...fault, left: fault.skip, fired: false }));
  const log: FaultLog = { injected: [] };
  const wrapped = async (request: Request): Promise<Response> => {
    const method = request.method.toUpperCase();
    const kind = method === 'GET' ? 'read' : 'write';
    const fault = pending.find((candidate) => !candidate.fired && (candidate.on === 'any' || candidate.on === kind) && candidate.left-- <= 0);
    if (fault === undefined) return handle(request);
    fault.fired = true;
    log.injected.push({ kind: fault.kind, method, path: new URL(request.url).pathname });
    switch (fault.kind) {
      case 'lost':
        await handle(request);
        return HttpResponse.error();
      case 'reset':
        return HttpResponse.error();
      case '429':
        return HttpResponse.json({ message: 'Rate limit exceeded' }, { status: 429, headers: rateLimitHeaders(dialect) });
      default:
        return HttpResponse.json({ message: `injected ${fault.kind}` }, { status: Number(fault.kind) });
    }
  };
  return { handle: wrapped, log };
}

function rateLimitHeaders(dialect: FaultDialect): Record<string, string> {
  if (dialect === 'render') return { 'retry-after': '0', 'ratelimit-limit': '30', 'ratelimit-remaining': '0', 'ratelimit-reset': '0' };
  return { 'x-ratelimit-limit': '500', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) };
}
