import { SyncError } from '../../errors.ts';
import type { Logger } from '../../logging/logger.ts';
import { segment, type VercelClient } from './client.ts';
import { providerName, unknownProjectOr } from './errors.ts';
import { customEnvironmentsSchema, decryptedRecordSchema, envListSchema, type ApiEnvRecord } from './schemas.ts';
import { isStandardTarget, type VercelOptions } from './settings.ts';
import { toSnapshot, type ProjectRecord, type ProjectSnapshot } from './snapshot.ts';

/** Most pages followed for one project. */
const maxPages = 50;

/**
 * Reads every env record of a project: `GET /v10/projects/{idOrName}/env`, following
 * `pagination.next` with `until` while it is not null. The reference could not settle whether this
 * version pages, nor which paging parameters it accepts (the SDK declares none; Terraform sends
 * `limit` to `/v8`), so the first request carries no paging parameter at all, and only an answer
 * that names a next page is followed. One page is the usual answer, so a no-op stays one request.
 *
 * @param customIds - the project's custom environments by slug, when a custom one is managed.
 * @throws SyncError `provider-not-found` naming the settings to check.
 */
export async function readProject(client: VercelClient, projectId: string, customIds: ReadonlyMap<string, string>, logger: Logger): Promise<ProjectSnapshot> {
  const records: ApiEnvRecord[] = [];
  let until: number | undefined;
  let pages = 0;
  for (;;) {
    if (pages >= maxPages) {
      throw new SyncError('provider-response-invalid', `${providerName} kept answering with a next page (${pages} pages) for project ${projectId}; nothing was changed.`);
    }
    pages += 1;
    const body = await client
      .sendFor({ method: 'GET', path: `v10/projects/${segment(projectId)}/env`, ...(until === undefined ? {} : { searchParams: { until: String(until) } }) }, envListSchema)
      .catch((error: unknown) => {
        throw unknownProjectOr(error, projectId);
      });
    records.push(...body.envs);
    const next = body.pagination?.next ?? null;
    if (next === null || body.envs.length === 0) break;
    if (until !== undefined && next >= until) {
      throw new SyncError('provider-response-invalid', `${providerName} answered a page cursor that does not advance for project ${projectId}; nothing was changed.`);
    }
    until = next;
  }
  logger.debug('vercel.read', { project: projectId, records: records.length, pages });
  return toSnapshot(projectId, records, customIds);
}

/**
 * Resolves the custom environments ENVSYNC_VERCEL_TARGETS names, by slug, with
 * `GET /v9/projects/{idOrName}/custom-environments`. Only called when a custom environment is
 * managed and the ids are not remembered from an earlier run (./custom-environments.ts).
 *
 * @throws SyncError `config-invalid` naming the slugs the project does not have.
 */
export async function resolveCustomEnvironments(client: VercelClient, projectId: string, options: VercelOptions): Promise<ReadonlyMap<string, string>> {
  const wanted = options.targets.filter((target) => !isStandardTarget(target));
  if (wanted.length === 0) return new Map();
  const body = await client.sendFor({ method: 'GET', path: `v9/projects/${segment(projectId)}/custom-environments` }, customEnvironmentsSchema).catch((error: unknown) => {
    throw unknownProjectOr(error, projectId);
  });
  const ids = new Map(body.environments.map((environment) => [environment.slug, environment.id]));
  const missing = wanted.filter((slug) => !ids.has(slug));
  if (missing.length > 0) {
    throw new SyncError(
      'config-invalid',
      `Vercel project ${projectId} has no custom environment ${missing.join(', ')} (it has ${ids.size === 0 ? 'none' : [...ids.keys()].join(', ')}); nothing was changed. Check ENVSYNC_VERCEL_TARGETS: custom environments go by slug, as in Project Settings > Environments.`,
    );
  }
  return ids;
}

/**
 * Reads one `encrypted` record's value through `GET /v1/projects/{idOrName}/env/{id}`, or
 * `undefined` when Vercel does not return it decrypted (a sensitive record, or an answer of another
 * shape): the caller then writes the value instead of trusting a guess.
 */
export async function readDecrypted(client: VercelClient, projectId: string, record: ProjectRecord): Promise<string | undefined> {
  const body = await client.sendFor({ method: 'GET', path: `v1/projects/${segment(projectId)}/env/${segment(record.id)}`, key: record.key }, decryptedRecordSchema);
  return body.decrypted === true && typeof body.value === 'string' ? body.value : undefined;
}
