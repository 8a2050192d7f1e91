import { ApiError, whenUnauthorized } from './api.ts';
import { h, on, replace } from './dom.ts';
import { loadSession, type Session } from './session.ts';
import { forgetToken, sessionToken } from './token.ts';
import { heading, notice } from './views/common.ts';
import { eventsView } from './views/events.ts';
import { historyView } from './views/history.ts';
import { planView } from './views/plan.ts';
import { tokenPrompt } from './views/prompt.ts';
import { runView } from './views/report.ts';
import { targetView } from './views/target.ts';
import { targetsView } from './views/targets.ts';

/**
 * The dashboard's entry point: asks for a token, loads the session, and shows the view the URL's
 * hash names (`#/`, `#/target/<provider>/<id>`, `#/run/<runId>`, `#/plan`, `#/events?type=&target=`,
 * `#/history/<key>?target=&limit=`). The hash never holds a token or a value; it only says which
 * view is open, so the back button and links work.
 */

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let session: Session | undefined;
/** Counts navigations, so a slow view that finishes after a newer one never replaces it. */
let navigation = 0;

whenUnauthorized((message) => signIn(message));

function signIn(problem?: string): void {
  session = undefined;
  replace(nav);
  replace(main, tokenPrompt(problem, () => void start()));
}

async function start(): Promise<void> {
  if (sessionToken() === undefined) return signIn();
  replace(main, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  try {
    session = await loadSession();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return; // the prompt is already shown
    replace(main, heading('EnvSync'), notice('error', error instanceof ApiError ? `${error.code}: ${error.message}` : 'EnvSync could not be reached.'));
    return;
  }
  renderNav(session);
  await route();
}

function renderNav(current: Session): void {
  const signOut = on(h('button', { type: 'button', class: 'secondary' }, 'Sign out'), 'click', () => {
    forgetToken();
    signIn();
  });
  replace(
    nav,
    h('a', { href: '#/' }, 'Targets'),
    h('a', { href: '#/plan' }, 'Plan'),
    h('a', { href: '#/events' }, 'Events'),
    h('a', { href: '#/history' }, 'History'),
    h('span', { class: `badge role-${current.role}`, title: current.role === 'write' ? 'API token: may apply' : 'read token: looks only' }, `${current.role} session`),
    signOut,
  );
}

async function route(mine = ++navigation): Promise<void> {
  if (session === undefined) return;
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').map(decodeURIComponent);
  let view: Node;
  try {
    view = await viewFor(session, parts, new URLSearchParams(search));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    view = notice('error', error instanceof ApiError ? `${error.code}: ${error.message}` : 'EnvSync could not be reached.');
  }
  if (mine !== navigation) return;
  replace(main, view);
  document.getElementById('view-heading')?.focus();
}

function viewFor(current: Session, parts: readonly string[], params: URLSearchParams): Node | Promise<Node> {
  const [name, first, second] = parts;
  if (name === 'target' && first !== undefined && second !== undefined) return targetView(current, first, second);
  if (name === 'run' && first !== undefined) return runView(current, first, showRun);
  if (name === 'plan') return planView(current, showRun);
  if (name === 'events') return eventsView(current, params);
  if (name === 'history') return historyView(current, first === undefined || first === '' ? undefined : first, params);
  return targetsView(current, refreshAndRoute);
}

/** After a write: reload the session and show the run that wrote. */
async function showRun(runId: string): Promise<void> {
  const hash = `#/run/${encodeURIComponent(runId)}`;
  if (location.hash !== hash) location.hash = hash; // hashchange reloads and shows it
  else await refreshAndRoute();
}

// Every navigation reloads the session (three calls), so a view never shows stale state as current.
window.addEventListener('hashchange', () => void refreshAndRoute());

async function refreshAndRoute(): Promise<void> {
  if (session === undefined) return;
  const mine = ++navigation;
  try {
    const fresh = await loadSession();
    if (mine !== navigation) return;
    session = fresh;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
  }
  renderNav(session);
  await route(mine);
}
void start();
