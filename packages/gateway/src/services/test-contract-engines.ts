import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addr, type OpenTestDb, openWorld, type World } from "./test-harness.js";

/** Engines: CRUD, tokens, presence, visibility, pairing. */
export function enginesContract(openDb: OpenTestDb): void {
  describe("engines", () => {
    let w: World;
    beforeEach(async () => {
      w = await openWorld(openDb);
    });
    afterEach(async () => w.close());

    it("creates an engine with a one-time token stored only as its SHA-256", async () => {
      const owner = addr();
      const created = await w.services.engines.create(owner, "  Laptop  ");
      expect(created).toMatchObject({ name: "Laptop", status: "offline" });
      expect(created.raw_token).toMatch(/^dev_engine_[0-9a-f]{32}$/);
      const row = await w.db
        .selectFrom("engines")
        .selectAll()
        .where("id", "=", created.id)
        .executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(createHash("sha256").update(created.raw_token).digest("hex"));
      expect(JSON.stringify(row)).not.toContain(created.raw_token);
      const list = await w.services.engines.list(owner);
      expect(list).toEqual([
        {
          id: created.id,
          name: "Laptop",
          status: "offline",
          last_seen: null,
          vitals: null,
          role: "owner",
          created_at: expect.any(String),
        },
      ]);
      await expect(w.services.engines.create(owner, "   ")).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });

    it("looks engines up by token, and a reset token kills the old one", async () => {
      const owner = addr();
      const e = await w.services.engines.create(owner, "e");
      expect(await w.services.engines.engineByToken(e.raw_token)).toEqual({
        engine_id: e.id,
        name: "e",
        owner_address: owner,
      });
      expect(await w.services.engines.engineByToken("dev_engine_" + "0".repeat(32))).toBeUndefined();
      expect(await w.services.engines.engineByToken("garbage")).toBeUndefined();
      const reset = await w.services.engines.resetToken(e.id, owner);
      expect(reset.engine_id).toBe(e.id);
      expect(await w.services.engines.engineByToken(e.raw_token)).toBeUndefined();
      expect((await w.services.engines.engineByToken(reset.token))?.engine_id).toBe(e.id);
      expect(w.events).toContainEqual({ name: "disconnectEngine", args: [e.id] });
    });

    it("hides engines from strangers the same way whether or not they exist", async () => {
      const owner = addr();
      const e = await w.services.engines.create(owner, "e");
      const stranger = addr();
      await expect(w.services.engines.get(e.id, stranger)).rejects.toMatchObject({
        code: "AUTH_NOT_AUTHORIZED",
      });
      await expect(w.services.engines.get("no-such-id", stranger)).rejects.toMatchObject({
        code: "AUTH_NOT_AUTHORIZED",
      });
      expect((await w.services.engines.get(e.id, owner.toUpperCase().replace("0X", "0x"))).role).toBe(
        "owner",
      );
    });

    it("renames and deletes (owner only) with events", async () => {
      const owner = addr();
      const guest = addr();
      const e = await w.services.engines.create(owner, "e");
      await w.services.shares.share(e.id, owner, { address: guest, role: "admin" });
      await expect(w.services.engines.rename(e.id, guest, "x")).rejects.toMatchObject({
        code: "AUTH_FORBIDDEN_ROLE",
      });
      expect((await w.services.engines.rename(e.id, owner, "renamed")).name).toBe("renamed");
      expect(w.events).toContainEqual({ name: "engineChanged", args: [e.id] });
      await expect(w.services.engines.delete(e.id, guest)).rejects.toMatchObject({
        code: "AUTH_FORBIDDEN_ROLE",
      });
      await w.services.engines.delete(e.id, owner);
      expect(w.events).toContainEqual({ name: "engineDeleted", args: [e.id, owner, [guest]] });
      expect(await w.services.engines.list(owner)).toEqual([]);
      expect(await w.services.engines.engineByToken(e.raw_token)).toBeUndefined();
      expect(await w.services.engines.visibleEngines(guest)).toEqual([]);
    });

    it("tracks presence and vitals", async () => {
      const owner = addr();
      const e = await w.services.engines.create(owner, "e");
      const at = new Date("2030-02-01T00:00:00.000Z");
      await w.services.engines.markOnline(e.id, at);
      expect(await w.services.engines.get(e.id, owner)).toMatchObject({
        status: "online",
        last_seen: at.toISOString(),
      });
      await w.services.engines.updateVitals(e.id, { cpu_percent: 12.5, active_jobs: 1 });
      expect((await w.services.engines.get(e.id, owner)).vitals).toEqual({
        cpu_percent: 12.5,
        active_jobs: 1,
      });
      await w.services.engines.markOffline(e.id);
      expect(await w.services.engines.get(e.id, owner)).toMatchObject({
        status: "offline",
        last_seen: new Date(w.now()).toISOString(),
      });
      await expect(w.services.engines.updateVitals(e.id, { blob: "x".repeat(20_000) })).rejects.toMatchObject(
        {
          code: "PAYLOAD_TOO_LARGE",
        },
      );
    });

    it("saves many engines' vitals at once, each with its own last_seen", async () => {
      const owner = addr();
      const engines: { id: string }[] = [];
      for (let i = 0; i < 3; i++) engines.push(await w.services.engines.create(owner, `v${i}`));
      const [a, b, c] = engines.map((e) => e.id);
      const t1 = new Date("2030-03-01T00:00:01.000Z");
      const t2 = new Date("2030-03-01T00:00:02.000Z");
      const written = await w.services.engines.saveVitals([
        { engine_id: a!, vitals: { cpu_percent: 1 }, at: t1 },
        { engine_id: b!, vitals: { cpu_percent: 2, version: "x'; drop table engines; --" }, at: t2 },
        { engine_id: c!, vitals: { blob: "x".repeat(20_000) }, at: t2 },
        { engine_id: "no-such-engine", vitals: { cpu_percent: 3 }, at: t2 },
      ]);
      expect(written).toBe(3);
      expect(await w.services.engines.get(a!, owner)).toMatchObject({
        vitals: { cpu_percent: 1 },
        last_seen: t1.toISOString(),
      });
      expect(await w.services.engines.get(b!, owner)).toMatchObject({
        vitals: { cpu_percent: 2, version: "x'; drop table engines; --" },
        last_seen: t2.toISOString(),
      });
      expect(await w.services.engines.get(c!, owner)).toMatchObject({ vitals: null, last_seen: null });
      expect(await w.services.engines.saveVitals([])).toBe(0);
      // More rows than one statement holds: every row is written.
      const rows = Array.from({ length: 1_201 }, (_, i) => ({
        engine_id: engines[i]?.id ?? `missing-${i}`,
        vitals: { cpu_percent: i },
        at: t2,
      }));
      expect(await w.services.engines.saveVitals(rows)).toBe(1_201);
      expect((await w.services.engines.get(c!, owner)).vitals).toEqual({ cpu_percent: 2 });
    });

    it("answers visibility, roles, audience and auth info", async () => {
      const owner = addr();
      const guest = addr();
      const e = await w.services.engines.create(owner, "e");
      const other = await w.services.engines.create(addr(), "other");
      await w.services.shares.share(e.id, owner, { address: guest, role: "runner" });
      await w.services.shares.share(
        other.id,
        (await w.services.engines.authInfo(other.id)).owner_address ?? "",
        {
          address: guest,
          role: "reader",
        },
      );
      expect(await w.services.engines.roleOf(e.id, owner)).toBe("owner");
      expect(await w.services.engines.roleOf(e.id, guest)).toBe("runner");
      expect(await w.services.engines.roleOf(e.id, addr())).toBeUndefined();
      expect(await w.services.engines.roleOf("nope", owner)).toBeUndefined();
      expect(await w.services.engines.audience(e.id)).toEqual([owner, guest]);
      expect(await w.services.engines.audience("nope")).toEqual([]);
      const visible = await w.services.engines.visibleEngines(guest);
      expect(visible.map((v) => [v.id, v.role]).sort()).toEqual(
        [
          [e.id, "runner"],
          [other.id, "reader"],
        ].sort(),
      );
      const shared = await w.services.engines.sharedWithMe(guest);
      const mine = shared.find((s) => s.id === e.id);
      expect(mine?.owner?.public_address).toBe(owner);
      expect(mine?.owner?.username).toMatch(/^user_/);
      expect(mine?.shared_at).toEqual(expect.any(String));
      const info = await w.services.engines.authInfo(e.id);
      expect(info).toEqual({
        engine_id: e.id,
        name: "e",
        owner_address: owner,
        authorized_addresses: [owner, guest],
        shares: [{ address: guest, role: "runner" }],
        tier: "enterprise",
        quotas: { engines: null, shares_per_engine: null, monthly_executions: null },
        disabled_components: [],
      });
      await expect(w.services.engines.authInfo("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await w.services.engines.listAll()).map((r) => r.id)).toContain(e.id);
    });

    it("pairs an unowned engine with a single-use code", async () => {
      const e = await w.services.engines.createUnowned("local");
      expect((await w.services.engines.engineByToken(e.raw_token))?.owner_address).toBeNull();
      const code = await w.services.pairing.createCode(e.id);
      expect(code.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
      expect(Date.parse(code.expires_at) - w.now()).toBe(10 * 60 * 1000);
      const stored = await w.db.selectFrom("pairing_codes").selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(code.code);
      const me = addr();
      const typed = `${code.code.slice(0, 4).toLowerCase()}-${code.code.slice(4)}`;
      expect(await w.services.pairing.claim(typed, me)).toMatchObject({ id: e.id, role: "owner" });
      expect(await w.services.engines.roleOf(e.id, me)).toBe("owner");
      expect(w.events).toContainEqual({ name: "refreshAuthList", args: [e.id] });
      await expect(w.services.pairing.claim(code.code, addr())).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await w.services.engines.roleOf(e.id, me)).toBe("owner");
    });

    it("refuses an expired pairing code and an unknown one", async () => {
      const e = await w.services.engines.createUnowned("local");
      const code = await w.services.pairing.createCode(e.id);
      w.advance(10 * 60 * 1000 + 1);
      await expect(w.services.pairing.claim(code.code, addr())).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(w.services.pairing.claim("ZZZZZZZZ", addr())).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(w.services.pairing.createCode("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("lets exactly one of two concurrent claims win", async () => {
      const e = await w.services.engines.createUnowned("local");
      const { code } = await w.services.pairing.createCode(e.id);
      const results = await Promise.allSettled([
        w.services.pairing.claim(code, addr()),
        w.services.pairing.claim(code, addr()),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    });
  });
}
