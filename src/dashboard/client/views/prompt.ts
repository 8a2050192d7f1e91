import { h, on } from '../dom.ts';
import { keepToken } from '../token.ts';
import { notice } from './common.ts';

/**
 * Asks for a token once per tab: the read token (ENVSYNC_READ_TOKEN) to look, or the API token
 * (ENVSYNC_API_TOKEN) to also apply and roll back. A password field, so it is not shown or
 * remembered by autocomplete; the form never submits to a URL.
 */
export function tokenPrompt(problem: string | undefined, signedIn: () => void): Node {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-help' });
  const form = h(
    'form',
    { class: 'token-form', 'aria-labelledby': 'view-heading' },
    h('h2', { id: 'view-heading', tabindex: -1 }, 'Sign in'),
    problem === undefined ? null : notice('error', problem),
    h('label', { for: 'token' }, 'Token'),
    input,
    h(
      'p',
      { id: 'token-help', class: 'muted' },
      'ENVSYNC_READ_TOKEN to look, or ENVSYNC_API_TOKEN to also apply. It is kept in this tab only (sessionStorage) and sent as a bearer header, never in a URL.',
    ),
    h('button', { type: 'submit' }, 'Open the dashboard'),
  );
  on(form, 'submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token === '') return;
    input.value = '';
    keepToken(token);
    signedIn();
  });
  queueMicrotask(() => input.focus());
  return form;
}
