import { readFile } from 'node:fs/promises';
import { general } from '../../config/settings.ts';
import { SyncError } from '../../errors.ts';
import { readServedValue, refusalFor } from '../../vault/serve-secret.ts';
import { constantTimeEqual } from '../http/auth.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { queryOf, vaultQuerySchema } from '../http/inputs.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';


/**
 * `GET /.netlify/functions/envsync-vault?key=NAME` with `Authorization: Bearer ENVSYNC_VAULT_TOKEN`:
 * `{ "key", "value" }` for the names of ENVSYNC_VAULT_TOKEN_KEYS, from the environment or the secret
 * files. It answers exactly the protocol of the discovery chain's vault source.
 *
 * 404 while ENVSYNC_VAULT_TOKEN is unset (the endpoint does not exist then), 401 without the vault
 * token, 403 for a name not listed and always for EnvSync's own secrets, 404 for a listed name with
 * no value. Only the settings the vault needs are read, so a vault keeps serving while an unrelated
 * setting is invalid. The value is never logged; `cache-control: no-store` keeps it out of caches.
 */
export const vaultEndpoint: Endpoint = {
  name: 'envsync-vault',
  methods: ['GET'],
  async run(request, deps) {
    const shape = general;
    const vaultToken = shape.ENVSYNC_VAULT_TOKEN.parse(deps.env['ENVSYNC_VAULT_TOKEN']);
    if (vaultToken === undefined) {
      throw new SyncError('not-found', 'envsync-vault is disabled: it answers only when ENVSYNC_VAULT_TOKEN is set. Set it (openssl rand -hex 32) and list the names it may serve in ENVSYNC_VAULT_TOKEN_KEYS.');
    }
    const given = /^Bearer[ \t]+(\S+)$/i.exec(request.headers.get('authorization')?.trim() ?? '')?.[1];
    if (given === undefined || !constantTimeEqual(given, vaultToken)) {
      throw new SyncError('unauthorized', 'envsync-vault needs "Authorization: Bearer <ENVSYNC_VAULT_TOKEN>" with the vault token of this site (not the API token).');
    }
    requireNoSubPath(request, 'envsync-vault');
    const { key } = queryOf(request, vaultQuerySchema);
    const refusal = refusalFor(key, shape.ENVSYNC_VAULT_TOKEN_KEYS.parse(deps.env['ENVSYNC_VAULT_TOKEN_KEYS']));
    if (refusal === 'own-secret') {
      throw new SyncError('forbidden', `${key} is one of EnvSync's own settings or secrets, which the vault never serves, even when ENVSYNC_VAULT_TOKEN_KEYS lists it.`);
    }
    if (refusal === 'not-listed') {
      throw new SyncError('forbidden', `${key} is not in ENVSYNC_VAULT_TOKEN_KEYS, so the vault does not serve it. Add it there to allow it.`);
    }
    const value = await readServedValue(key, {
      env: deps.env,
      secretDirs: shape.ENVSYNC_SECRET_DIRS.parse(deps.env['ENVSYNC_SECRET_DIRS']),
      readFile: (file) => readFile(file, 'utf8'),
    });
    if (value === undefined) {
      throw new SyncError('not-found', `${key} is allowed but has no value here: set it in the site's environment (Functions scope) or put it in a file named ${key} in one of ENVSYNC_SECRET_DIRS.`);
    }
    deps.logger.info('vault.served', { key });
    return jsonResponse(200, { key, value });
  },
};
