/** Typed table interfaces for Kysely: one per table, matching migrations/. */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Numeric = ColumnType<string | null, number | string | null | undefined, number | string | null>;
/** bigint is parsed to a number (database.ts); sequences stay far below 2^53. */
type BigIntCol = ColumnType<number, number | undefined, number>;

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  is_admin: Generated<boolean>;
  created_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface BoardsTable {
  id: Generated<string>;
  name: string;
  key: string;
  seq: BigIntCol;
  card_counter: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
}

export interface BoardMembersTable {
  board_id: string;
  user_id: string;
  role: string;
  created_at: Timestamp;
}

export interface BoardColumnsTable {
  id: Generated<string>;
  board_id: string;
  stream: string;
  name: string;
  position: number;
  category: string;
  wip_limit: number | null;
  wip_policy: Generated<string>;
  expedite_exempt: Generated<boolean>;
  entry_policy: Generated<string>;
  exit_policy: Generated<string>;
  /** edits of the column's settings (migrations/2026-11-22T0004); a reorder leaves it alone */
  version: Generated<number>;
}

export interface SprintsTable {
  id: Generated<string>;
  board_id: string;
  name: string;
  goal: Generated<string>;
  state: string;
  capacity: Numeric;
  start_date: ColumnType<string | null, string | null | undefined, string | null>;
  end_date: ColumnType<string | null, string | null | undefined, string | null>;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  committed_points: Numeric;
  completed_points: Numeric;
  carry_over: string | null;
  created_at: Timestamp;
}

export interface CardsTable {
  id: Generated<string>;
  board_id: string;
  number: number;
  key: string;
  title: string;
  description: Generated<string>;
  type: string;
  stream: Generated<string>;
  rank: string;
  column_id: string | null;
  sprint_id: string | null;
  estimate: Numeric;
  class_of_service: Generated<string>;
  priority: Generated<string>;
  assignee_id: string | null;
  labels: Generated<string[]>;
  blocked: Generated<boolean>;
  blocked_reason: Generated<string>;
  due_date: ColumnType<string | null, string | null | undefined, string | null>;
  source: ColumnType<unknown, string | null | undefined, string | null>;
  version: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: NullableTimestamp;
  done_at: NullableTimestamp;
}

export interface CardCommentsTable {
  id: Generated<string>;
  card_id: string;
  author_id: string | null;
  author_label: string;
  body: string;
  /** a note for the team: never shown to a requester (issue 20) */
  internal: Generated<boolean>;
  created_at: Timestamp;
}

export interface BoardEventsTable {
  board_id: string;
  seq: BigIntCol;
  type: string;
  card_id: string | null;
  actor_id: string | null;
  actor_label: string;
  payload: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  boards: BoardsTable;
  board_members: BoardMembersTable;
  board_columns: BoardColumnsTable;
  sprints: SprintsTable;
  cards: CardsTable;
  card_comments: CardCommentsTable;
  board_events: BoardEventsTable;
}

export type CardRow = Selectable<CardsTable>;
export type NewCard = Insertable<CardsTable>;
export type CardUpdate = Updateable<CardsTable>;
export type ColumnRow = Selectable<BoardColumnsTable>;
export type NewColumn = Insertable<BoardColumnsTable>;
export type ColumnUpdate = Updateable<BoardColumnsTable>;
export type SprintRow = Selectable<SprintsTable>;

// ---- Plugins (migrations/2026-11-22T0003-plugins.ts) --------------------------------------------
// Merged into `Database` by interface declaration merging, so this section stays self-contained.

type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null | undefined, string | null>;
type DefaultedJson = ColumnType<unknown, string | undefined, string>;

export interface PluginInstallationsTable {
  id: Generated<string>;
  board_id: string;
  plugin_id: string;
  name: string;
  config: Json;
  /** sealed (infra/secret-box.ts, `v1:…`); plain only in rows from before sealing, until the next start */
  secret: string;
  /** the secret before a rotation, copied as stored (sealed), valid until previous_secret_expires_at */
  previous_secret: string | null;
  previous_secret_expires_at: NullableTimestamp;
  enabled: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  secret_rotated_at: Timestamp;
}

