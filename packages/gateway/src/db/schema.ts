/**
 * Row types of the gateway database (Kysely). Same schema on SQLite and PostgreSQL: timestamps are ISO-8601 UTC
 * `text` (sortable as text), JSON is `text`, booleans are `integer` 0/1, money is `double precision`.
 */

/** `users`: one per address (lowercase). */
export interface UsersTable {
  public_address: string;
  username: string;
  email: string | null;
  name: string | null;
  bio: string | null;
  avatar: string | null;
  created_at: string;
}

/** `preferences`: one JSON object per user. */
export interface PreferencesTable {
  address: string;
  data: string;
  updated_at: string;
}

/** `engines`. `token_hash` is the SHA-256 hex of the raw token (unique). */
export interface EnginesTable {
  id: string;
  name: string;
  owner_address: string | null;
  token_hash: string;
  status: string;
  last_seen: string | null;
  vitals: string | null;
  created_at: string;
}

/** `shares`: primary key `(engine_id, address)`. */
export interface SharesTable {
  engine_id: string;
  address: string;
  role: string;
  shared_at: string;
}

/** `pairing_codes`: `code_hash` is the SHA-256 hex of the normalised code. */
export interface PairingCodesTable {
  code_hash: string;
  engine_id: string;
  expires_at: string;
  used: number;
  created_at: string;
}

/** `plans`: `prices` and `limits` are JSON; `position` orders tiers. */
export interface PlansTable {
  id: string;
  name: string;
  description: string;
  prices: string;
  limits: string;
  position: number;
}

/** `subscriptions`: one per address. */
export interface SubscriptionsTable {
  address: string;
  plan_id: string;
  status: string;
  expires_at: string | null;
  provider: string;
  updated_at: string;
}

/** `checkouts`. */
export interface CheckoutsTable {
  id: string;
  address: string;
  plan_id: string;
  duration_months: number;
  status: string;
  provider: string;
  amount: number;
  currency: string;
  created_at: string;
  completed_at: string | null;
}

/** `invoices`. */
export interface InvoicesTable {
  id: string;
  address: string;
  plan_id: string;
  checkout_id: string | null;
  amount: number;
  currency: string;
  status: string;
  created_at: string;
}

/** `webhook_events`: primary key `(provider, event_id)`, the idempotency record. */
export interface WebhookEventsTable {
  provider: string;
  event_id: string;
  type: string;
  received_at: string;
}

/** `usage`: executions per period (`YYYY-MM`), engine and the owner at the time. */
export interface UsageTable {
  period: string;
  engine_id: string;
  address: string;
  executions: number;
}

/** `system_settings`: key → JSON value (e.g. `disabled_components`). */
export interface SystemSettingsTable {
  key: string;
  value: string;
}

/** The whole gateway database. */
export interface GatewayDatabase {
  users: UsersTable;
  preferences: PreferencesTable;
  engines: EnginesTable;
  shares: SharesTable;
  pairing_codes: PairingCodesTable;
  plans: PlansTable;
  subscriptions: SubscriptionsTable;
  checkouts: CheckoutsTable;
  invoices: InvoicesTable;
  webhook_events: WebhookEventsTable;
  usage: UsageTable;
  system_settings: SystemSettingsTable;
}
