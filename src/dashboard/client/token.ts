/**
 * The session's token. Kept in sessionStorage only: it ends with the tab, is never written to
 * localStorage, and never appears in a URL (so not in history, logs or a Referer).
 */

const storageKey = 'envsync.token';

/** The token of this tab's session, if one was given. */
export function sessionToken(): string | undefined {
  const token = sessionStorage.getItem(storageKey);
  return token === null || token === '' ? undefined : token;
}

/** Keeps the token for this tab's session. */
export function keepToken(token: string): void {
  sessionStorage.setItem(storageKey, token);
}

/** Forgets the token (sign out, or the server refused it). */
export function forgetToken(): void {
  sessionStorage.removeItem(storageKey);
}