export interface PluginDeliveriesTable {
  id: Generated<string>;
  installation_id: string;
  webhook: string;
  delivery_key: string | null;
  received_at: Timestamp;
  verification: string;
  status: string;
  outcome: string | null;
  http_status: number;
  error: string | null;
  summary: string | null;
  content_type: string | null;
  headers: Json;
  body: Buffer | null;
  body_bytes: Generated<number>;
  attempts: Generated<number>;
  retrying: Generated<boolean>;
  duplicates: Generated<number>;
  results: NullableJson;
  card_ids: Generated<string[]>;
  processed_at: NullableTimestamp;
}

export interface PluginTicketsTable {
  id: Generated<string>;
  board_id: string;
  plugin_id: string;
  dedup_key: string;
  card_id: string;
  installation_id: string | null;
  kind: string;
  status: string;
  occurrences: Generated<number>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  last_url: string | null;
  fingerprint: string | null;
  service: string | null;
  known_error: NullableJson;
}

export interface PluginOccurrencesTable {
  id: ColumnType<number, never, never>;
  ticket_id: string;
  board_id: string;
  card_id: string;
  occurrence_key: string;
  kind: string;
  fingerprint: string | null;
  service: string | null;
  delivery_id: string | null;
  url: string | null;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
}

export interface PluginTicketLinksTable {
  board_id: string;
  card_id: string;
  linked_card_id: string;
  kind: string;
  created_by_label: string;
  created_at: Timestamp;
}

export interface Database {
  plugin_installations: PluginInstallationsTable;
  plugin_deliveries: PluginDeliveriesTable;
  plugin_tickets: PluginTicketsTable;
  plugin_occurrences: PluginOccurrencesTable;
  plugin_ticket_links: PluginTicketLinksTable;
}

export type InstallationRow = Selectable<PluginInstallationsTable>;
export type DeliveryRow = Selectable<PluginDeliveriesTable>;
export type PluginTicketRow = Selectable<PluginTicketsTable>;

// ---- Releases (migrations/2026-12-04T0080-releases.ts) -------------------------------------------

export interface BoardReleaseSettingsTable {
  board_id: string;
  environments: Json;
  approvers: Json;
  readiness: Json;
  /** environment name → the automated checks it runs (migrations/2026-12-04T0110-release-settings-feed.ts) */
  checks: DefaultedJson;
  firebreak: NullableJson;
  updated_at: Generated<Date>;
}

export interface ReleasesTable {
  id: Generated<string>;
  board_id: string;
  version: string;
  target_date: ColumnType<string | null, string | null | undefined, string | null>;
  /** migrations/2026-12-04T0100-release-refs.ts: the git tag and commit CI knows the release by */
  tag: ColumnType<string | null, string | null | undefined, string | null>;
  commit_sha: ColumnType<string | null, string | null | undefined, string | null>;
  stream: string;
  notes: Generated<string>;
  state: Generated<string>;
  environments: Json;
  reached: Generated<number>;
  stop: NullableJson;
  firebreak: NullableJson;
  shadow_url: string | null;
  readiness: Json;
  approvers: Json;
  live_at: NullableTimestamp;
  created_by: string | null;
  created_at: Generated<Date>;
  revision: Generated<number>;
  checks: DefaultedJson;
  user_actions: Generated<string>;
  change_window: Generated<string>;
  cancel_reason: string | null;
  updated_at: Generated<Date>;
}

export interface ReleaseCardsTable {
  release_id: string;
  card_id: string;
  added_at: Generated<Date>;
}

export interface ReleaseRunsTable {
  id: Generated<string>;
  release_id: string;
  environment: string;
  run_id: string;
  kind: string;
  outcome: string;
  url: string | null;
  reported_by: string | null;
  reported_at: Generated<Date>;
  check_name: ColumnType<string | null, string | null | undefined, string | null>;
  position: ColumnType<string, never, never>;
}

