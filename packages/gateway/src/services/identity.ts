import { isUniqueViolation } from "../repos/errors.js";
import type { UserRow, UsersRepo } from "../repos/users.js";

/** The first-login username: `user_<hex 1-6>_<last 4 hex>` (valid for `[a-z0-9_]{3,32}`). */
export function defaultUsername(address: string): string {
  const hex = address.slice(2);
  return `user_${hex.slice(0, 6)}_${hex.slice(-4)}`;
}

function candidates(address: string): string[] {
  const hex = address.slice(2);
  const wide = `user_${hex.slice(0, 10)}_${hex.slice(-8)}`;
  const list = [defaultUsername(address), wide];
  for (let i = 2; i <= 20; i++) list.push(`${wide}_${i}`);
  return list;
}

/**
 * Returns the user with this (lowercase) address, creating it with a derived username when first seen.
 * Safe under concurrency: a racing insert of the same address or a username clash retries the next candidate.
 */
export async function ensureUser(users: UsersRepo, address: string, at: string): Promise<UserRow> {
  const existing = await users.find(address);
  if (existing !== undefined) return existing;
  for (const username of candidates(address)) {
    const row: UserRow = {
      public_address: address,
      username,
      email: null,
      name: null,
      bio: null,
      avatar: null,
      created_at: at,
    };
    try {
      if (!(await users.insert(row))) break; // someone else created this address meanwhile
      return row;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  const created = await users.find(address);
  if (created === undefined) throw new Error(`could not create user ${address}`);
  return created;
}
