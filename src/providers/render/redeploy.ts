import type { RedeployOutcome } from '../../core/adapter.ts';
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

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
