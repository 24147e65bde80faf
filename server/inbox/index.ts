/**
 * The in-app inbox, assembled: the follower that derives notifications from the committed board
 * event log, the service and routes, and the `inbox:changed` frame to a person's own sockets with
 * their unread count. `buildApp` registers `routes`, starts it, and calls `close()` on close.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { InboxChangedFrame } from '../../protocol/inbox.ts';
import type { Db } from '../infra/database.ts';
import type { BoardEventBus } from '../sync/event-log.ts';
import { InboxFollower } from './follower.ts';
import * as repo from './repo.ts';
import { inboxRoutes } from './routes.ts';
import { InboxService } from './service.ts';

export interface InboxDeps {
  db: Db;
  bus: BoardEventBus;
  log: FastifyBaseLogger;
  /** sends a frame to one person's own sockets, on every instance */
  send(userId: string, frame: InboxChangedFrame): void;
}

export interface Inbox {
  follower: InboxFollower;
  service: InboxService;
  routes(app: FastifyInstance): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

export function createInbox({ db, bus, log, send }: InboxDeps): Inbox {
  const tell = (userIds: string[]) => {
    repo
      .unreadCounts(db, userIds)
      .then((counts) => {
        for (const [userId, unread] of counts) send(userId, { unread });
      })
      .catch((err) => log.warn({ err }, 'inbox bell'));
  };
  const follower = new InboxFollower({
    db,
    bus,
    onChanged: tell,
    log: (err, what) => log.warn({ err }, what),
  });
  const service = new InboxService(db, tell);
  return {
    follower,
    service,
    async routes(app) {
      await app.register(inboxRoutes, { inbox: service });
    },
    start: () => follower.start(),
    close: () => follower.stop(),
  };
}