export interface ReleaseFeedTokensTable {
  board_id: string;
  token_hash: string;
  prefix: string;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface ReleaseDefectsTable {
  release_id: string;
  environment: string;
  card_id: string;
  created_at: Generated<Date>;
}

export interface ReleaseVerdictsTable {
  id: Generated<string>;
  release_id: string;
  user_id: string;
  role: string;
  verdict: string;
  reason: string;
  created_at: Generated<Date>;
}

export interface Database {
  board_release_settings: BoardReleaseSettingsTable;
  releases: ReleasesTable;
  release_cards: ReleaseCardsTable;
  release_runs: ReleaseRunsTable;
  release_defects: ReleaseDefectsTable;
  release_verdicts: ReleaseVerdictsTable;
  release_feed_tokens: ReleaseFeedTokensTable;
}

export type ReleaseRow = Selectable<ReleasesTable>;

// ---- Notifications (migrations/2026-12-04T0120-notifications.ts) ---------------------------------

export interface NotificationTargetsTable {
  id: Generated<string>;
  board_id: string;
  name: string;
  url: string;
  format: string;
  events: string[];
  enabled: Generated<boolean>;
  /** sealed (infra/secret-box.ts) */
  secret: string;
  /** sealed; PagerDuty's routing key */
  routing_key: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NotificationDeliveriesTable {
  id: Generated<string>;
  target_id: string;
  board_id: string;
  event_seq: ColumnType<string | null, number | null | undefined, number | null>;
  kind: string;
  notice: Json;
  status: Generated<string>;
  attempts: Generated<number>;
  response_code: number | null;
  last_error: string | null;
  claimed_until: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  delivered_at: NullableTimestamp;
}

export interface Database {
  notification_targets: NotificationTargetsTable;
  notification_deliveries: NotificationDeliveriesTable;
}

export type NotificationTargetRow = Selectable<NotificationTargetsTable>;
export type NotificationDeliveryRow = Selectable<NotificationDeliveriesTable>;

// ---- Hyper-care and handover (migrations/2026-12-04T0130-hypercare.ts) ------------------------------

export interface BoardHypercareSettingsTable {
  board_id: string;
  window_days: number;
  extension_days: number;
  handover_point: string;
  checklist: Json;
}

export interface ReleaseHypercarePlansTable {
  release_id: string;
  window_days: number | null;
  handover_point: string | null;
  services: ColumnType<unknown, string | undefined, string>;
}

export interface ReleaseHypercareTable {
  release_id: string;
  board_id: string;
  state: string;
  started_at: Timestamp;
  ends_at: Timestamp;
  exited_at: NullableTimestamp;
  extension_days: number;
  owner_stream: string;
  handover_point: string;
  handover: string;
  checklist: Json;
  revision: Generated<number>;
}

export interface HypercareDecisionsTable {
  id: Generated<number>;
  release_id: string;
  kind: string;
  by_user_id: string | null;
  by_label: string;
  reason: string;
  ends_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface Database {
  board_hypercare_settings: BoardHypercareSettingsTable;
  release_hypercare_plans: ReleaseHypercarePlansTable;
  release_hypercare: ReleaseHypercareTable;
  hypercare_decisions: HypercareDecisionsTable;
}

export type HypercareRow = Selectable<ReleaseHypercareTable>;

// ---- SLA clocks (migrations/2026-12-04T0150-sla-clocks.ts) ---------------------------------------

export interface BoardSlaTable {
  board_id: string;
  document: Json;
  revision: Generated<number>;
}

export interface SlaClocksTable {
  card_id: string;
  board_id: string;
  kind: string;
  impact: number | null;
  urgency: number | null;
  started_at: Timestamp;
  /** [{ at: ISO instant, tier }] in order */
  tiers: Json;
  /** [{ from, to: ISO instant | null, on: 'customer' | 'third_party' }] in order */
  pauses: ColumnType<unknown, string | undefined, string>;
  waiting: string | null;
  response_met_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
  fired: ColumnType<string[], string[] | undefined, string[]>;
  next_due_at: NullableTimestamp;
  next_stage: string | null;
  revision: Generated<number>;
}

export interface Database {
  board_sla: BoardSlaTable;
  sla_clocks: SlaClocksTable;
}

export type SlaClockRow = Selectable<SlaClocksTable>;

// ---- On-call (migrations/2026-12-04T0170-oncall.ts) ----------------------------------------------

export interface OncallRotasTable {
  id: Generated<string>;
  board_id: string;
  name: string;
  duty: string;
  rotation: Generated<boolean>;
  members: Json;
  pattern: Json;
  start_date: ColumnType<string, string, string>;
  created_at: Generated<Date>;
  revision: Generated<number>;
}

export interface OncallCoversTable {
  id: Generated<string>;
  rota_id: string;
  kind: string;
  user_id: string;
  with_user_id: string | null;
  starts_at: Date;
  ends_at: Date;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface OncallPoliciesTable {
  id: Generated<string>;
  board_id: string;
  name: string;
  priorities: Json;
  steps: Json;
  created_at: Generated<Date>;
}

export interface OncallEscalationsTable {
  id: Generated<string>;
  board_id: string;
  card_id: string;
  policy_id: string | null;
  steps: Json;
  triggered_at: Date;
  next_step: Generated<number>;
  next_at: Date | null;
  acked_at: Date | null;
  acked_by: string | null;
  created_at: Generated<Date>;
}

export interface OncallPagesTable {
  escalation_id: string;
  step: number;
  user_id: string | null;
  paged_at: Generated<Date>;
}

export interface Database {
  oncall_rotas: OncallRotasTable;
  oncall_covers: OncallCoversTable;
  oncall_policies: OncallPoliciesTable;
  oncall_escalations: OncallEscalationsTable;
  oncall_pages: OncallPagesTable;
}

export type RotaRow = Selectable<OncallRotasTable>;
export type CoverRow = Selectable<OncallCoversTable>;
export type PolicyRow = Selectable<OncallPoliciesTable>;
export type EscalationRow = Selectable<OncallEscalationsTable>;

// ---- Problems and major incidents (migrations/2026-12-04T0160-problems.ts) -----------------------

export interface ProblemRecordsTable {
  card_id: string;
  board_id: string;
  root_cause: Generated<string>;
  workaround: Generated<string>;
  signature: Generated<string>;
  status: Generated<string>;
  updated_at: Timestamp;
}

export interface MajorIncidentsTable {
  card_id: string;
  board_id: string;
  major: Generated<boolean>;
  declared_at: NullableTimestamp;
  impact: Generated<string>;
  actions: Generated<string>;
  review_notes: Generated<string>;
  runbook_change_url: string | null;
  updated_at: Timestamp;
}

export interface Database {
  problem_records: ProblemRecordsTable;
  major_incidents: MajorIncidentsTable;
}

export type ProblemRecordRow = Selectable<ProblemRecordsTable>;
export type MajorIncidentRow = Selectable<MajorIncidentsTable>;

// ---- release outcomes (issue 17) ------------------------------------------------------------------

/** A board's cost model for the outcomes report (server/domain/release-outcomes.ts documents it). */
export interface BoardReleaseCostModelsTable {
  board_id: string;
  model: string;
  day_rate: Numeric;
  team_size: Numeric;
  point_cost: Numeric;
  currency: string;
  start_from: string;
}

export interface Database {
  board_release_cost_models: BoardReleaseCostModelsTable;
}

export interface RequestRatingsTable {
  card_id: string;
  board_id: string;
  rating: number;
  comment: Generated<string>;
  rated_by: string | null;
  rated_at: Generated<Date>;
}

export interface Database {
  request_ratings: RequestRatingsTable;
}

// ---- review and improve (issue 17; migrations/2026-12-05T0220-improvement.ts) ---------------------

export interface BoardImprovementSettingsTable {
  board_id: string;
  cadence_weeks: number;
  since: string;
  updated_at: Timestamp;
}

export interface ImprovementReviewsTable {
  id: Generated<string>;
  board_id: string;
  title: string;
  scheduled_on: string;
  held_at: NullableTimestamp;
  minutes: Generated<string>;
  revision: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ImprovementItemsTable {
  id: Generated<string>;
  board_id: string;
  number: number;
  title: string;
  description: Generated<string>;
  review_id: string | null;
  owner_id: string | null;
  baseline_text: Generated<string>;
  baseline_value: Numeric;
  target_text: Generated<string>;
  target_value: Numeric;
  unit: Generated<string>;
  due_quarter: string | null;
  status: Generated<string>;
  result: Generated<string>;
  result_value: Numeric;
  closed_at: NullableTimestamp;
  revision: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  board_improvement_settings: BoardImprovementSettingsTable;
  improvement_reviews: ImprovementReviewsTable;
  improvement_review_attendees: { review_id: string; user_id: string };
  improvement_review_releases: { review_id: string; release_id: string };
  improvement_items: ImprovementItemsTable;
  improvement_item_releases: { item_id: string; release_id: string };
  improvement_item_cards: { item_id: string; card_id: string };
}

export type ImprovementReviewRow = Selectable<ImprovementReviewsTable>;
export type ImprovementItemRow = Selectable<ImprovementItemsTable>;

// ---- release runs, who reported them and the environment's URL (migrations/2026-12-05T0210-release-run-reporters.ts)

export interface ReleaseRunsTable {
  /** the reporter when it was no person: `plugin:<id>` */
  reported_by_label: ColumnType<string | null, string | null | undefined, string | null>;
  /** where the deployed environment answers, when the tool said (a shadow's hidden URL) */
  environment_url: ColumnType<string | null, string | null | undefined, string | null>;
}
// ---- warranty requirements (issue 17) -------------------------------------------------------------

export interface ReleaseWarrantiesTable {
  release_id: string;
  revision: Generated<number>;
}

export interface WarrantyRequirementsTable {
  id: Generated<string>;
  release_id: string;
  category: string;
  statement: string;
  comparison: string;
  target_value: number;
  unit: string;
  created_at: Generated<Date>;
}

export interface WarrantyMeasurementsTable {
  id: Generated<string>;
  requirement_id: string;
  value: number;
  measured_at: Date;
  by_user_id: string | null;
  by_label: string;
  note: Generated<string>;
  recorded_at: Generated<Date>;
}

export interface Database {
  release_warranties: ReleaseWarrantiesTable;
  warranty_requirements: WarrantyRequirementsTable;
  warranty_measurements: WarrantyMeasurementsTable;
}

export type WarrantyRequirementRow = Selectable<WarrantyRequirementsTable>;
export type WarrantyMeasurementRow = Selectable<WarrantyMeasurementsTable>;
// ---- Service reports (migrations/2026-12-05T0260-service-reports.ts) -----------------------------

/** A board's SLA review of one quarter: when it was held, who came, the minutes and the actions. */
export interface SlaReviewsTable {
  id: Generated<string>;
  board_id: string;
  /** YYYY-Qn */
  quarter: string;
  held_on: ColumnType<string, string, string>;
  /** string[] */
  attendees: Json;
  minutes: Generated<string>;
  /** [{ text, owner, done }] */
  actions: Json;
  revision: Generated<number>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface Database {
  sla_reviews: SlaReviewsTable;
}

export type SlaReviewRow = Selectable<SlaReviewsTable>;
// ---- request portal (migrations/2026-12-05T0240-request-portal.ts) --------------------------------

export interface BoardRequestersTable {
  board_id: string;
  user_id: string;
  added_by: string | null;
  created_at: Generated<Date>;
}

export interface ServiceRequestsTable {
  card_id: string;
  board_id: string;
  requester_id: string;
  request_type: string;
  created_at: Generated<Date>;
}

export interface Database {
  board_requesters: BoardRequestersTable;
  service_requests: ServiceRequestsTable;
}
// ---- In-app inbox (migrations/2026-12-05T0300-inbox.ts) ---------------------------------------------

export interface InboxCursorsTable {
  board_id: string;
  seq: BigIntCol;
  updated_at: Generated<Date>;
}

export interface CardWatchersTable {
  card_id: string;
  user_id: string;
  watching: boolean;
  seq: BigIntCol;
}

export interface InboxNotificationsTable {
  id: Generated<string>;
  user_id: string;
  board_id: string;
  card_id: string;
  kind: string;
  event_seq: BigIntCol;
  actor_id: string | null;
  actor_label: string;
  summary: string;
  changes: Generated<number>;
  happened_at: ColumnType<Date, Date | string, Date | string>;
  touched: ColumnType<number, never, never>;
  read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface Database {
  inbox_cursors: InboxCursorsTable;
  card_watchers: CardWatchersTable;
  inbox_notifications: InboxNotificationsTable;
}
