/**
 * One notice, three wire formats: `json` (our envelope, protocol/notifications.ts), `slack` (an
 * incoming-webhook message: `text` for notifications and clients without blocks, such as Mattermost
 * and Rocket.Chat, plus Block Kit `blocks`), and `pagerduty` (Events API v2). Pure.
 */
import type { Notice, NotificationEnvelope, NotificationFormat } from '../../protocol/notifications.ts';
import { stateWords } from './release-notice.ts';

export interface Addressed {
  deliveryId: string;
  notice: Notice;
  /** PagerDuty's routing key (the pagerduty format only) */
  routingKey?: string | null;
}

export function renderBody(format: NotificationFormat, a: Addressed): string {
  switch (format) {
    case 'json':
      return JSON.stringify(envelope(a));
    case 'slack':
      return JSON.stringify(slackMessage(a.notice));
    case 'pagerduty':
      return JSON.stringify(pagerDutyEvent(a.notice, a.routingKey ?? ''));
  }
}

export function envelope({ deliveryId, notice }: Addressed): NotificationEnvelope {
  return { id: deliveryId, ...notice };
}

/** Slack's mrkdwn reserves &, < and >: escape them in anything a user typed. */
const mrkdwn = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

export function slackMessage(n: Notice): SlackMessage {
  const r = n.release;
  const lines = [n.summary];
  if (r) {
    if (r.targetDate) lines.push(`Target date: ${r.targetDate}`);
    lines.push(`Stream: ${r.stream}`, `Change: ${r.change}`);
    if (r.userActions) lines.push(`What users must do: ${r.userActions}`);
  }
  if (n.link) lines.push(n.link);
  lines.push(`Board: ${n.board.name}`);

  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(n.summary)}*` } },
  ];
  if (r) {
    blocks.push({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Version*\n${mrkdwn(r.version)}` },
        {
          type: 'mrkdwn',
          text: `*State*\n${stateWords(r.state)}${r.previousState ? ` (was ${stateWords(r.previousState)})` : ''}`,
        },
        { type: 'mrkdwn', text: `*Stream*\n${r.stream}` },
        { type: 'mrkdwn', text: `*Target date*\n${r.targetDate ?? 'not set'}` },
      ],
    });
    if (r.userActions)
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `*What users must do*\n${mrkdwn(r.userActions)}` },
      });
  }
  if (n.link)
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: r ? 'Open release' : 'Open' }, url: n.link },
      ],
    });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: mrkdwn(`${n.board.name} · ${r ? r.change : n.kind}${n.actor ? ` · by ${n.actor}` : ''}`),
      },
    ],
  });
  return { text: lines.join('\n'), blocks };
}

/** Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/). */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp: string;
    component?: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  links?: { href: string; text: string }[];
}

/** PagerDuty cuts a summary at 1024 characters; cut it ourselves so the end is visible as such. */
const SUMMARY_MAX = 1024;

export function pagerDutyEvent(n: Notice, routingKey: string): PagerDutyEvent {
  const base = { routing_key: routingKey, event_action: n.action, dedup_key: n.dedupKey };
  // acknowledge and resolve name only the alert; a payload is for trigger.
  if (n.action !== 'trigger') return base;
  const summary = n.summary.length > SUMMARY_MAX ? `${n.summary.slice(0, SUMMARY_MAX - 1)}…` : n.summary;
  return {
    ...base,
    payload: {
      summary,
      source: `blendboard:${n.board.name}`,
      severity: n.severity,
      timestamp: n.occurredAt,
      ...(n.release ? { component: n.release.version } : {}),
      group: n.board.name,
      class: n.kind,
      custom_details: { ...(n.release ?? {}), board: n.board, actor: n.actor },
    },
    ...(n.link
      ? { links: [{ href: n.link, text: n.release ? `Release ${n.release.version}` : 'Open' }] }
      : {}),
  };
}
