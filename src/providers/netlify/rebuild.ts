import { isSyncError, SyncError } from '../../errors.ts';
import { reportReserveMs } from '../../http/budget.ts';
import type { RedeployOutcome, ProviderSession } from '../../core/adapter.ts';
import { providerName, segment, type NetlifyClient } from './client.ts';
import { buildSchema } from './schemas.ts';
import type { NetlifyOptions } from './settings.ts';

/** Longest wait for a build hook's answer; less when the budget has less left. */
const hookTimeoutMs = 10_000;

const takeEffectHint = 'The variables were saved; trigger a deploy in the Netlify UI (Deploys > Trigger deploy) so they take effect.';

/**
 * Starts a build of a site whose variables changed: env changes only take effect on Netlify after a
 * build and deploy.
 *
 * With ENVSYNC_NETLIFY_BUILD_HOOK set and exactly that one site configured, the hook is called (a
 * plain POST without the token: the hook URL is its own credential, and the token must never go to
 * a URL from a setting). A hook belongs to one site, so with several sites each gets an API build,
 * `POST /sites/{site_id}/builds`, instead. At most one build per site per run, whoever asks: Netlify
 * allows only 3 deploys a minute.
 */
export class SiteRebuilder {
  readonly #client: NetlifyClient;
  readonly #session: ProviderSession<NetlifyOptions>;
  readonly #started = new Set<string>();

  constructor(client: NetlifyClient, session: ProviderSession<NetlifyOptions>) {
    this.#client = client;
    this.#session = session;
  }

  /** Triggers one build of `siteId`; never throws. */
  async rebuild(siteId: string): Promise<RedeployOutcome> {
    if (this.#started.has(siteId)) return { status: 'triggered' };
    try {
      const hook = this.#hookFor(siteId);
      if (hook === undefined) await this.#apiBuild(siteId);
      else await this.#callHook(hook, siteId);
      this.#started.add(siteId);
      return { status: 'triggered' };
    } catch (error) {
      return { status: 'failed', error: withHint(error) };
    }
  }

  #hookFor(siteId: string): string | undefined {
    const { provider, logger } = this.#session;
    const hook = provider.options.buildHook;
    if (hook === undefined) return undefined;
    const sites = provider.targetIds;
    if (sites.length === 1 && sites[0] === siteId) return hook;
    logger.warn('netlify.build_hook_not_used', { site: siteId, sites: sites.length });
    return undefined;
  }

  async #apiBuild(siteId: string): Promise<void> {
    const request = { method: 'POST', path: `sites/${segment(siteId)}/builds` } as const;
    const response = await this.#client.send(request);
    const build = await this.#client.bodyOfWrite(response, request, buildSchema);
    this.#session.logger.info('netlify.build_triggered', { site: siteId, via: 'api', build: build?.id ?? null });
  }

  async #callHook(hook: string, siteId: string): Promise<void> {
    const { budget, logger } = this.#session;
    if (!budget.allows(1_000)) {
      throw new SyncError('budget-exhausted', `${providerName}: no time left in this sync to call the build hook for site ${siteId}.`);
    }
    const timeoutMs = Math.min(hookTimeoutMs, budget.remainingMs() - reportReserveMs);
    const fetcher = this.#session.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetcher(hook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SyncError('provider-unavailable', `${providerName} build hook (ENVSYNC_NETLIFY_BUILD_HOOK) could not be reached for site ${siteId}.`, {
        cause: error,
        retryable: true,
      });
    }
    await response.body?.cancel();
    if (!response.ok) {
      throw new SyncError(
        response.status === 404 ? 'provider-not-found' : 'provider-rejected',
        `${providerName} build hook (ENVSYNC_NETLIFY_BUILD_HOOK) answered ${response.status} for site ${siteId}; check that the hook still exists (Site configuration > Build & deploy > Build hooks).`,
        { status: response.status },
      );
    }
    logger.info('netlify.build_triggered', { site: siteId, via: 'hook' });
  }
}

function withHint(error: unknown): SyncError {
  if (!isSyncError(error)) {
    return new SyncError('internal', `${providerName}: starting a build failed unexpectedly. ${takeEffectHint}`, { cause: error });
  }
  return new SyncError(error.code, `${error.message} ${takeEffectHint}`, {
    cause: error,
    retryable: error.retryable,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}
