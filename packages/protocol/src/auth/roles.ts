import { FloworkError } from "../errors.js";
import { type Role, roleAtLeast } from "../schemas/common.js";

/**
 * Rule 7 of SPEC section 1 for engines: the signer's role must be at least `need`.
 * No role at all (not in the authorization list) → `AUTH_NOT_AUTHORIZED`; a weaker role → `AUTH_FORBIDDEN_ROLE`.
 * Returns the role so callers can branch on it (e.g. runners may stop only their own jobs).
 *
 * @example
 * const role = assertEngineRole(authList.get(verified.address), "runner");
 */
export function assertEngineRole(have: Role | undefined, need: Role): Role {
  if (have === undefined) throw new FloworkError("AUTH_NOT_AUTHORIZED");
  if (!roleAtLeast(have, need)) {
    throw new FloworkError("AUTH_FORBIDDEN_ROLE", undefined, { details: { role: have, required: need } });
  }
  return have;
}
