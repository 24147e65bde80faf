/**
 * buildApp(deps): the whole application on a given database, used by main.ts and by the tests.
 * Registers infrastructure (security headers, cookies, rate limits, OpenAPI, metrics, errors) and
 * then each feature's routes with the services it needs, and attaches socket.io to the HTTP server.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import { registerAuthentication } from './auth/http.ts';
import { authRoutes } from './auth/routes.ts';
import { AuthService } from './auth/service.ts';
import { boardRoutes } from './boards/routes.ts';
import { BoardService } from './boards/service.ts';
import { cardRoutes } from './cards/routes.ts';
import { CardService } from './cards/service.ts';
import { columnRoutes } from './columns/routes.ts';
import { ColumnService } from './columns/service.ts';
import type { Config } from './config.ts';
import { flagRoutes } from './flags/routes.ts';
import { FlagService } from './flags/service.ts';
import { createHypercare } from './hypercare/index.ts';
import type { HypercareService } from './hypercare/service.ts';
import { improvementRoutes } from './improvement/routes.ts';
import { ImprovementService } from './improvement/service.ts';
import { createInbox, type Inbox } from './inbox/index.ts';
import { type Db, migrationsCurrent } from './infra/database.ts';
import { loggedUrl, registerErrorHandling, registerInputGuard } from './infra/http.ts';
import { createMetrics, instrumentHttp, type Metrics } from './infra/metrics.ts';
import type { SecretBox } from './infra/secret-box.ts';
import { createNotifier } from './notify/index.ts';
import { EscalationEngine } from './oncall/escalation.ts';
import { LogPager, type Pager } from './oncall/pager.ts';
import { oncallRoutes } from './oncall/routes.ts';
import { OncallService } from './oncall/service.ts';
import { connectionStringOf, createPluginHost } from './plugin-host/index.ts';
import { portalFeed } from './portal/feed.ts';
import { portalRoutes } from './portal/routes.ts';
import { PortalService } from './portal/service.ts';
import { problemRoutes } from './problems/routes.ts';
import { ProblemService } from './problems/service.ts';
import { releaseOutcomeRoutes } from './releases/outcomes-routes.ts';
import { ReleaseOutcomeService } from './releases/outcomes-service.ts';
import { releaseRoutes } from './releases/routes.ts';
import { ReleaseService } from './releases/service.ts';
import { reportRoutes } from './reports/routes.ts';
import { ReportService } from './reports/service.ts';
import { serviceReportRoutes } from './service-reports/routes.ts';
import { ServiceReportService } from './service-reports/service.ts';
import { slaRoutes } from './sla/routes.ts';
import { SlaService } from './sla/service.ts';
import { sprintRoutes } from './sprints/routes.ts';
import { SprintService } from './sprints/service.ts';
import { BoardEventBus } from './sync/event-log.ts';
import { JOIN_LIMITS } from './sync/join-admission.ts';
import { attachRealtime, type RealtimeServer } from './sync/realtime.ts';
import { userRoom } from './sync/socket-credentials.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  pool: pg.Pool;
  /** the server key (secret-key.ts at start-up; a fixed one in tests) sealing secrets at rest */
  secrets: SecretBox;
  /** where on-call pages go out (default: the log) */
  pager?: Pager;
}

export interface App {
  http: FastifyInstance;
  io: RealtimeServer;
  bus: BoardEventBus;
  metrics: Metrics;
  services: {
    auth: AuthService;
    boards: BoardService;
    cards: CardService;
    sprints: SprintService;
    releases: ReleaseService;
    columns: ColumnService;
    flags: FlagService;
    hypercare: HypercareService;
    sla: SlaService;
    oncall: OncallService;
  };
  escalations: EscalationEngine;
  inbox: Inbox;
}

