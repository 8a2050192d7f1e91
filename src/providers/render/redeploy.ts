import type { RedeployOutcome } from '../../core/adapter.ts';
import { SyncError } from '../../errors.ts';
import { deploysPath, type RenderContext } from './context.ts';
import { asRenderError } from './errors.ts';
import { deploySchema } from './schemas.ts';

/**
 * Triggers a deploy so a service picks up its new variables: Render does not redeploy on an
 * env-var change made through the API. `POST /services/{id}/deploys` requires a JSON body; `{}`
 * keeps Render's defaults (build and deploy, build cache kept), which also covers variables read
 * at build time.
 *
 * 201 (with the deploy) and 202 (queued, no body) are both success. A 5xx is not retried (a
 * second deploy could be queued); a 429 is retried by the HTTP client within the time budget.
 * Never throws: a failure is returned so the sync's report keeps what was written.
 */
export async function triggerDeploy(context: RenderContext, serviceId: string): Promise<RedeployOutcome> {
  const path = deploysPath(serviceId);
  try {
    const response = await context.api.send({ method: 'POST', path, json: {}, target: serviceId });
    // The deploy id is only logged: a 201 whose body is not a deploy still queued one.
    const deploy = response.status === 201 ? deploySchema.safeParse(parseOrUndefined(await response.text())) : undefined;
    context.logger.info('render.deploy_triggered', {
      target: serviceId,
      status: response.status,
      deployId: deploy?.success === true ? deploy.data.id : undefined,
    });
    return { status: 'triggered' };
  } catch (error) {
    const failure = asRenderError(error, `the deploy of service ${serviceId}`);
    context.logger.warn('render.deploy_failed', { target: serviceId, code: failure.code });
    return { status: 'failed', error: failure };
  }
}

/**
 * Deploys several services, one after another (each has its own deploy limit), and sums up the
 * outcome for the report of the target whose turn it is: `failed` when any failed, with an error
 * naming every service that did.
 */
export async function deployServices(context: RenderContext, serviceIds: readonly string[]): Promise<RedeployOutcome> {
  const failures: { readonly serviceId: string; readonly error: SyncError }[] = [];
  for (const serviceId of serviceIds) {
    const outcome = await triggerDeploy(context, serviceId);
    if (outcome.status === 'failed' && outcome.error !== undefined) failures.push({ serviceId, error: outcome.error });
  }
  const [first] = failures;
  if (first === undefined) return { status: 'triggered' };
  if (failures.length === 1) return { status: 'failed', error: first.error };
  const named = failures.map((failure) => `${failure.serviceId} (${failure.error.code})`).join(', ');
  return {
    status: 'failed',
    error: new SyncError(first.error.code, `${failures.length} of ${serviceIds.length} deploys failed: ${named}. First: ${first.error.message}`, {
      retryable: first.error.retryable,
      cause: first.error,
    }),
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
