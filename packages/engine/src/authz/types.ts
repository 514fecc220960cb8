import { AddressSchema, isValidScope, type Role, RoleSchema, roleAtLeast } from "@flowork/protocol";
import { z } from "zod";

/** Longest engine id accepted (it is signed as the `GUI-to-Engine` scope, SPEC section 1). */
export const MAX_ENGINE_ID_LENGTH = 128;
/** Bound on every list in an auth answer, so a broken gateway cannot make the engine hold unbounded data. */
const MAX_LIST_ENTRIES = 10_000;

/** An engine id: non-empty, at most 128 characters, and signable as a scope (no control characters, no ` | `). */
export const EngineIdSchema = z
  .string()
  .max(MAX_ENGINE_ID_LENGTH)
  .refine(
    (id) => isValidScope(id),
    "engine id must be non-empty, trimmed and free of control characters and ' | '",
  );

/** An address, any case on input, lowercase on output (SPEC conventions). */
export const LowercaseAddressSchema = AddressSchema.transform((address) => address.toLowerCase());

/** One share: an address and the role the owner gave it. Extra fields are tolerated. */
export const ShareSchema = z.looseObject({ address: LowercaseAddressSchema, role: RoleSchema });

/**
 * The gateway's answer to `GET /api/v1/engine/get-engine-auth-info` (SPEC section 2). Extra fields are tolerated
 * (a newer gateway may add some); the known ones are validated, and one invalid entry rejects the whole answer,
 * so the engine keeps its last good list rather than guessing. `owner_address` is `null` while the engine is
 * unclaimed. Lists missing from the answer default to empty.
 */
export const AuthInfoSchema = z.looseObject({
  engine_id: EngineIdSchema,
  name: z.string().max(256).default(""),
  owner_address: LowercaseAddressSchema.nullable().default(null),
  authorized_addresses: z.array(LowercaseAddressSchema).max(MAX_LIST_ENTRIES).default([]),
  shares: z.array(ShareSchema).max(MAX_LIST_ENTRIES).default([]),
  tier: z.string().max(64).nullable().default(null),
  quotas: z.record(z.string(), z.unknown()).nullable().default(null),
  disabled_components: z.array(z.string().max(256)).max(MAX_LIST_ENTRIES).default([]),
});

/** A validated auth answer; addresses are lowercase. */
export type AuthInfo = z.output<typeof AuthInfoSchema>;

/** One address and its role on the engine. */
export interface AuthEntry {
  address: string;
  role: Role;
}

/**
 * The role of an address that appears only in `authorized_addresses` (neither owner nor in `shares`). Such an
 * address comes from an older gateway that sends no roles; it gets the weakest role, so a missing role never
 * grants more than reading.
 */
export const UNROLED_AUTHORIZED_ROLE: Role = "reader";

/**
 * The engine's authorization list (SPEC section 1 rule 7): who may do what on this engine. Immutable; a refresh
 * builds a new one.
 *
 * Roles are derived as follows, and when an address is granted more than once the strongest grant wins:
 * `owner_address` → `owner`; each share → its role; an address only in `authorized_addresses` →
 * {@link UNROLED_AUTHORIZED_ROLE} (`reader`).
 *
 * @example
 * const list = AuthList.fromAuthInfo(info);
 * assertEngineRole(list.roleOf(verified.address), "runner");
 */
export class AuthList {
  /** The id this engine signs as (the `GUI-to-Engine` scope). */
  readonly engineId: string;
  /** Module ids the operator disabled for this engine (`COMPONENT_DISABLED`). */
  readonly disabledComponents: ReadonlySet<string>;
  /** The owner, lowercase (standalone: the first `owner` entry); `undefined` while unclaimed or when none. */
  readonly ownerAddress: string | undefined;
  /** The gateway answer this list was built from; `undefined` for a standalone list. */
  readonly info: AuthInfo | undefined;
  readonly #roles: ReadonlyMap<string, Role>;

  private constructor(
    engineId: string,
    roles: Map<string, Role>,
    disabled: Iterable<string>,
    info: AuthInfo | undefined,
    ownerAddress: string | undefined,
  ) {
    this.engineId = engineId;
    this.#roles = roles;
    this.disabledComponents = new Set(disabled);
    this.info = info;
    this.ownerAddress = ownerAddress;
  }

  /** Builds the list from a validated gateway answer. */
  static fromAuthInfo(info: AuthInfo): AuthList {
    const roles = new Map<string, Role>();
    for (const address of info.authorized_addresses) grant(roles, address, UNROLED_AUTHORIZED_ROLE);
    for (const share of info.shares) grant(roles, share.address, share.role);
    if (info.owner_address !== null) grant(roles, info.owner_address, "owner");
    return new AuthList(
      info.engine_id,
      roles,
      info.disabled_components,
      info,
      info.owner_address ?? undefined,
    );
  }

  /** Builds a list from explicit entries (standalone mode). Addresses are lowercased; the strongest grant wins. */
  static fromEntries(
    engineId: string,
    entries: Iterable<AuthEntry>,
    disabledComponents: Iterable<string> = [],
  ): AuthList {
    const roles = new Map<string, Role>();
    for (const entry of entries) grant(roles, entry.address.toLowerCase(), entry.role);
    const owner = [...roles].find(([, role]) => role === "owner")?.[0];
    return new AuthList(engineId, roles, disabledComponents, undefined, owner);
  }

  /** The role of `address` (any case), or `undefined` when it has none on this engine. */
  roleOf(address: string): Role | undefined {
    return this.#roles.get(address.toLowerCase());
  }

  /** Every address with its role, sorted by address. */
  entries(): AuthEntry[] {
    return [...this.#roles]
      .map(([address, role]) => ({ address, role }))
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  /** How many addresses have a role. */
  get size(): number {
    return this.#roles.size;
  }

  /**
   * A stable text that changes exactly when what the engine enforces changes (id, roles, disabled components,
   * tier, quotas), independent of the order the gateway listed things in.
   */
  fingerprint(): string {
    return JSON.stringify([
      this.engineId,
      this.entries().map((e) => [e.address, e.role]),
      [...this.disabledComponents].sort(),
      this.info?.tier ?? null,
      this.info?.quotas ?? null,
    ]);
  }
}

function grant(roles: Map<string, Role>, address: string, role: Role): void {
  const had = roles.get(address);
  if (had === undefined || !roleAtLeast(had, role)) roles.set(address, role);
}

/**
 * Where the engine gets its authorization list from: the gateway ({@link GatewayAuthSource}) or the
 * environment (standalone). The dispatcher only needs `roleOf`.
 */
export interface AuthSource {
  /** The current list, or `undefined` when there is none (nobody is authorized). */
  current(): AuthList | undefined;
  /** The role of `address` in the current list; `undefined` when there is no list or no role. */
  roleOf(address: string): Role | undefined;
}

/** An {@link AuthSource} that always answers with the same list (standalone mode, tests). */
export function staticAuthSource(list: AuthList): AuthSource {
  return { current: () => list, roleOf: (address) => list.roleOf(address) };
}
