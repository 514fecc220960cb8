import { FloworkError, type Role, roleAtLeast } from "@flowork/protocol";
import type { EngineRow, EnginesRepo } from "../repos/engines.js";
import type { SharesRepo } from "../repos/shares.js";

/** The caller's role on an engine row (lowercase caller), or undefined. */
export async function roleOn(
  shares: SharesRepo,
  engine: EngineRow,
  caller: string,
): Promise<Role | undefined> {
  if (engine.owner_address === caller) return "owner";
  return (await shares.find(engine.id, caller))?.role;
}

/**
 * Loads an engine the caller needs at least `need` on.
 * @throws FloworkError AUTH_NOT_AUTHORIZED when the engine is unknown or the caller has no role (the same
 * answer, so strangers cannot probe ids); AUTH_FORBIDDEN_ROLE when the role is too weak.
 */
export async function requireRole(
  engines: EnginesRepo,
  shares: SharesRepo,
  engineId: string,
  caller: string,
  need: Role,
): Promise<{ engine: EngineRow; role: Role }> {
  const engine = await engines.find(engineId);
  const role = engine === undefined ? undefined : await roleOn(shares, engine, caller);
  if (engine === undefined || role === undefined) {
    throw new FloworkError("AUTH_NOT_AUTHORIZED", "You have no role on this engine.");
  }
  if (!roleAtLeast(role, need)) {
    throw new FloworkError("AUTH_FORBIDDEN_ROLE", `This needs the ${need} role; you are ${role}.`, {
      details: { role, required: need },
    });
  }
  return { engine, role };
}
