import { randomBytes } from "node:crypto";
import { FloworkError } from "@flowork/protocol";
import { Entitlements } from "../billing/entitlements.js";
import { EnginesRepo } from "../repos/engines.js";
import { PairingRepo } from "../repos/pairing.js";
import { SharesRepo } from "../repos/shares.js";
import { UsersRepo } from "../repos/users.js";
import { normalizeAddress, nowIso, sha256Hex } from "./common.js";
import { toEngineView } from "./engine-view.js";
import { ensureUser } from "./identity.js";
import type { Clock, EngineView, PairingCode, PairingService, ServiceDeps } from "./types.js";

/** 32 symbols without 0/O, 1/I: easy to read off a terminal. 32 divides 256, so a byte maps without bias. */
export const PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const PAIRING_CODE_LENGTH = 8;
export const PAIRING_TTL_MS = 10 * 60 * 1000;

/** Uppercases and drops spaces and dashes, so `abcd-efgh` matches `ABCDEFGH`. */
export function normalizePairingCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "");
}

/** {@link PairingService} on the gateway database. Codes are stored only as SHA-256 hashes. */
export class PairingCodesService implements PairingService {
  private readonly codes: PairingRepo;
  private readonly engines: EnginesRepo;
  private readonly shares: SharesRepo;
  private readonly users: UsersRepo;
  private readonly entitlements: Entitlements;
  private readonly clock: Clock;

  constructor(private readonly deps: ServiceDeps) {
    this.codes = new PairingRepo(deps.db);
    this.engines = new EnginesRepo(deps.db);
    this.shares = new SharesRepo(deps.db);
    this.users = new UsersRepo(deps.db);
    this.entitlements = new Entitlements(deps);
    this.clock = deps.clock ?? Date.now;
  }

  async createCode(engineId: string): Promise<PairingCode> {
    if ((await this.engines.find(engineId)) === undefined)
      throw new FloworkError("NOT_FOUND", "No such engine.");
    const now = this.clock();
    await this.codes.purgeExpired(new Date(now).toISOString());
    const code = Array.from(randomBytes(PAIRING_CODE_LENGTH), (b) => PAIRING_ALPHABET[b % 32]).join("");
    const expires_at = new Date(now + PAIRING_TTL_MS).toISOString();
    await this.codes.insert({
      code_hash: sha256Hex(code),
      engine_id: engineId,
      expires_at,
      used: 0,
      created_at: new Date(now).toISOString(),
    });
    return { code, engine_id: engineId, expires_at };
  }

  async claim(code: string, caller: string): Promise<EngineView> {
    const me = normalizeAddress(caller, "caller");
    const now = nowIso(this.clock);
    const hash = sha256Hex(normalizePairingCode(code));
    const row = await this.codes.find(hash);
    const engine = row === undefined ? undefined : await this.engines.find(row.engine_id);
    if (row === undefined || engine === undefined || row.used !== 0 || row.expires_at <= now) {
      throw new FloworkError("NOT_FOUND", "Unknown, used or expired pairing code.");
    }
    if (engine.owner_address !== me) {
      await this.entitlements.assertBelow(me, "engines", await this.engines.countByOwner(me));
    }
    if (!(await this.codes.consume(hash, now))) {
      throw new FloworkError("NOT_FOUND", "Unknown, used or expired pairing code.");
    }
    await ensureUser(this.users, me, now);
    const previous = engine.owner_address;
    await this.engines.update(engine.id, { owner_address: me });
    await this.shares.delete(engine.id, me); // the owner needs no share
    if (previous !== null && previous !== me) this.deps.events.shareChanged(engine.id, previous, "removed");
    this.deps.events.engineChanged(engine.id);
    this.deps.events.refreshAuthList(engine.id);
    return toEngineView({ ...engine, owner_address: me }, "owner");
  }
}
