import type { SyncReport } from '../core/report.ts';
import { clears, draftsOf, type TicketDraft } from '../storage/ticket-rules.ts';
import type { SlackAlertState } from '../storage/types.ts';
import type { TicketKind } from '../storage/types.ts';

/**
 * Drift alerts a person reads, in Slack's incoming-webhook format: a short `text` (the
 * notification line) plus `blocks` with the target, counts, up to {@link maxSlackKeys} key names
 * and a link to the target's runs.
 *
 * One message per target and ticket: the ticket ids of the run history (same target, kind and
 * key set → same id) decide, against the ids already announced for the target
 * ({@link SlackAlertState}). A ticket that stays open is not announced again each hour; a different
 * key set is another ticket and is announced; when the announced ticket closes, one "resolved"
 * message follows.
 */

/** Most key names a message lists. */
export const maxSlackKeys = 20;

/** A Slack incoming-webhook payload (the subset of Block Kit EnvSync uses). */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

type Text = { readonly type: 'plain_text' | 'mrkdwn'; readonly text: string };
export type SlackBlock =
  | { readonly type: 'header'; readonly text: Text & { readonly type: 'plain_text' } }
  | { readonly type: 'section'; readonly text?: Text; readonly fields?: readonly Text[] }
  | { readonly type: 'context'; readonly elements: readonly Text[] };

/** A message to post, and which ticket of which kind it announces or closes. */
export interface SlackAlert {
  readonly kind: TicketKind;
  readonly ticketId: string;
  readonly resolved: boolean;
  readonly message: SlackMessage;
}

/** What one report should post, and the target's announced tickets once those posts succeed. */
export function slackAlertsFor(report: SyncReport, state: SlackAlertState, link: string | undefined, scope: 'full' | 'keys'): SlackAlert[] {
  const drafts = draftsOf(report);
  const alerts: SlackAlert[] = [];
  for (const kind of ['drift', 'failure'] as const) {
    // A run over a few keys (SECRET_ROTATED) says nothing about the other keys: it may announce a
    // failure, but never drift or a resolution.
    if (scope === 'keys' && kind === 'drift') continue;
    const draft = drafts[kind];
    const announced = state[kind];
    if (draft !== undefined) {
      if (announced !== draft.id) alerts.push({ kind, ticketId: draft.id, resolved: false, message: alertMessage(report, draft, link) });
    } else if (announced !== undefined && scope === 'full' && clears(kind, report)) {
      alerts.push({ kind, ticketId: announced, resolved: true, message: resolvedMessage(report, kind, link) });
    }
  }
  return alerts;
}

/** The state after the alerts that were delivered. */
export function nextSlackState(state: SlackAlertState, delivered: readonly SlackAlert[]): SlackAlertState {
  const next: { drift?: string; failure?: string } = { ...state };
  for (const alert of delivered) {
    if (alert.resolved) delete next[alert.kind];
    else next[alert.kind] = alert.ticketId;
  }
  return next;
}

function alertMessage(report: SyncReport, draft: TicketDraft, link: string | undefined): SlackMessage {
  const where = `${report.provider} ${report.target}`;
  const title = draft.kind === 'drift' ? `EnvSync: drift on ${where}` : `EnvSync: sync failed on ${where}`;
  const text =
    draft.kind === 'drift'
      ? report.pending.length === 0
        ? `${title}: ${draft.keys.length} key(s) held by a rollback or waiting for the next run`
        : `${title}: ${report.pending.length} change(s) pending (${report.mode === 'dry-run' ? 'dry-run mode' : report.refusal !== undefined ? 'refused' : 'not applied'})`
      : `${title}: ${draft.codes.join(', ')}`;
  const shown = draft.keys.slice(0, maxSlackKeys).map((key) => `\`${escape(key)}\``);
  const more = draft.keys.length > maxSlackKeys ? ` and ${draft.keys.length - maxSlackKeys} more` : '';
  return {
    text: clip(text, 300),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Target*\n${escape(where)}` },
          { type: 'mrkdwn', text: `*Mode*\n${report.mode}` },
          { type: 'mrkdwn', text: `*Counts*\n${countsLine(report)}` },
          { type: 'mrkdwn', text: draft.kind === 'drift' ? `*Pending*\n${report.pending.length}` : `*Errors*\n${escape(draft.codes.join(', '))}` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: clip(`*Keys*\n${shown.length > 0 ? shown.join(', ') : '(none named)'}${more}`, 3000) } },
      footer(report, link),
    ],
  };
}

function resolvedMessage(report: SyncReport, kind: TicketKind, link: string | undefined): SlackMessage {
  const where = `${report.provider} ${report.target}`;
  const title = `EnvSync: ${kind === 'drift' ? 'drift' : 'failure'} resolved on ${where}`;
  return {
    text: clip(`${title}: the target is ${kind === 'drift' ? 'in sync' : 'syncing without errors'} again`, 300),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: `*Target*\n${escape(where)}` }, { type: 'mrkdwn', text: `*Counts*\n${countsLine(report)}` }] },
      footer(report, link),
    ],
  };
}

function footer(report: SyncReport, link: string | undefined): SlackBlock {
  const run = `Run ${escape(report.runId)}`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text: link === undefined ? run : `<${link}|${run}>` }] };
}

function countsLine(report: SyncReport): string {
  const { create, update, delete: deleted, noop } = report.summary;
  return `${create} create, ${update} update, ${deleted} delete, ${noop} in sync`;
}

/** Slack's three control characters in mrkdwn. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
