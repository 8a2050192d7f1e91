import type { ProviderSession, RedeployOutcome } from '../../core/adapter.ts';
import { isSyncError, SyncError } from '../../errors.ts';
import { reportReserveMs } from '../../http/budget.ts';
import type { VercelClient } from './client.ts';
import { providerName, syncErrorOf } from './errors.ts';
import { createdDeploymentSchema, deploymentsSchema } from './schemas.ts';
import type { VercelOptions } from './settings.ts';

/** Longest wait for a deploy hook's answer; less when the budget has less left. */
const hookTimeoutMs = 10_000;

const takeEffectHint = 'The variables were saved; redeploy the project in Vercel (Deployments > Redeploy) so they take effect.';

/**
 * Makes a project's new variables take effect: Vercel applies env changes only to new deployments.
 *
 * With a deploy hook configured for the project (ENVSYNC_VERCEL_DEPLOY_HOOKS), the hook is called
 * (a plain POST without the token: the URL is its own credential, and the token never goes to a URL
 * from a setting). A hook builds its git branch, not the current production deployment. Otherwise
 * the latest READY production deployment (`GET /v6/deployments?projectId&target=production&limit=1`)
 * is redeployed with `POST /v13/deployments?forceNew=1` and `target: "production"`: without it
 * Vercel makes a preview. At most once per project per run.
 */
export class ProjectRedeployer {
  readonly #client: VercelClient;
  readonly #session: ProviderSession;
  readonly #options: VercelOptions;
  readonly #started = new Set<string>();

  constructor(client: VercelClient, session: ProviderSession, options: VercelOptions) {
    this.#client = client;
    this.#session = session;
    this.#options = options;
  }

  /** Starts one deployment of `projectId`; never throws. */
  async redeploy(projectId: string): Promise<RedeployOutcome> {
    if (this.#started.has(projectId)) return { status: 'triggered' };
    try {
      const hook = this.#options.deployHooks.get(projectId);
      if (hook === undefined) await this.#redeployLatest(projectId);
      else await this.#callHook(hook, projectId);
      this.#started.add(projectId);
      return { status: 'triggered' };
    } catch (error) {
      return { status: 'failed', error: withHint(error) };
    }
  }

  async #redeployLatest(projectId: string): Promise<void> {
    const list = await this.#client
      .sendFor({ method: 'GET', path: 'v6/deployments', searchParams: { projectId, target: 'production', state: 'READY', limit: '1' } }, deploymentsSchema)
      .catch((error: unknown) => {
        throw syncErrorOf(error);
      });
    const latest = list.deployments[0];
    if (latest === undefined) {
      throw new SyncError('provider-not-found', `${providerName} project ${projectId} has no READY production deployment to redeploy; deploy it once, or set a deploy hook for it in ENVSYNC_VERCEL_DEPLOY_HOOKS.`);
    }
    const request = {
      method: 'POST',
      path: 'v13/deployments',
      searchParams: { forceNew: '1' },
      json: { deploymentId: latest.uid, name: latest.name, target: 'production', meta: { action: 'redeploy' } },
    } as const;
    const response = await this.#client.send(request).catch((error: unknown) => {
      throw syncErrorOf(error);
    });
    const created = await this.#client.bodyOfWrite(response, request, createdDeploymentSchema);
    this.#session.logger.info('vercel.redeploy_triggered', { project: projectId, via: 'api', from: latest.uid, deployment: created?.id ?? null });
  }

  async #callHook(hook: string, projectId: string): Promise<void> {
    const { budget, logger } = this.#session;
    if (!budget.allows(1_000)) throw new SyncError('budget-exhausted', `${providerName}: no time left in this sync to call the deploy hook of project ${projectId}.`);
    const fetcher = this.#session.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetcher(hook, { method: 'POST', signal: AbortSignal.timeout(Math.min(hookTimeoutMs, budget.remainingMs() - reportReserveMs)) });
    } catch (error) {
      throw new SyncError('provider-unavailable', `${providerName} deploy hook of project ${projectId} (ENVSYNC_VERCEL_DEPLOY_HOOKS) could not be reached.`, { cause: error, retryable: true });
    }
    // Drain the answer (its shape is unverified and unused); cancelling the stream can hang under msw.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      throw new SyncError(
        response.status === 404 ? 'provider-not-found' : 'provider-rejected',
        `${providerName} deploy hook of project ${projectId} (ENVSYNC_VERCEL_DEPLOY_HOOKS) answered ${response.status}; check that the hook still exists (Project Settings > Git > Deploy Hooks).`,
        { status: response.status },
      );
    }
    logger.info('vercel.redeploy_triggered', { project: projectId, via: 'hook' });
  }
}

function withHint(error: unknown): SyncError {
  if (!isSyncError(error)) return new SyncError('internal', `${providerName}: starting a deployment failed unexpectedly. ${takeEffectHint}`, { cause: error });
  return new SyncError(error.code, `${error.message} ${takeEffectHint}`, {
    cause: error,
    retryable: error.retryable,
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}
