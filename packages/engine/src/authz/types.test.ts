import { describe, expect, it } from "vitest";
import { AuthInfoSchema, AuthList, UNROLED_AUTHORIZED_ROLE } from "./types.js";

const OWNER = `0x${"A".repeat(40)}`;
const RUNNER = `0x${"b".repeat(40)}`;
const ADMIN = `0x${"c".repeat(40)}`;
const LEGACY = `0x${"d".repeat(40)}`;
const STRANGER = `0x${"e".repeat(40)}`;

const answer = {
  engine_id: "eng-1",
  name: "Home",
  owner_address: OWNER,
  authorized_addresses: [OWNER, RUNNER, ADMIN, LEGACY],
  shares: [
    { address: RUNNER, role: "runner", shared_at: "2025-01-01T00:00:00Z" },
    { address: ADMIN.toUpperCase().replace("0X", "0x"), role: "admin" },
  ],
  tier: "builder",
  quotas: { monthly_executions: 1000 },
  disabled_components: ["shell_command"],
  future_field: { anything: true },
};

describe("AuthInfoSchema", () => {
  it("lowercases addresses and keeps extra fields", () => {
    const info = AuthInfoSchema.parse(answer);
    expect(info.owner_address).toBe(OWNER.toLowerCase());
    expect(info.shares[1]?.address).toBe(ADMIN);
    expect(info.authorized_addresses[0]).toBe(OWNER.toLowerCase());
    expect(info["future_field"]).toEqual({ anything: true });
  });

  it("fills missing lists with empty ones and accepts an unclaimed engine", () => {
    const info = AuthInfoSchema.parse({ engine_id: "eng-2" });
    expect(info).toMatchObject({
      owner_address: null,
      authorized_addresses: [],
      shares: [],
      disabled_components: [],
      tier: null,
      quotas: null,
    });
  });

  it.each([
    ["an unknown role", { ...answer, shares: [{ address: RUNNER, role: "superuser" }] }],
    ["a bad address", { ...answer, authorized_addresses: ["0x123"] }],
    ["a missing engine id", { ...answer, engine_id: undefined }],
    ["an engine id that cannot be a scope", { ...answer, engine_id: "a | b" }],
    ["an empty engine id", { ...answer, engine_id: "" }],
    ["a non-array shares", { ...answer, shares: "all" }],
  ])("rejects %s", (_name, body) => {
    expect(AuthInfoSchema.safeParse(body).success).toBe(false);
  });
});

describe("AuthList.fromAuthInfo", () => {
  const list = AuthList.fromAuthInfo(AuthInfoSchema.parse(answer));

  it("derives roles: owner, shares, authorized-only as reader, strangers none", () => {
    expect(list.roleOf(OWNER)).toBe("owner");
    expect(list.roleOf(RUNNER)).toBe("runner");
    expect(list.roleOf(ADMIN)).toBe("admin");
    expect(list.roleOf(LEGACY)).toBe(UNROLED_AUTHORIZED_ROLE);
    expect(UNROLED_AUTHORIZED_ROLE).toBe("reader");
    expect(list.roleOf(STRANGER)).toBeUndefined();
  });

  it("looks addresses up in any case", () => {
    expect(list.roleOf(OWNER.toLowerCase())).toBe("owner");
    expect(list.roleOf(`0x${"B".repeat(40)}`)).toBe("runner");
  });

  it("exposes the engine id, owner and disabled components", () => {
    expect(list.engineId).toBe("eng-1");
    expect(list.ownerAddress).toBe(OWNER.toLowerCase());
    expect(list.disabledComponents.has("shell_command")).toBe(true);
    expect(list.size).toBe(4);
  });

  it("gives the strongest grant when an address is granted twice", () => {
    const twice = AuthList.fromAuthInfo(
      AuthInfoSchema.parse({
        engine_id: "e",
        owner_address: OWNER,
        shares: [
          { address: OWNER, role: "reader" },
          { address: RUNNER, role: "admin" },
          { address: RUNNER, role: "reader" },
        ],
      }),
    );
    expect(twice.roleOf(OWNER)).toBe("owner");
    expect(twice.roleOf(RUNNER)).toBe("admin");
  });

  it("has a fingerprint independent of list order", () => {
    const reordered = AuthList.fromAuthInfo(
      AuthInfoSchema.parse({
        ...answer,
        authorized_addresses: [...answer.authorized_addresses].reverse(),
        shares: [...answer.shares].reverse(),
      }),
    );
    expect(reordered.fingerprint()).toBe(list.fingerprint());
    const changed = AuthList.fromAuthInfo(AuthInfoSchema.parse({ ...answer, disabled_components: [] }));
    expect(changed.fingerprint()).not.toBe(list.fingerprint());
  });
});

describe("AuthList.fromEntries", () => {
  it("lowercases and has no gateway info", () => {
    const list = AuthList.fromEntries("local", [
      { address: OWNER, role: "owner" },
      { address: RUNNER, role: "runner" },
    ]);
    expect(list.roleOf(OWNER.toLowerCase())).toBe("owner");
    expect(list.ownerAddress).toBe(OWNER.toLowerCase());
    expect(list.info).toBeUndefined();
    expect(list.entries()).toEqual([
      { address: OWNER.toLowerCase(), role: "owner" },
      { address: RUNNER, role: "runner" },
    ]);
  });
});
