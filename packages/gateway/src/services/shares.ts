import { FloworkError, RoleSchema } from "@flowork/protocol";
import { Entitlements } from "../billing/entitlements.js";
import { EnginesRepo } from "../repos/engines.js";
import { SharesRepo } from "../repos/shares.js";
import { UsersRepo } from "../repos/users.js";
import { requireRole } from "./access.js";
import { invalid, normalizeAddress, nowIso } from "./common.js";
import { ensureUser } from "./identity.js";
import type { Clock, ServiceDeps, ShareRequest, ShareService, ShareView } from "./types.js";

/** {@link ShareService} on the gateway database. */
export class SharesService implements ShareService {
  private readonly engines: EnginesRepo;
  private readonly shares: SharesRepo;
  private readonly users: UsersRepo;
  private readonly entitlements: Entitlements;
  private readonly clock: Clock;

  constructor(private readonly deps: ServiceDeps) {
    this.engines = new EnginesRepo(deps.db);
    this.shares = new SharesRepo(deps.db);
    this.users = new UsersRepo(deps.db);
    this.entitlements = new Entitlements(deps);
    this.clock = deps.clock ?? Date.now;
  }

  async list(engineId: string, caller: string): Promise<ShareView[]> {
    await requireRole(this.engines, this.shares, engineId, normalizeAddress(caller, "caller"), "admin");
    return (await this.shares.list(engineId)).map(toShareView);
  }

  async share(
    engineId: string,
    caller: string,
    request: ShareRequest,
  ): Promise<{ share: ShareView; created: boolean }> {
    const me = normalizeAddress(caller, "caller");
    const { engine } = await requireRole(this.engines, this.shares, engineId, me, "owner");
    if (!RoleSchema.safeParse(request.role).success || request.role === "owner") {
      throw invalid("role", "one of reader, runner, admin");
    }
    const at = nowIso(this.clock);
    const guest = await this.resolveGuest(request, at);
    if (guest.public_address === engine.owner_address)
      throw invalid("address", "you cannot share with yourself");
    const existing = await this.shares.find(engineId, guest.public_address);
    if (existing === undefined) {
      await this.entitlements.assertBelow(me, "shares_per_engine", await this.shares.count(engineId));
    }
    await this.shares.upsert(engineId, guest.public_address, request.role, at);
    const change = existing === undefined ? "new" : "updated";
    this.deps.events.shareChanged(engineId, guest.public_address, change, request.role);
    this.deps.events.refreshAuthList(engineId);
    return {
      share: {
        public_address: guest.public_address,
        username: guest.username,
        role: request.role,
        shared_at: existing?.shared_at ?? at,
      },
      created: existing === undefined,
    };
  }

  async unshare(engineId: string, caller: string, address: string): Promise<void> {
    const me = normalizeAddress(caller, "caller");
    await requireRole(this.engines, this.shares, engineId, me, "owner");
    const guest = normalizeAddress(address);
    if (!(await this.shares.delete(engineId, guest))) {
      throw new FloworkError("NOT_FOUND", "This engine is not shared with that address.");
    }
    this.deps.events.shareChanged(engineId, guest, "removed");
    this.deps.events.refreshAuthList(engineId);
  }

  private async resolveGuest(request: ShareRequest, at: string) {
    const byAddress = request.address !== undefined;
    if (byAddress === (request.username !== undefined)) {
      throw invalid("address", "give exactly one of address or username");
    }
    if (request.address !== undefined) {
      return ensureUser(this.users, normalizeAddress(request.address), at);
    }
    const user = await this.users.findByUsername(String(request.username).toLowerCase());
    if (user === undefined) throw new FloworkError("NOT_FOUND", "No user with this username.");
    return user;
  }
}

function toShareView(row: { address: string; username: string; role: ShareView["role"]; shared_at: string }) {
  return { public_address: row.address, username: row.username, role: row.role, shared_at: row.shared_at };
}
