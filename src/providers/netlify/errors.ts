import { SyncError } from '../../errors.ts';
import type { ErrorMapping } from '../../http/client.ts';

/**
 * What to do about a rejected token, appended to 401/403 messages. Here rather than with the
 * client, so that the adapter can name it without loading the client (and ky) at import.
 */
export const netlifyAuthHint =
  'Create a personal access token at https://app.netlify.com/user/applications#personal-access-tokens with access to the team that owns the site (SAML/SSO teams must grant it access), and store it as NETLIFY_API_TOKEN.';

/**
 * How Netlify's failures read, in one place (see {@link ErrorMapping}); `NetlifyClient` applies it
 * to every request.
 *
 * On a variable's path (`accounts/{account}/env/{key}`, and `/value/{id}` below it), a 404 of a
 * DELETE means already gone, which is what the delete wanted, and a 404 of an update means someone
 * deleted the variable after EnvSync read the site: a conflict a re-read resolves (it plans a
 * create). A 404 on the site list is left to `readSite`, which knows where the account came from.
 */
export const netlifyErrors: ErrorMapping = (failure, generic) => {
  if (failure.status !== 404) return undefined;
  const [collection, , kind, key] = failure.path.split('/');
  if (collection !== 'accounts' || kind !== 'env' || key === undefined) return undefined;
  if (failure.method === 'DELETE') return 'absent';
  const site = failure.target === undefined ? '' : ` site ${failure.target}`;
  return new SyncError(
    'conflict',
    `${decodeURIComponent(key)} was deleted from Netlify${site} after EnvSync read the site; the next round re-reads the site and creates it again.`,
    { key: failure.key ?? decodeURIComponent(key), retryable: true, status: 404, cause: generic },
  );
};
