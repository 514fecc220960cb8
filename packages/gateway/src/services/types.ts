/**
 * The gateway's public service API (SPEC sections 2 and 3). The REST routes and the Socket.IO layer call these
 * interfaces; `createGatewayServices` (in `./index.ts`) builds the implementations. Every method throws
 * `FloworkError` with a SPEC section 9 code; wire shapes are `snake_case` as on the wire, so routes can return
 * results as they are.
 *
 * Conventions:
 * - Addresses are accepted in any case and always returned lowercase.
 * - Timestamps are ISO-8601 UTC strings.
 * - A limit of `null` means "unlimited" (JSON has no Infinity).
 * - Engine visibility: for a caller with no role on an engine, an unknown id and a foreign id both give
 *   `AUTH_NOT_AUTHORIZED` with the same message, so strangers cannot probe which engine ids exist. A caller with
 *   a role that is too weak gets `AUTH_FORBIDDEN_ROLE`.
 */
import type { Role } from "@flowork/protocol";
import type { Kysely } from "kysely";
import type { GatewayConfig } from "../config.js";
import type { GatewayDatabase } from "../db/schema.js";
import type { GatewayEvents } from "../events.js";

/** Milliseconds since the epoch; injectable so tests can move time (pairing expiry, periods, licenses). */
export type Clock = () => number;

/** What every service's constructor takes. */
export interface ServiceDeps {
  db: Kysely<GatewayDatabase>;
  events: GatewayEvents;
  config: GatewayConfig;
  /** Defaults to `Date.now`. */
  clock?: Clock;
}

/** Tiers, lowest first (SPEC section 2). */
export type Tier = "free" | "builder" | "creator" | "architect" | "enterprise";

