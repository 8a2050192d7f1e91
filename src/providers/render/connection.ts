import { noContext, type Plan, type RemoteState } from '../../core/plan.ts';
import { createProviderApi, createProviderHttp } from '../../http/client.ts';
import type { ApplyOutcome, ProviderConnection, ProviderSession, RedeployOutcome } from '../../core/adapter.ts';
import { isTargetWide, type RenderContext } from './context.ts';
import { createDeploySchedule, type DeploySchedule } from './deploy-schedule.ts';
import { envGroupPerKeyTarget, readEnvGroup, type EnvGroupState } from './env-group.ts';
import { renderAuthHint, renderErrors, renderName } from './errors.ts';
import { applyPerKey, servicePerKeyTarget } from './per-key.ts';
import { readServiceVariables } from './read.ts';
import { deployServices } from './redeploy.ts';
import { renderTarget, type RenderTarget } from './targets.ts';
import type { EnvVar } from './schemas.ts';
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
 * Opens one run's connection to Render: ONE ky instance, ONE write budget and ONE deploy schedule
 * for every service and environment group of the run, because Render's write limit belongs to
 * the API key, not to a target, and a service linked to a changed group is deployed once per run.
 * No I/O here.
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
  const runTargets = session.runTargets ?? session.provider.targetIds;
  // Targets this run has reached (read), whether or not they needed writes.
  const reached = new Set<string>();
  const deploys = createDeploySchedule(runTargets);
  // The services linked to each group, as its last read or write answer showed them.
  const groups = new Map<string, EnvGroupState>();
  const remember = (groupId: string) => (state: EnvGroupState) => groups.set(groupId, state);

  return {
    read: async (targetId) => {
      reached.add(targetId);
      await deployOverdue(context, deploys, targetId);
      const target = renderTarget(targetId);
      const variables = await readTarget(context, target, remember(target.id));
      return { values: variables.map(({ key, value }) => ({ key, context: noContext, value, secret: false })) };
    },
    apply: async (targetId, plan, values, remote) => {
      const target = renderTarget(targetId);
      // Writes are kept back for the services of THIS run not reached yet (one replace-all each),
      // not for every configured service, nor for those already synced: a run over one service may
      // use the whole budget.
      const stillToCome = runTargets.filter((id) => id !== targetId && !reached.has(id)).length;
      const outcome =
        target.kind === 'env-group'
          ? await applyEnvGroup(context, target, plan, values, remember(target.id))
          : await applyPlan(context, target.id, plan, values, remote, {
              reservedWrites: stillToCome,
              perKeyLimit: options.perKeyWriteLimit ?? perKeyWriteLimit,
            });
      // Deploys are owed only when the run deploys at all: with ENVSYNC_REDEPLOY off nothing is sent.
      if (outcome.done.length > 0 && session.settings.redeploy) {
        if (target.kind === 'service') deploys.serviceChanged(target.id);
        else deploys.groupChanged(groups.get(target.id)?.linkedServiceIds ?? []);
      }
      // Nothing written and the target or key itself is the problem: a target failure, not N key failures.
      const fatal = outcome.done.length === 0 ? outcome.errors.find(isTargetWide) : undefined;
      if (fatal !== undefined) throw fatal;
      return outcome;
    },
    owesRedeploy: (targetId) => deploys.dueAt(targetId).length > 0,
    redeploy: (targetId) => redeployAt(context, deploys, renderTarget(targetId), groups),
  };
}

async function readTarget(context: RenderContext, target: RenderTarget, onGroup: (state: EnvGroupState) => void): Promise<readonly EnvVar[]> {
  if (target.kind === 'service') {
    const { variables, requests } = await readServiceVariables(context, target.id);
    context.logger.info('render.read', { target: target.targetId, variables: variables.length, requests });
    return variables;
  }
  const group = await readEnvGroup(context, target.id, target.targetId);
  onGroup(group);
  context.logger.info('render.read', { target: target.targetId, variables: group.variables.length, requests: 1, linkedServices: group.linkedServiceIds.length });
  return group.variables;
}

/** A group is always written key by key: Render has no replace-all for groups. */
function applyEnvGroup(
  context: RenderContext,
  target: RenderTarget,
  plan: Plan,
  values: ReadonlyMap<string, string>,
  onGroup: (state: EnvGroupState) => void,
): Promise<ApplyOutcome> {
  const changes = plan.changes.filter((change) => change.op !== 'noop').length;
  context.logger.info('render.apply', { target: target.targetId, path: changes === 0 ? 'none' : 'per-key', changes, availableWrites: context.writeBudget.available() });
  if (changes === 0) return Promise.resolve({ done: [], errors: [] });
  return applyPerKey(context, envGroupPerKeyTarget(target.id, target.targetId, onGroup), plan, values);
}

/**
 * The deploys due at a target's turn (see {@link DeploySchedule}): its own and those of services
 * linked to groups that changed. A deploy owed to a later turn of the run is reported as triggered
 * here, because it is requested: it goes out once, at that turn.
 */
async function redeployAt(
  context: RenderContext,
  deploys: DeploySchedule,
  target: RenderTarget,
  groups: ReadonlyMap<string, EnvGroupState>,
): Promise<RedeployOutcome> {
  // Asked for a service, the engine found it changed (or owed): it owes a deploy whatever the apply recorded.
  if (target.kind === 'service') deploys.serviceChanged(target.id);
  const due = deploys.dueAt(target.targetId);
  deploys.sent(due);
  if (due.length > 0) return deployServices(context, due);
  const caused = target.kind === 'service' ? [target.id] : (groups.get(target.id)?.linkedServiceIds ?? []);
  const later = caused.filter((serviceId) => deploys.owes(serviceId));
  if (later.length === 0) return { status: 'not-needed' };
  context.logger.info('render.deploy_deferred', { target: target.targetId, services: later });
  return { status: 'triggered' };
}

/** Deploys owed to a turn that passed without a redeploy call (that target's sync failed), before going on. */
async function deployOverdue(context: RenderContext, deploys: DeploySchedule, targetId: string): Promise<void> {
  const overdue = deploys.overdueAt(targetId);
  if (overdue.length === 0) return;
  deploys.sent(overdue);
  const outcome = await deployServices(context, overdue);
  context.logger.info('render.deploy_overdue', { target: targetId, services: overdue, status: outcome.status, code: outcome.error?.code });
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
  if (path === 'per-key') return applyPerKey(context, servicePerKeyTarget(serviceId), plan, values);
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
