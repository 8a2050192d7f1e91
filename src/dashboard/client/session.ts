import type { SyncReport } from '../../core/report.ts';
import type { HealthBody } from '../../service/api/schemas.ts';
import type { Ticket } from '../../storage/types.ts';
import { callApi } from './api.ts';

/**
 * What one load of the page knows: health details, the recent reports and the open tickets, and
 * the caller's role. Reloaded after every action, so the page never shows a stale state as current.
 */

/** `write` sessions (ENVSYNC_API_TOKEN) see write controls; `read` sessions never do. */
export type Role = 'read' | 'write';

export interface Session {
  readonly role: Role;
  readonly health: HealthBody;
  /** Newest first, up to 100 (the most envsync-runs returns at once). */
  readonly reports: readonly SyncReport[];
  readonly openTickets: readonly Ticket[];
}

/**
 * Loads a session: three calls in parallel. The role comes from health details when they name it;
 * a server that does not name roles has only ENVSYNC_API_TOKEN, so an accepted token is `write`.
 */
export async function loadSession(): Promise<Session> {
  const [health, runs, tickets] = await Promise.all([
    callApi<HealthBody & { role?: Role }>('GET', 'envsync-health'),
    callApi<{ runs: SyncReport[] }>('GET', 'envsync-runs?limit=100'),
    callApi<{ tickets: Ticket[] }>('GET', 'envsync-tickets?status=open'),
  ]);
  const role: Role = health.body.role === 'read' ? 'read' : 'write';
  return { role, health: health.body, reports: runs.body.runs, openTickets: tickets.body.tickets };
}
