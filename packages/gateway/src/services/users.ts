import { FloworkError } from "@flowork/protocol";
import { Entitlements } from "../billing/entitlements.js";
import { EnginesRepo } from "../repos/engines.js";
import { isUniqueViolation, parseJson } from "../repos/errors.js";
import { type UserRow, UsersRepo } from "../repos/users.js";
import { invalid, isAddress, normalizeAddress, nowIso } from "./common.js";
import { ensureUser } from "./identity.js";
import { mergePatch } from "./merge-patch.js";
import type {
  AdminUserRow,
  Clock,
  JsonObject,
  Profile,
  ProfilePatch,
  PublicProfile,
  ServiceDeps,
  UserService,
} from "./types.js";

/** Largest stored preferences object, in UTF-8 bytes of its JSON. */
export const PREFERENCES_MAX_BYTES = 64 * 1024;

const USERNAME = /^[a-z0-9_]{3,32}$/;
const TEXT_LIMITS = { email: 254, name: 100, bio: 1_000, avatar: 2_048 } as const;

/** {@link UserService} on the gateway database. */
export class UsersService implements UserService {
  private readonly users: UsersRepo;
  private readonly engines: EnginesRepo;
  private readonly entitlements: Entitlements;
  private readonly clock: Clock;
  private readonly admins: Set<string>;

  constructor(deps: ServiceDeps) {
    this.users = new UsersRepo(deps.db);
    this.engines = new EnginesRepo(deps.db);
    this.entitlements = new Entitlements(deps);
    this.clock = deps.clock ?? Date.now;
    this.admins = new Set(deps.config.adminAddresses.map((a) => a.toLowerCase()));
  }

  login(address: string): Promise<Profile> {
    return this.profile(address);
  }

  async profile(address: string): Promise<Profile> {
    const user = await ensureUser(this.users, normalizeAddress(address), nowIso(this.clock));
    return this.toProfile(user);
  }

  async updateProfile(address: string, patch: ProfilePatch): Promise<Profile> {
    const me = normalizeAddress(address);
    const user = await ensureUser(this.users, me, nowIso(this.clock));
    const set: Partial<UserRow> = {};
    if (patch.username !== undefined && patch.username !== user.username) {
      if (!USERNAME.test(patch.username)) throw invalid("username", "3 to 32 of a-z, 0-9 and _");
      const taken = await this.users.findByUsername(patch.username);
      if (taken !== undefined) throw new FloworkError("CONFLICT", "This username is taken.");
      set.username = patch.username;
    }
    for (const key of ["email", "name", "bio", "avatar"] as const) {
      const value = patch[key];
      if (value === undefined) continue;
      if (value !== null && value.length > TEXT_LIMITS[key]) {
        throw invalid(key, `at most ${TEXT_LIMITS[key]} characters`);
      }
      set[key] = value;
    }
    try {
      await this.users.update(me, set);
    } catch (err) {
      if (isUniqueViolation(err)) throw new FloworkError("CONFLICT", "This username is taken.");
      throw err;
    }
    return this.toProfile({ ...user, ...set });
  }

  async publicProfile(addressOrUsername: string): Promise<PublicProfile> {
    const user = isAddress(addressOrUsername)
      ? await this.users.find(addressOrUsername.toLowerCase())
      : await this.users.findByUsername(addressOrUsername.toLowerCase());
    if (user === undefined) throw new FloworkError("NOT_FOUND", "No such user.");
    return {
      public_address: user.public_address,
      username: user.username,
      name: user.name,
      bio: user.bio,
      avatar: user.avatar,
      created_at: user.created_at,
    };
  }

  async preferences(address: string): Promise<JsonObject> {
    return parseJson<JsonObject>((await this.users.preferences(normalizeAddress(address))) ?? null, {});
  }

  async mergePreferences(address: string, patch: JsonObject): Promise<JsonObject> {
    const me = normalizeAddress(address);
    const at = nowIso(this.clock);
    await ensureUser(this.users, me, at);
    const merged = mergePatch(await this.preferences(me), patch) as JsonObject;
    const text = JSON.stringify(merged);
    if (Buffer.byteLength(text, "utf8") > PREFERENCES_MAX_BYTES) {
      throw new FloworkError("PAYLOAD_TOO_LARGE", "Preferences are limited to 64 KiB.", {
        details: { limit: PREFERENCES_MAX_BYTES },
      });
    }
    await this.users.putPreferences(me, text, at);
    return merged;
  }

  isAdmin(address: string): boolean {
    return this.admins.has(address.toLowerCase());
  }

  async listUsers(): Promise<AdminUserRow[]> {
    const rows: AdminUserRow[] = [];
    for (const user of await this.users.list()) {
      rows.push({
        public_address: user.public_address,
        username: user.username,
        email: user.email,
        tier: (await this.entitlements.subscription(user.public_address)).tier,
        engines: await this.engines.countByOwner(user.public_address),
        created_at: user.created_at,
      });
    }
    return rows;
  }

  private async toProfile(user: UserRow): Promise<Profile> {
    const { tier } = await this.entitlements.subscription(user.public_address);
    return {
      public_address: user.public_address,
      username: user.username,
      email: user.email,
      name: user.name,
      bio: user.bio,
      avatar: user.avatar,
      tier,
      permissions: this.isAdmin(user.public_address) ? ["admin"] : [],
      created_at: user.created_at,
    };
  }
}
