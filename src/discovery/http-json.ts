/**
 * Fetches JSON from a token source with a short timeout. Returns a reason instead of throwing, so
 * the discovery chain can fall through to the next source with a warning.
 *
 * Reasons name the URL without its query string: a dashboard URL may carry a token in it.
 */
export async function fetchJson(
  fetcher: typeof fetch,
  url: string,
  init: { readonly headers?: Record<string, string>; readonly timeoutMs: number },
): Promise<{ ok: true; body: unknown } | { ok: false; reason: string }> {
  let response: Response;
  try {
    response = await fetcher(url, {
      headers: { accept: 'application/json', ...init.headers },
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    return { ok: false, reason: name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${init.timeoutMs} ms` : 'could not connect' };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { ok: false, reason: `answered ${response.status}` };
  }
  const text = await response.text();
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: `answered ${response.headers.get('content-type') ?? 'something'} that is not JSON` };
  }
}

/** A URL without query or fragment, safe to name in messages. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
