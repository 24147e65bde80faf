/** Every role against the service report and the SLA review routes: what each may do, and that a refusal changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../protocol/model.ts';
import type { SlaReview } from '../protocol/service-report.ts';
import { ApiClient, memberWithRole, startServer, type TestServer } from './harness.ts';

const ROLES = ['admin', 'product_owner', 'developer', 'maintenance', 'viewer'] as const;
const MAY_REVIEW = new Set<Role>(['admin', 'product_owner', 'maintenance']);
let server: TestServer;
let boardId: string;
const clients = {} as Record<Role, ApiClient>;
let outsider: ApiClient;

beforeAll(async () => {
  server = await startServer();
  boardId = (await server.admin.createBoard('Service access')).id;
  for (const role of ROLES) clients[role] = await memberWithRole(server, boardId, role);
  outsider = await memberWithRole(server, (await server.admin.createBoard('Elsewhere')).id, 'admin');
});
afterAll(() => server.close());

const reviews = () => `/api/boards/${boardId}/sla-reviews`;
const body = (quarter: string) => ({
  quarter,
  heldOn: '2026-10-01',
  attendees: ['Ana'],
  minutes: 'ok',
  actions: [],
});
const listed = async () =>
  (await server.admin.ok(server.admin.get<{ reviews: SlaReview[] }>(reviews()))).reviews;

describe('each role against the service report and SLA reviews', () => {
  ROLES.forEach((role, i) => {
    const quarter = `2020-Q${(i % 4) + 1}`;
    it(`${role} may read the report and its CSV`, async () => {
      expect((await clients[role].get(`/api/boards/${boardId}/service-report`)).status).toBe(200);
      expect(
        (await clients[role].get(`/api/boards/${boardId}/service-report.csv?period=quarter`)).status,
      ).toBe(200);
      expect((await clients[role].get(reviews())).status).toBe(200);
    });

    const may = MAY_REVIEW.has(role);
    it(`${role} ${may ? 'may' : 'may not'} record, edit and delete an SLA review`, async () => {
      // arranged by the admin so each role meets an existing review
      const own = await server.admin.ok(
        server.admin.post<SlaReview>(reviews(), { ...body(`${2030 + i}-Q1`), heldOn: `${2030 + i}-01-05` }),
      );
      const before = await listed();
      const created = await clients[role].post<SlaReview>(reviews(), {
        ...body(quarter),
        heldOn: `2020-12-01`,
      });
      const edited = await clients[role].put(`${reviews()}/${own.id}`, {
        ...body(own.quarter),
        heldOn: own.heldOn,
        minutes: `by ${role}`,
        revision: own.revision,
      });
      const deleted = await clients[role].delete(`${reviews()}/${own.id}`);
      if (may) {
        expect([created.status, edited.status, deleted.status]).toEqual([201, 200, 204]);
        await server.admin.ok(server.admin.delete(`${reviews()}/${created.body.id}`));
      } else {
        expect([created.status, edited.status, deleted.status]).toEqual([403, 403, 403]);
        expect(await listed()).toEqual(before);
        await server.admin.ok(server.admin.delete(`${reviews()}/${own.id}`));
      }
    });
  });

  it('someone from another board finds nothing; an anonymous caller is asked to sign in', async () => {
    const own = await server.admin.ok(server.admin.post<SlaReview>(reviews(), body('2026-Q4')));
    const before = await listed();
    const anonymous = new ApiClient(server.baseUrl);
    for (const client of [outsider, anonymous]) {
      const expected = client === outsider ? 404 : 401;
      expect((await client.get(`/api/boards/${boardId}/service-report`)).status).toBe(expected);
      expect((await client.get(`/api/boards/${boardId}/service-report.csv`)).status).toBe(expected);
      expect((await client.get(reviews())).status).toBe(expected);
      expect((await client.post(reviews(), body('2026-Q3'))).status).toBeGreaterThanOrEqual(401);
      expect(
        (await client.put(`${reviews()}/${own.id}`, { ...body('2026-Q4'), revision: 1 })).status,
      ).toBeGreaterThanOrEqual(401);
      expect((await client.delete(`${reviews()}/${own.id}`)).status).toBeGreaterThanOrEqual(401);
    }
    expect(await listed()).toEqual(before);
  });
});
