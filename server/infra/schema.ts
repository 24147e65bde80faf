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
export type SprintRow = Selectable<SprintsTable>;
