/**
 * Test kit for the plugin host: install a plugin on a board over the API, post fixtures to its
 * inbound URL signed the way each tool signs, and wait for deliveries. Used by the plugin-host
 * tests and the webhook benchmark; no test framework imports here.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Card, Sprint } from '../../protocol/model.ts';
import type {
  DeliveryDetail,
  DeliveryPage,
  InstallationWithSecret,
  PluginCardSource,
} from '../../protocol/plugin.ts';
import type { ApiClient } from '../../test/harness.ts';

const pluginsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins');

/** A fixture's raw text, exactly as committed: signatures are computed over these bytes. */
export function fixtureText(plugin: string, name: string): string {
  return readFileSync(path.join(pluginsDir, plugin, 'fixtures', `${name}.json`), 'utf8');
}
export function fixture<T = Record<string, unknown>>(plugin: string, name: string): T {
  return JSON.parse(fixtureText(plugin, name)) as T;
}

export const hmacHex = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('hex');

export async function install(
  client: ApiClient,
  boardId: string,
  pluginId: string,
  config: Record<string, unknown> = {},
): Promise<InstallationWithSecret> {
  return client.ok(
    client.post<InstallationWithSecret>(`/api/boards/${boardId}/plugins`, { pluginId, config }),
  );
}

export interface HookReply {
  status: number;
  body: { deliveryId?: string; status?: string; error?: string; message?: string; field?: string };
}

/** POST raw text to an inbound URL (path or absolute), as the tool would. */
export async function postHook(
  baseUrl: string,
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<HookReply> {
  const target = url.startsWith('http') ? new URL(url) : new URL(url, baseUrl);
  const res = await fetch(new URL(target.pathname + target.search, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** Headers each tool sends with a delivery, signed with the installation's secret. */
export const sign = {
  github: (secret: string, body: string, event = 'workflow_run', delivery: string = crypto.randomUUID()) => ({
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': `sha256=${hmacHex(secret, body)}`,
    'user-agent': 'GitHub-Hookshot/5f3b2a1',
  }),
  gitlab: (secret: string, uuid: string = crypto.randomUUID()) => ({
    'x-gitlab-event': 'Pipeline Hook',
    'x-gitlab-token': secret,
    'x-gitlab-event-uuid': uuid,
    'idempotency-key': uuid,
    'user-agent': 'GitLab/17.6.0',
  }),
  bearer: (secret: string) => ({ authorization: `Bearer ${secret}` }),
  pagerduty: (secret: string, body: string) => ({
    'x-pagerduty-signature': `v1=${hmacHex(secret, body)}`,
    'user-agent': 'PagerDuty-Webhook/V3.0',
  }),
  blendboard: (secret: string, body: string) => ({
    'x-blendboard-signature': `sha256=${hmacHex(secret, body)}`,
  }),
};

export async function deliveries(client: ApiClient, boardId: string, installationId: string, query = '') {
  return client.ok(
    client.get<DeliveryPage>(`/api/boards/${boardId}/plugins/${installationId}/deliveries${query}`),
  );
}

export async function delivery(
  client: ApiClient,
  boardId: string,
  installationId: string,
  deliveryId: string,
) {
  return client.ok(
    client.get<DeliveryDetail>(`/api/boards/${boardId}/plugins/${installationId}/deliveries/${deliveryId}`),
  );
}

/** Cards a plugin raised on the board, by the plugin's source. */
export async function pluginCards(client: ApiClient, boardId: string, plugin?: string): Promise<Card[]> {
  const cards = await client.cards(boardId);
  return cards.filter((c) => c.source && (plugin === undefined || c.source.plugin === plugin));
}

/** The plugin side of a card's source. */
export const sourceOf = (card: Card): PluginCardSource => card.source as unknown as PluginCardSource;

/**
 * Puts a card into the board's active sprint, as a product owner would: into the active sprint, or
 * into a new one that is then started. A development ticket is resolved onto the sprint board only
 * when it is in the active sprint.
 */
export async function intoActiveSprint(client: ApiClient, boardId: string, cardId: string): Promise<Sprint> {
  const sprints = await client.ok(client.get<Sprint[]>(`/api/boards/${boardId}/sprints`));
  const active = sprints.find((s) => s.state === 'active');
  const sprint =
    active ?? (await client.ok(client.post<Sprint>(`/api/boards/${boardId}/sprints`, { name: 'Sprint 1' })));
  await client.ok(client.post(`/api/boards/${boardId}/cards/${cardId}/move`, { sprintId: sprint.id }));
  if (active) return active;
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const started = await client.ok(
    client.post<{ sprint: Sprint }>(`/api/boards/${boardId}/sprints/${sprint.id}/start`, {
      goal: 'Fix what CI finds',
      startDate: day(0),
      endDate: day(13),
    }),
  );
  return started.sprint;
}
