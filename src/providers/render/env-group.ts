import { SyncError } from '../../errors.ts';
import { parseResponse, readJson } from '../../http/client.ts';
import { envGroupPath, envGroupVarPath, renderName, type RenderContext } from './context.ts';
import { parseWritten, type PerKeyTarget } from './per-key.ts';
import { envGroupSchema, type EnvGroup, type EnvVar } from './schemas.ts';

/**
 * Render environment groups as targets: one read (`GET /env-groups/{id}` answers with every
 * variable of the group and the services linked to it) and per-key writes
 * (`PUT|DELETE /env-groups/{id}/env-vars/{key}`): Render has no replace-all for groups.
 */

/** A group's variables and the services that read them. */
export interface EnvGroupState {
  readonly variables: readonly EnvVar[];
  /** Services linked to the group: a change of the group takes effect on them after a deploy. */
  readonly linkedServiceIds: readonly string[];
}

/**
 * Reads a group in one request. The answer is validated (a group without `envVars` is an error,
 * never "no variables"), and a key listed twice fails the read.
 *
 * Render's document describes no pagination of a group's `envVars`; whether a very large group is
 * answered in full is not verified (see docs/providers.md, Render).
 *
 * @throws SyncError `provider-not-found` naming the group and RENDER_ENV_GROUP_ID,
 *   `provider-response-invalid`, or the mapped HTTP failure.
 */
export async function readEnvGroup(context: RenderContext, envGroupId: string, targetId: string): Promise<EnvGroupState> {
  const path = envGroupPath(envGroupId);
  const endpoint = `GET /${path}`;
  const response = await context.api.send({ method: 'GET', path, target: targetId });
  const group = parseResponse(envGroupSchema, await readJson(response, renderName, endpoint), renderName, endpoint);
  return stateOf(group, endpoint);
}

/** Where a group's per-key writes go; a PUT answers with the whole group, which must hold the key. */
export function envGroupPerKeyTarget(envGroupId: string, targetId: string, onGroup: (state: EnvGroupState) => void): PerKeyTarget {
  return {
    targetId,
    label: `env group ${envGroupId}`,
    varPath: (key) => envGroupVarPath(envGroupId, key),
    checkWritten: async (response, endpoint, key) => {
      const group = await parseWritten(envGroupSchema, response, endpoint, key);
      if (group.id !== envGroupId || !group.envVars.some((variable) => variable.key === key)) {
        throw new SyncError(
          'provider-response-invalid',
          `${renderName} ${endpoint} answered with ${group.id === envGroupId ? `the group but without ${key}` : `another group (${group.id})`}; whether ${key} was written is unknown, so the next round re-reads.`,
          { key, retryable: true },
        );
      }
      // The newest word on the group's links, for the deploys after the write.
      onGroup({ variables: group.envVars, linkedServiceIds: group.serviceLinks.map((link) => link.id) });
    },
  };
}

function stateOf(group: EnvGroup, endpoint: string): EnvGroupState {
  const seen = new Set<string>();
  for (const { key } of group.envVars) {
    if (seen.has(key)) {
      throw new SyncError(
        'provider-response-invalid',
        `${renderName} ${endpoint} listed ${key} twice; the group cannot be trusted, so nothing was changed. The next run reads again.`,
      );
    }
    seen.add(key);
  }
  return { variables: group.envVars, linkedServiceIds: [...new Set(group.serviceLinks.map((link) => link.id))] };
}