export async function buildApp({ config, db, pool, secrets, pager }: AppDeps): Promise<App> {
  const http = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      serializers: {
        // Fastify's request fields, with a calendar feed token in the URL redacted
        req: (req: FastifyRequest) => ({
          method: req.method,
          url: loggedUrl(req.url),
          host: req.host,
          remoteAddress: req.ip,
          remotePort: req.socket?.remotePort,
        }),
      },
    },
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  http.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  const bus = new BoardEventBus();
  const auth = new AuthService(db, config.SESSION_TTL_HOURS);
  const boards = new BoardService(db, bus);
  const metrics = createMetrics(pool);
  const releases = new ReleaseService(db, bus);
  const cards = new CardService(
    db,
    bus,
    (size) => metrics.moveGroups.observe(size),
    (reason) => metrics.movesShed.inc({ reason }),
    // a card created into a release, or raised from a card in one, joins it (releases/service.ts)
    (trx, record, actor, boardId, links) => releases.joinNewCard(trx, record, actor, boardId, links),
    config.MOVES_PER_SECOND_PER_PERSON,
  );
  const columns = new ColumnService(db, bus);
  const sprints = new SprintService(db, bus);
  const problems = new ProblemService(db, bus);
  const reports = new ReportService(db);
  const sla = new SlaService(db, bus, (err, what) => http.log.warn({ err }, what));
  const oncall = new OncallService(db, bus);
  const flags = await FlagService.start({
    db,
    pool,
    origin: bus.origin,
    log: (err) => http.log.warn({ err }, 'feature flags'),
  });

  await http.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  await http.register(cookie);
  await http.register(rateLimit, { global: false, hook: 'preHandler' });
  await http.register(swagger, {
    openapi: {
      info: {
        title: 'Blendboard API',
        version: '1',
        description:
          'One ranked backlog for Scrum and Kanban teams. Authenticate with the session cookie from POST /api/auth/login ' +
          '(writes then need the x-csrf-token header from the login reply) or with a personal token as Authorization: Bearer.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'bb_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await http.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  registerErrorHandling(http);
  registerAuthentication(http, auth);
  registerInputGuard(http);
  instrumentHttp(http, metrics);

  http.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive' } }, async () => ({
    status: 'ok',
  }));
  http.get(
    '/readyz',
    {
      schema: { tags: ['operations'], summary: 'Database reachable and migrations current (503 otherwise)' },
    },
    async (_req, reply) => {
      try {
        const current = await migrationsCurrent(db);
        if (!current) return reply.status(503).send({ status: 'unavailable', reason: 'migrations pending' });
        return { status: 'ready' };
      } catch (err) {
        return reply
          .status(503)
          .send({ status: 'unavailable', reason: `database unreachable: ${(err as Error).message}` });
      }
    },
  );
  http.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  await http.register(authRoutes, { auth, config });
  await http.register(boardRoutes, { boards });
  await http.register(cardRoutes, { cards });
  await http.register(columnRoutes, { columns });
  await http.register(sprintRoutes, { sprints });
  await http.register(releaseRoutes, { releases, flags, publicUrl: config.PUBLIC_URL });
  await http.register(problemRoutes, { problems, flags });
  await http.register(releaseOutcomeRoutes, { outcomes: new ReleaseOutcomeService(db), flags });
  await http.register(reportRoutes, { reports, flags });
  await http.register(flagRoutes, { flags });
  await http.register(slaRoutes, { sla, flags });
  await http.register(improvementRoutes, { improvement: new ImprovementService(db, bus), flags });
  await http.register(serviceReportRoutes, { serviceReports: new ServiceReportService(db, bus), flags });

  // ---- Hyper-care after go-live: routes and the window-end timer (pg-boss, the app's database)
  const hypercare = await createHypercare({
    db,
    bus,
    flags,
    connectionString:
      (pool as unknown as { options?: { connectionString?: string } }).options?.connectionString ??
      config.DATABASE_URL ??
      '',
    log: http.log,
  });
  await hypercare.routes(http);
  http.addHook('onClose', () => hypercare.close());
  await http.register(oncallRoutes, { oncall, flags });
  const portal = new PortalService(db, bus);
  await http.register(portalRoutes, { portal, flags });
  const escalations = new EscalationEngine({
    db,
    bus,
    pager: pager ?? new LogPager(http.log),
    log: http.log,
  });
  escalations.start();
  http.addHook('onClose', () => escalations.stop());

  // ---- Plugins: installations, inbound /hooks/:installationId, deliveries (pg-boss), board-event hooks
  const plugins = await createPluginHost({
    config,
    db,
    pool,
    bus,
    metrics,
    log: http.log,
    secrets,
    releases,
    flags,
  });
  await plugins.routes(http);
  http.addHook('onClose', () => plugins.close());

  // ---- Outgoing notifications: targets, the outbox written with release events, delivery (pg-boss)
  const notifier = await createNotifier({
    config,
    db,
    connectionString: connectionStringOf(config, pool),
    bus,
    secrets,
    log: http.log,
  });
  await notifier.routes(http);
  http.addHook('onClose', () => notifier.close());

  // ---- In-app inbox: derived from the committed event log; the bell follows on the person's own sockets
  let toOwnSockets: (userId: string, frame: { unread: number }) => void = () => {};
  const inbox = createInbox({ db, bus, log: http.log, send: (userId, frame) => toOwnSockets(userId, frame) });
  await inbox.routes(http);

  const webRoot = path.resolve(config.WEB_DIST);
  if (existsSync(path.join(webRoot, 'index.html'))) {
    await http.register(fastifyStatic, { root: webRoot, wildcard: false, index: ['index.html'] });
    // Client-side routes (/boards/…) get the app shell; /api and unknown files stay JSON 404s.
    http.get('/boards/*', (_req, reply) => reply.sendFile('index.html'));
    http.get('/admin/*', (_req, reply) => reply.sendFile('index.html'));
    http.get('/portal/*', (_req, reply) => reply.sendFile('index.html'));
  }

  const realtime = await attachRealtime(http.server, {
    db,
    auth,
    boards,
    cards,
    bus,
    clusterPool: config.REALTIME_CLUSTER ? pool : undefined,
    onConnectionCount: (n) => metrics.sockets.set(n),
    presenceHeartbeatMs: config.PRESENCE_HEARTBEAT_MS,
    // Half a second's worth at once: a handful of tabs opening together never waits.
    joinLimits: {
      ...JOIN_LIMITS,
      ratePerSecond: config.JOIN_RATE_PER_SECOND,
      burst: Math.ceil(config.JOIN_RATE_PER_SECOND / 2),
    },
  });
  http.addHook('onClose', () => realtime.close());
  // Every instance applies every flag change (its own, and the others' through NOTIFY) and tells its sockets.
  const stopFlagPush = flags.onChange((keys) => realtime.io.local.emit('flags:changed', { keys }));
  http.addHook('onClose', async () => {
    stopFlagPush();
    await flags.close();
  });

  // SLA clocks follow every committed card change, and a scheduler announces warnings and breaches.
  const stopSlaFollow = bus.subscribe((event) => sla.onEvent(event));
  sla.start();
  http.addHook('onClose', async () => {
    stopSlaFollow();
    await sla.stop();
  });

  // A requester's portal follows their requests live: a frame to their own sockets only.
  const followRequests = portalFeed(db, (requesterId, frame) =>
    realtime.io.to(userRoom(requesterId)).emit('portal:changed', frame),
  );
  const stopPortalFollow = bus.subscribe((event) => {
    followRequests(event).catch((err) => http.log.warn({ err }, 'request portal feed'));
  });
  http.addHook('onClose', async () => stopPortalFollow());

  toOwnSockets = (userId, frame) => realtime.io.to(userRoom(userId)).emit('inbox:changed', frame);
  inbox.start();
  http.addHook('onClose', () => inbox.close());

  return {
    http,
    io: realtime.io,
    bus,
    metrics,
    services: {
      auth,
      boards,
      cards,
      sprints,
      releases,
      columns,
      flags,
      hypercare: hypercare.service,
      sla,
      oncall,
    },
    escalations,
    inbox,
  };
}
