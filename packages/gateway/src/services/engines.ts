import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { FloworkError, type Role } from "@flowork/protocol";
import { Entitlements } from "../billing/entitlements.js";
import { EnginesRepo } from "../repos/engines.js";
import { SettingsRepo } from "../repos/settings.js";
import { SharesRepo } from "../repos/shares.js";
import { UsersRepo } from "../repos/users.js";
import { requireRole, roleOn } from "./access.js";
import { invalid, normalizeAddress, nowIso, sha256Hex } from "./common.js";
import { toEngineView } from "./engine-view.js";
import { ensureUser } from "./identity.js";
import type {
  Clock,
  CreatedEngine,
  EngineAuthInfo,
  EngineIdentity,
  EngineService,
  EngineView,
  InternalEngineRow,
  ServiceDeps,
  SharedEngineView,
  Vitals,
  VitalsRow,
} from "./types.js";

/** `dev_engine_` + 32 lowercase hex. */
export const ENGINE_TOKEN_PATTERN = /^dev_engine_[0-9a-f]{32}$/;
/** Largest stored vitals object, in bytes of JSON. */
export const VITALS_MAX_BYTES = 16 * 1024;
/** Rows per statement of {@link EnginesService.saveVitals} (5 bound values each: far below every driver's limit). */
export const VITALS_WRITE_CHUNK = 500;
/** Key of the global kill switch in `system_settings`. */
export const DISABLED_COMPONENTS_KEY = "disabled_components";

/** A new raw engine token (128 random bits). */
export function newEngineToken(): string {
  return `dev_engine_${randomBytes(16).toString("hex")}`;
}

/** Validates and trims an engine name (1-100 characters). */
export function engineName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw invalid("name", "1 to 100 characters");
  return trimmed;
}

/** {@link EngineService} on the gateway database. */
export class EnginesService implements EngineService {
  private readonly engines: EnginesRepo;
  private readonly shares: SharesRepo;
  private readonly settings: SettingsRepo;
  private readonly users: UsersRepo;
  private readonly entitlements: Entitlements;
  private readonly clock: Clock;

  constructor(private readonly deps: ServiceDeps) {
    this.engines = new EnginesRepo(deps.db);
    this.shares = new SharesRepo(deps.db);
    this.settings = new SettingsRepo(deps.db);
    this.users = new UsersRepo(deps.db);
    this.entitlements = new Entitlements(deps);
    this.clock = deps.clock ?? Date.now;
  }

  async list(owner: string): Promise<EngineView[]> {
    const rows = await this.engines.listByOwner(normalizeAddress(owner));
    return rows.map((r) => toEngineView(r, "owner"));
  }

  async create(owner: string, name: string): Promise<CreatedEngine> {
    const me = normalizeAddress(owner);
    const clean = engineName(name);
    await this.entitlements.assertBelow(me, "engines", await this.engines.countByOwner(me));
    // The owner must exist (foreign key); a signed request proves the address, so create it like login does.
    await ensureUser(this.users, me, nowIso(this.clock));
    return this.insert(clean, me);
  }

  createUnowned(name: string): Promise<CreatedEngine> {
    return this.insert(engineName(name), null);
  }

  async get(engineId: string, caller: string): Promise<EngineView> {
    const { engine, role } = await this.need(engineId, caller, "reader");
    return toEngineView(engine, role);
  }

  async rename(engineId: string, caller: string, name: string): Promise<EngineView> {
    const clean = engineName(name);
    const { engine } = await this.need(engineId, caller, "owner");
    await this.engines.update(engineId, { name: clean });
    this.deps.events.engineChanged(engineId);
    return toEngineView({ ...engine, name: clean }, "owner");
  }

  async delete(engineId: string, caller: string): Promise<void> {
    const { engine } = await this.need(engineId, caller, "owner");
    const sharees = (await this.shares.list(engineId)).map((s) => s.address);
    await this.engines.delete(engineId);
    this.deps.events.engineDeleted(engineId, engine.owner_address ?? "", sharees);
  }

  async resetToken(engineId: string, caller: string): Promise<{ engine_id: string; token: string }> {
    await this.need(engineId, caller, "owner");
    const token = newEngineToken();
    await this.engines.update(engineId, { token_hash: sha256Hex(token) });
    this.deps.events.disconnectEngine(engineId);
    return { engine_id: engineId, token };
  }

  async engineByToken(rawToken: string): Promise<EngineIdentity | undefined> {
    if (!ENGINE_TOKEN_PATTERN.test(rawToken)) return undefined;
    const hash = sha256Hex(rawToken);
    const row = await this.engines.findByTokenHash(hash);
    // The indexed lookup finds the row; the final equality is constant-time so no comparison timing leaks.
    if (row === undefined || !timingSafeEqual(Buffer.from(hash), Buffer.from(row.token_hash)))
      return undefined;
    return { engine_id: row.id, name: row.name, owner_address: row.owner_address };
  }

