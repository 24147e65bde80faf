/** Every role against every SLA route: what each may do, and that a refusal changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Card, Role } from '../protocol/model.ts';
import type { CardSla, SlaDocumentReply } from '../protocol/sla.ts';
import { DEFAULT_SLA } from '../server/domain/sla.ts';
import { type ApiClient, eventually, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('SLA access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'product_owner');
});
afterAll(() => server.close());

const docPath = () => `/api/boards/${boardId}/sla`;
const clockPath = (card: Card) => `/api/boards/${boardId}/cards/${card.id}/sla`;

/** A fresh incident whose clocks have started. */
async function incident(): Promise<Card> {
  const card = await server.admin.createCard(boardId, {
    title: 'Down',
    type: 'incident',
    stream: 'maintenance',
  });
  await eventually(async () => (await server.admin.get(clockPath(card))).status === 200);
  return card;
}
const clockOf = (card: Card) => server.admin.ok(server.admin.get<CardSla>(clockPath(card)));
const documentNow = () => server.admin.ok(server.admin.get<SlaDocumentReply>(docPath()));

describe('each role against each SLA route', () => {
  for (const role of ROLES) {
    const manage = role === 'admin' || role === 'product_owner';
    it(`${role} ${manage ? 'may' : 'may not'} replace the SLA document`, async () => {
      const before = await documentNow();
      const doc = structuredClone(DEFAULT_SLA);
      doc.tiers.low.resolutionMinutes = 1000 + before.revision;
      const res = await clients[role].put(docPath(), doc);
      if (manage) expect(res.status).toBe(200);
      else {
        expect(res.status).toBe(403);
        expect(await documentNow()).toEqual(before);
      }
    });

    const edit = role !== 'viewer';
    it(`${role} ${edit ? 'may' : 'may not'} mark an incident waiting or rate it`, async () => {
      const card = await incident();
      const before = await clockOf(card);
      const waiting = await clients[role].patch(clockPath(card), { waiting: 'customer' });
      const rated = await clients[role].patch(clockPath(card), { impact: 1, urgency: 1 });
      if (edit) {
        expect([waiting.status, rated.status]).toEqual([200, 200]);
      } else {
        expect([waiting.status, rated.status]).toEqual([403, 403]);
        const after = await clockOf(card);
        expect(after).toMatchObject({ waiting: null, impact: null, urgency: null, tier: before.tier });
      }
    });

    it(`${role} may read the document and the clocks`, async () => {
      const card = await incident();
      expect((await clients[role].get(docPath())).status).toBe(200);
      expect((await clients[role].get(`${docPath()}/clocks`)).status).toBe(200);
      expect((await clients[role].get(clockPath(card))).status).toBe(200);
    });
  }

  it('someone from another board finds nothing; an anonymous caller is asked to sign in', async () => {
    const card = await incident();
    const before = await clockOf(card);
    expect((await outsider.get(docPath())).status).toBe(404);
    expect((await outsider.get(`${docPath()}/clocks`)).status).toBe(404);
    expect((await outsider.get(clockPath(card))).status).toBe(404);
    expect((await outsider.put(docPath(), DEFAULT_SLA)).status).toBe(404);
    expect((await outsider.patch(clockPath(card), { waiting: 'customer' })).status).toBe(404);
    expect((await clockOf(card)).waiting).toBe(before.waiting);
    expect((await fetch(`${server.baseUrl}${docPath()}/clocks`)).status).toBe(401);
  });

  it("a card's clock is not reached through another board", async () => {
    const card = await incident();
    const otherBoard = (await server.admin.createBoard('Other')).id;
    const res = await server.admin.patch(`/api/boards/${otherBoard}/cards/${card.id}/sla`, {
      waiting: 'customer',
    });
    expect(res.status).toBe(404);
    expect((await server.admin.get(`/api/boards/${otherBoard}/cards/${card.id}/sla`)).status).toBe(404);
  });
});