/** A plan's limits; `null` is unlimited. */
export interface PlanLimits {
  engines: number | null;
  shares_per_engine: number | null;
  monthly_executions: number | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Users

/** `GET /user/profile`. `permissions` holds `"admin"` for addresses in `FLOWORK_ADMIN_ADDRESSES`. */
export interface Profile {
  public_address: string;
  username: string;
  email: string | null;
  name: string | null;
  bio: string | null;
  avatar: string | null;
  tier: Tier;
  permissions: string[];
  created_at: string;
}

/** `GET /user/public/:address_or_username`: no email, tier or permissions. */
export interface PublicProfile {
  public_address: string;
  username: string;
  name: string | null;
  bio: string | null;
  avatar: string | null;
  created_at: string;
}

/** `PATCH /user/profile`. `null` clears an optional field; `username` cannot be cleared. */
export interface ProfilePatch {
  username?: string;
  email?: string | null;
  name?: string | null;
  bio?: string | null;
  avatar?: string | null;
}

/** A JSON object (user preferences). */
export type JsonObject = { [key: string]: unknown };

/** `GET /admin/users` row. */
export interface AdminUserRow {
  public_address: string;
  username: string;
  email: string | null;
  tier: Tier;
  engines: number;
  created_at: string;
}

/**
 * Identity. A user is created the first time their address is seen, with the username
 * `user_<hex chars 1-6>_<last 4 hex chars>` of the lowercase address (e.g. `0x1234abcd...9f0e` →
 * `user_1234ab_9f0e`): SPEC's `user_<first 6>...<last 4>` made valid for `[a-z0-9_]{3,32}`. On the rare
 * collision it widens to `user_<first 10>_<last 8>`, then adds `_2`, `_3`, ...
 */
export interface UserService {
  /** `POST /auth/login`: creates the user on first login; returns the profile. */
  login(address: string): Promise<Profile>;
  /** `GET /user/profile` (creates the user if first seen, like login). */
  profile(address: string): Promise<Profile>;
  /**
   * `PATCH /user/profile`.
   * @throws VALIDATION_FAILED for a username not of 3-32 `[a-z0-9_]`; CONFLICT when the username is taken.
   */
  updateProfile(address: string, patch: ProfilePatch): Promise<Profile>;
  /** `GET /user/public/:x` by address (any case) or username. @throws NOT_FOUND */
  publicProfile(addressOrUsername: string): Promise<PublicProfile>;
  /** `GET /user/preferences`: `{}` when none stored. */
  preferences(address: string): Promise<JsonObject>;
  /**
   * `PATCH /user/preferences`: applies `patch` as an RFC 7396 JSON Merge Patch (objects merge recursively,
   * `null` deletes a key) and returns the result.
   * @throws PAYLOAD_TOO_LARGE when the merged JSON is over 64 KiB (`details.limit` = 65536).
   */
  mergePreferences(address: string, patch: JsonObject): Promise<JsonObject>;
  /** True for addresses in `FLOWORK_ADMIN_ADDRESSES`. */
  isAdmin(address: string): boolean;
  /** `GET /admin/users`. */
  listUsers(): Promise<AdminUserRow[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Engines

export type EngineStatus = "online" | "offline";

/** Live vitals as last reported by the engine (`engine_vitals_update`), stored as JSON. */
export type Vitals = { [key: string]: unknown };

/** One engine's vitals for {@link EngineService.saveVitals}: what it reported and when it was received. */
export interface VitalsRow {
  engine_id: string;
  vitals: Vitals;
  /** When the gateway received them: becomes `last_seen`. */
  at: Date;
}

/** `Engine` of SPEC section 2, as seen by a caller with `role`. */
export interface EngineView {
  id: string;
  name: string;
  status: EngineStatus;
  last_seen: string | null;
  vitals: Vitals | null;
  role: Role;
  created_at: string;
}

/** `GET /user/shared-engines` item. */
export interface SharedEngineView extends EngineView {
  owner: { public_address: string; username: string } | null;
  shared_at: string;
}

/** `POST /user/engines` 201 body; `raw_token` is shown once and only its SHA-256 is stored. */
export interface CreatedEngine {
  id: string;
  name: string;
  status: "offline";
  raw_token: string;
}

/** What an engine token resolves to (`auth_success` payload). `owner_address` is null until claimed. */
export interface EngineIdentity {
  engine_id: string;
  name: string;
  owner_address: string | null;
}

/** `GET /engine/get-engine-auth-info`. `authorized_addresses` = owner + sharees. */
export interface EngineAuthInfo {
  engine_id: string;
  name: string;
  owner_address: string | null;
  authorized_addresses: string[];
  shares: { address: string; role: Role }[];
  tier: Tier;
  quotas: PlanLimits;
  disabled_components: string[];
}

/** `GET /internal/engines` row. */
export interface InternalEngineRow {
  id: string;
  name: string;
  owner_address: string | null;
  status: EngineStatus;
  last_seen: string | null;
  created_at: string;
}

/**
 * Engines, their tokens and presence. Tokens are `dev_engine_<32 hex>`, stored as SHA-256 hex only.
 * Presence (`markOnline`/`markOffline`/`saveVitals`) is written by the Socket.IO layer; these methods do not
 * emit events (the socket layer emits its own status updates), all others emit as documented.
 */
export interface EngineService {
  /** `GET /user/engines`: engines owned by `owner`, role `"owner"`, oldest first. */
  list(owner: string): Promise<EngineView[]>;
  /**
   * `POST /user/engines`.
   * @throws VALIDATION_FAILED for an empty name or one over 100 chars;
   * QUOTA_EXCEEDED with `details: {limit: "engines", max, current}` when billing is on.
   */
  create(owner: string, name: string): Promise<CreatedEngine>;
  /**
   * An engine with no owner yet (`flowork up` without `--owner`): someone claims it with a pairing code.
   */
  createUnowned(name: string): Promise<CreatedEngine>;
  /** `GET /user/engines/:id` with the caller's role. @throws AUTH_NOT_AUTHORIZED (no role or no such engine) */
  get(engineId: string, caller: string): Promise<EngineView>;
  /** `PATCH /user/engines/:id` (owner); emits `engineChanged`. @throws AUTH_NOT_AUTHORIZED, AUTH_FORBIDDEN_ROLE */
  rename(engineId: string, caller: string, name: string): Promise<EngineView>;
  /** `DELETE /user/engines/:id` (owner); emits `engineDeleted(id, owner, sharees)`. */
  delete(engineId: string, caller: string): Promise<void>;
  /** `POST /user/engines/:id/reset-token` (owner); the old token dies at once; emits `disconnectEngine`. */
  resetToken(engineId: string, caller: string): Promise<{ engine_id: string; token: string }>;
  /** Token lookup for `X-Engine-Token` and the `/engine-socket` handshake; undefined when unknown/revoked. */
  engineByToken(rawToken: string): Promise<EngineIdentity | undefined>;
  /** `GET /engine/get-engine-auth-info`. @throws NOT_FOUND */
  authInfo(engineId: string): Promise<EngineAuthInfo>;
  /** The engine connected (presence). */
  markOnline(engineId: string, at?: Date): Promise<void>;
  /** The engine disconnected (presence); `last_seen` = `at`. */
  markOffline(engineId: string, at?: Date): Promise<void>;
  /** Stores the latest vitals and bumps `last_seen`. @throws PAYLOAD_TOO_LARGE over 16 KiB of JSON */
  updateVitals(engineId: string, vitals: Vitals): Promise<void>;
  /**
   * Stores many engines' latest vitals, `last_seen` = each row's `at`, one statement (so one transaction) per
   * 500 rows: what the socket layer calls every persist period instead of one write per report. Rows over 16 KiB
   * of JSON are skipped; unknown engines match nothing. Resolves with the number of rows written.
   */
  saveVitals(rows: readonly VitalsRow[]): Promise<number>;
  /** Every engine `address` owns or has a share on, each with its role (`initial_engine_statuses`). */
  visibleEngines(address: string): Promise<EngineView[]>;
  /** The address's role on the engine, or undefined (none / no such engine). */
  roleOf(engineId: string, address: string): Promise<Role | undefined>;
  /** Lowercase addresses allowed to see the engine: owner (if any) + sharees; `[]` for an unknown engine. */
  audience(engineId: string): Promise<string[]>;
  /** `GET /user/shared-engines`. */
  sharedWithMe(address: string): Promise<SharedEngineView[]>;
  /** `GET /internal/engines`. */
  listAll(): Promise<InternalEngineRow[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Shares

/** `GET /user/engines/:id/shares` item. */
export interface ShareView {
  public_address: string;
  username: string;
  role: Role;
  shared_at: string;
}

/** `POST /user/engines/:id/shares` body: exactly one of `address` or `username`. Role `owner` is refused. */
export interface ShareRequest {
  address?: string;
  username?: string;
  role: Role;
}

/** Sharing engines with other addresses. */
export interface ShareService {
  /** Owner or admin-role sharee. @throws AUTH_NOT_AUTHORIZED, AUTH_FORBIDDEN_ROLE */
  list(engineId: string, caller: string): Promise<ShareView[]>;
  /**
   * Owner only. Creates the guest user when sharing by address; upserts the role; emits `shareChanged`
   * ("new"/"updated") and `refreshAuthList`. Returns the share and whether it was created.
   * @throws VALIDATION_FAILED (role owner, sharing with yourself, neither/both of address and username),
   * NOT_FOUND (unknown username), QUOTA_EXCEEDED `details.limit = "shares_per_engine"` (billing on).
   */
  share(
    engineId: string,
    caller: string,
    request: ShareRequest,
  ): Promise<{ share: ShareView; created: boolean }>;
  /** Owner only; emits `shareChanged("removed")` and `refreshAuthList`. @throws NOT_FOUND when no such share */
  unshare(engineId: string, caller: string, address: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Pairing

/** A one-time pairing code: 8 chars of `ABCDEFGHJKLMNPQRSTUVWXYZ23456789`, valid 10 minutes, stored hashed. */
export interface PairingCode {
  code: string;
  engine_id: string;
  expires_at: string;
}

/** `flowork up` pairing codes. */
export interface PairingService {
  /** A new code for the engine (earlier unused codes stay valid until they expire). @throws NOT_FOUND */
  createCode(engineId: string): Promise<PairingCode>;
  /**
   * `POST /user/engines/claim`: makes the caller the owner (case and `-`/spaces in the code are ignored).
   * Emits `engineChanged` and `refreshAuthList`.
   * @throws NOT_FOUND for an unknown, used or expired code; QUOTA_EXCEEDED `engines` (billing on).
   */
  claim(code: string, caller: string): Promise<EngineView>;
}

// ---------------------------------------------------------------------------------------------------------------
// Billing

export interface PlanPrice {
  duration_months: number;
  price: number;
  currency: string;
}

/** `GET /billing/plans` item; `id` is also the tier. */
export interface Plan {
  id: Tier;
  name: string;
  description: string;
  prices: PlanPrice[];
  limits: PlanLimits;
}

/** `PUT /admin/plans/:id` body. */
export interface PlanPatch {
  name?: string;
  description?: string;
  prices?: PlanPrice[];
  limits?: Partial<PlanLimits>;
}

/**
 * `GET /billing/subscription`. Billing off: `{plan_id:"enterprise", tier:"enterprise", status:"active",
 * expires_at:null, provider:null}`. Billing on with no subscription: the free plan, status "active", or
 * status "pending" with the checked-out `plan_id` while a first checkout awaits payment (tier stays free).
 * A lapsed or canceled paid plan reads `status:"expired"` with `tier:"free"` (free limits apply).
 */
export interface Subscription {
  plan_id: Tier;
  tier: Tier;
  status: "active" | "pending" | "expired";
  expires_at: string | null;
  provider: string | null;
}

/** `POST /billing/checkout` 201 body. */
export interface CheckoutResult {
  checkout_id: string;
  status: "pending";
  provider: string;
  payment_url: string;
}

/** `GET /billing/usage`. */
export interface UsageView {
  period: string;
  executions: number;
  limits: PlanLimits;
  engines: number;
  per_engine: { engine_id: string; executions: number }[];
}

/** What `recordUsage` tells the socket layer (it may push `quota_update` or a notification when over). */
export interface UsageRecordResult {
  owner_address: string | null;
  period: string;
  /** The owner's total for the period, all engines. */
  executions: number;
  limit: number | null;
  over_limit: boolean;
}

/** `GET /billing/invoices` item. */
export interface InvoiceView {
  id: string;
  plan_id: Tier;
  amount: number;
  currency: string;
  status: "paid";
  created_at: string;
}

/** `GET /user/license`. `signature` is base64 Ed25519 over `canonicalJson(data)`. */
export interface License {
  data: {
    license_id: string;
    public_address: string;
    tier: Tier;
    issued_at: string;
    valid_until: string;
  };
  signature: string;
}

/** Result of a webhook delivery. `duplicate` when the `event_id` was already processed (nothing changed). */
export interface WebhookResult {
  event_id: string;
  duplicate: boolean;
}

/** Plans, subscriptions, checkouts, webhooks, usage, invoices, licenses, and the operator's settings. */
export interface BillingService {
  /** `GET /billing/plans`, lowest tier first. */
  plans(): Promise<Plan[]>;
  subscription(address: string): Promise<Subscription>;
  /** Limits that apply to `address` now (billing off: all null). */
  limitsOf(address: string): Promise<{ tier: Tier; limits: PlanLimits }>;
  /**
   * `POST /billing/checkout`. @throws NOT_FOUND (plan), VALIDATION_FAILED (no price for that duration, or the
   * free plan).
   */
  checkout(address: string, planId: string, durationMonths: number): Promise<CheckoutResult>;
  /**
   * `POST /billing/webhook/:provider`: checks `X-Flowork-Webhook-Signature: sha256=<hex HMAC-SHA256(rawBody)>`
   * in constant time, then applies `{event_id, type, checkout_id}` once per `(provider, event_id)`.
   * @throws AUTH_MISSING (no header), AUTH_INVALID_SIGNATURE (bad signature or no secret configured),
   * NOT_FOUND (unknown provider or checkout), BAD_REQUEST (not JSON), VALIDATION_FAILED (wrong shape).
   */
  webhook(
    provider: string,
    rawBody: string | Uint8Array,
    signatureHeader: string | undefined,
  ): Promise<WebhookResult>;
  /** Completes a pending checkout (manual provider / admin): activates the subscription and writes an invoice. */
  completeCheckout(checkoutId: string): Promise<Subscription>;
  /** `GET /billing/usage` for the current UTC month. */
  usage(address: string): Promise<UsageView>;
  /** An engine's `usage_report` delta: adds to the engine owner's count for `period` (`YYYY-MM`). */
  recordUsage(engineId: string, period: string, executions: number): Promise<UsageRecordResult>;
  invoices(address: string): Promise<InvoiceView[]>;
  /** `GET /user/license`: valid until the subscription expires (billing off or no expiry: one year). */
  license(address: string): Promise<License>;
  /** The license public key as a PEM SPKI string (`/system/info` `license_public_key`). */
  licensePublicKey(): Promise<string>;
  /** `PUT /admin/plans/:id`. @throws NOT_FOUND */
  setPlan(planId: string, patch: PlanPatch): Promise<Plan>;
  /** `POST /admin/users/:address/subscription`: active for `months` from now, provider `admin`. */
  grantSubscription(address: string, planId: string, months: number): Promise<Subscription>;
  /** `GET /system/disabled-components`. */
  disabledComponents(): Promise<string[]>;
  /** `PUT /system/disabled-components`; every engine gets `refreshAuthList`. */
  setDisabledComponents(moduleIds: string[]): Promise<string[]>;
}

/** Everything built by `createGatewayServices`. */
export interface GatewayServices {
  users: UserService;
  engines: EngineService;
  shares: ShareService;
  pairing: PairingService;
  billing: BillingService;
}