  async authInfo(engineId: string): Promise<EngineAuthInfo> {
    const engine = await this.engines.find(engineId);
    if (engine === undefined) throw new FloworkError("NOT_FOUND", "No such engine.");
    const shares = await this.shares.list(engineId);
    const { tier, limits } = await this.entitlements.limitsOf(engine.owner_address);
    const owner = engine.owner_address === null ? [] : [engine.owner_address];
    return {
      engine_id: engine.id,
      name: engine.name,
      owner_address: engine.owner_address,
      authorized_addresses: [...owner, ...shares.map((s) => s.address)],
      shares: shares.map((s) => ({ address: s.address, role: s.role })),
      tier,
      quotas: limits,
      disabled_components: await this.settings.get<string[]>(DISABLED_COMPONENTS_KEY, []),
    };
  }

  async markOnline(engineId: string, at?: Date): Promise<void> {
    const when = (at ?? new Date(this.clock())).toISOString();
    await this.engines.update(engineId, { status: "online", last_seen: when });
  }

  async markOffline(engineId: string, at?: Date): Promise<void> {
    const when = (at ?? new Date(this.clock())).toISOString();
    await this.engines.update(engineId, { status: "offline", last_seen: when });
  }

  async updateVitals(engineId: string, vitals: Vitals): Promise<void> {
    const text = JSON.stringify(vitals);
    if (Buffer.byteLength(text, "utf8") > VITALS_MAX_BYTES) {
      throw new FloworkError("PAYLOAD_TOO_LARGE", "Vitals are limited to 16 KiB.", {
        details: { limit: VITALS_MAX_BYTES },
      });
    }
    await this.engines.update(engineId, { vitals: text, last_seen: nowIso(this.clock) });
  }

  async saveVitals(rows: readonly VitalsRow[]): Promise<number> {
    const clean: { id: string; vitals: string; last_seen: string }[] = [];
    for (const row of rows) {
      const text = JSON.stringify(row.vitals);
      if (Buffer.byteLength(text, "utf8") > VITALS_MAX_BYTES) continue;
      clean.push({ id: row.engine_id, vitals: text, last_seen: row.at.toISOString() });
    }
    for (let i = 0; i < clean.length; i += VITALS_WRITE_CHUNK) {
      await this.engines.updateVitalsMany(clean.slice(i, i + VITALS_WRITE_CHUNK));
    }
    return clean.length;
  }

  async visibleEngines(address: string): Promise<EngineView[]> {
    const me = normalizeAddress(address);
    const owned = await this.list(me);
    const shared = await this.shares.sharedWith(me);
    return [...owned, ...shared.map((s) => toEngineView(s.engine, s.role))];
  }

  async roleOf(engineId: string, address: string): Promise<Role | undefined> {
    const engine = await this.engines.find(engineId);
    return engine === undefined ? undefined : roleOn(this.shares, engine, address.toLowerCase());
  }

  async audience(engineId: string): Promise<string[]> {
    const engine = await this.engines.find(engineId);
    if (engine === undefined) return [];
    const sharees = (await this.shares.list(engineId)).map((s) => s.address);
    return engine.owner_address === null ? sharees : [engine.owner_address, ...sharees];
  }

  async sharedWithMe(address: string): Promise<SharedEngineView[]> {
    const rows = await this.shares.sharedWith(normalizeAddress(address));
    return rows.map((s) => ({
      ...toEngineView(s.engine, s.role),
      owner:
        s.engine.owner_address === null
          ? null
          : { public_address: s.engine.owner_address, username: s.owner_username ?? "" },
      shared_at: s.shared_at,
    }));
  }

  async listAll(): Promise<InternalEngineRow[]> {
    return (await this.engines.listAll()).map((r) => ({
      id: r.id,
      name: r.name,
      owner_address: r.owner_address,
      status: r.status === "online" ? "online" : "offline",
      last_seen: r.last_seen,
      created_at: r.created_at,
    }));
  }

  private need(engineId: string, caller: string, role: Role) {
    return requireRole(this.engines, this.shares, engineId, normalizeAddress(caller, "caller"), role);
  }

  private async insert(name: string, owner: string | null): Promise<CreatedEngine> {
    const id = randomUUID();
    const raw_token = newEngineToken();
    await this.engines.insert({
      id,
      name,
      owner_address: owner,
      token_hash: sha256Hex(raw_token),
      status: "offline",
      last_seen: null,
      vitals: null,
      created_at: nowIso(this.clock),
    });
    return { id, name, status: "offline", raw_token };
  }
}
