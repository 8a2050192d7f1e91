import { noContext, type Plan, type RemoteState } from '../../core/plan.ts';
import { createProviderApi, createProviderHttp } from '../../http/client.ts';
import type { ApplyOutcome, ProviderConnection, ProviderSession } from '../../core/adapter.ts';
import { isTargetWide, type RenderContext } from './context.ts';
import { renderAuthHint, renderErrors, renderName } from './errors.ts';
import { applyPerKey } from './per-key.ts';
import { readServiceVariables } from './read.ts';
import { triggerDeploy } from './redeploy.ts';
import { applyReplaceAll } from './replace-all.ts';
import { createWriteBudget, renderWritesPerMinute } from './write-budget.ts';
import { chooseWritePath, perKeyWriteLimit } from './write-path.ts';
import type { RenderOptions } from './settings.ts';

/** Tuning for tests and benchmarks; production uses Render's documented limits. */
export interface RenderConnectionOptions {
  /** @default {@link renderWritesPerMinute} */
  readonly writesPerMinute?: number;
  /** @default {@link perKeyWriteLimit} */
  readonly perKeyWriteLimit?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Opens one run's connection to Render: ONE ky instance and ONE write budget for every service of
 * the run, because Render's write limit belongs to the API key, not to a service. No I/O here.
 */
export function connectRender(session: ProviderSession<RenderOptions>, options: RenderConnectionOptions = {}): ProviderConnection {
  const writeBudget = createWriteBudget({
    limit: options.writesPerMinute ?? renderWritesPerMinute,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const http = createProviderHttp({
    providerName: renderName,
    baseUrl: session.provider.apiUrl,
    token: session.token,
    tokenSource: session.tokenSource,
    authHint: renderAuthHint,
    budget: session.budget,
    redact: session.redact,
    ...(session.fetch === undefined ? {} : { fetch: session.fetch }),
    onRequest: (method, url) => {
      if (countsAsWrite(method, url)) writeBudget.record();
    },
  }).extend({
    hooks: {
      afterResponse: [
        (request, _options, response) => {
          if (countsAsWrite(request.method, new URL(request.url))) writeBudget.observe(response.status, response.headers);
        },
      ],
    },
  });
  const context: RenderContext = {
    api: createProviderApi(http, {
      providerName: renderName,
      tokenSource: session.tokenSource,
      authHint: renderAuthHint,
      redact: session.redact,
      mapError: renderErrors,
    }),
    session,
    writeBudget,
    logger: session.logger.child({ provider: 'render' }),
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  // Services this run has reached (read), whether or not they needed writes.
  const reached = new Set<string>();

  return {
    read: async (serviceId) => {
      reached.add(serviceId);
      const { variables, requests } = await readServiceVariables(context, serviceId);
      context.logger.info('render.read', { target: serviceId, variables: variables.length, requests });
      return { values: variables.map(({ key, value }) => ({ key, context: noContext, value, secret: false })) };
    },
    apply: async (serviceId, plan, values, remote) => {
      // Writes are kept back for the services of THIS run not reached yet (one replace-all each),
      // not for every configured service, nor for those already synced: a run over one service may
      // use the whole budget.
      const runTargets = session.runTargets ?? session.provider.targetIds;
      const stillToCome = runTargets.filter((id) => id !== serviceId && !reached.has(id)).length;
      const outcome = await applyPlan(context, serviceId, plan, values, remote, {
        reservedWrites: stillToCome,
        perKeyLimit: options.perKeyWriteLimit ?? perKeyWriteLimit,
      });
      // Nothing written and the service or key itself is the problem: a target failure, not N key failures.
      const fatal = outcome.done.length === 0 ? outcome.errors.find(isTargetWide) : undefined;
      if (fatal !== undefined) throw fatal;
      return outcome;
    },
    redeploy: (serviceId) => triggerDeploy(context, serviceId),
  };
}

async function applyPlan(
  context: RenderContext,
  serviceId: string,
  plan: Plan,
  values: ReadonlyMap<string, string>,
  remote: RemoteState,
  limits: { readonly reservedWrites: number; readonly perKeyLimit: number },
): Promise<ApplyOutcome> {
  const changes = plan.changes.filter((change) => change.op !== 'noop');
  const availableWrites = context.writeBudget.available();
  const path = chooseWritePath({
    requests: changes.length,
    availableWrites,
    reservedWrites: limits.reservedWrites,
    replaceAllSafe: !keepsAnEmptyValue(plan, remote),
    perKeyLimit: limits.perKeyLimit,
  });
  context.logger.info('render.apply', { target: serviceId, path, changes: changes.length, availableWrites });
  if (path === 'none') return { done: [], errors: [] };
  if (path === 'per-key') return applyPerKey(context, serviceId, plan, values);
  return applyReplaceAll(context, serviceId, plan, values, remote);
}

/** Whether a replace-all would have to carry a variable whose value reads back empty. */
function keepsAnEmptyValue(plan: Plan, remote: RemoteState): boolean {
  const touched = new Set(plan.changes.filter((change) => change.op !== 'noop').map((change) => change.key));
  return remote.values.some((value) => value.value === '' && !touched.has(value.key));
}

/** Env-var writes count against the API key's write bucket; deploy triggers have their own. */
function countsAsWrite(method: string, url: URL): boolean {
  return method.toUpperCase() !== 'GET' && !url.pathname.endsWith('/deploys');
}
