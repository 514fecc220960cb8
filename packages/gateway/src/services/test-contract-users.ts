import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addr, type OpenTestDb, openWorld, type World } from "./test-harness.js";

/** Users: login, profiles, usernames, preferences, admin listing. */
export function usersContract(openDb: OpenTestDb): void {
  describe("users", () => {
    let w: World;
    const admin = addr();
    beforeEach(async () => {
      w = await openWorld(openDb, { admins: [admin] });
    });
    afterEach(async () => w.close());

    it("creates the user on first login with a valid derived username", async () => {
      const a = `0xABCDEF${"1".repeat(30)}9F0E`;
      const p = await w.services.users.login(a);
      expect(p.public_address).toBe(a.toLowerCase());
      expect(p.username).toBe("user_abcdef_9f0e");
      expect(p.username).toMatch(/^[a-z0-9_]{3,32}$/);
      expect(p.tier).toBe("enterprise");
      expect(p.permissions).toEqual([]);
      const again = await w.services.users.login(a.toLowerCase());
      expect(again.created_at).toBe(p.created_at);
    });

    it("widens the username when the short one is taken", async () => {
      const a = `0x123456${"a".repeat(30)}beef`;
      const b = `0x123456${"b".repeat(30)}beef`;
      const pa = await w.services.users.login(a);
      const pb = await w.services.users.login(b);
      expect(pa.username).toBe("user_123456_beef");
      expect(pb.username).not.toBe(pa.username);
      expect(pb.username).toMatch(/^[a-z0-9_]{3,32}$/);
    });

    it("marks admins", async () => {
      expect((await w.services.users.login(admin)).permissions).toEqual(["admin"]);
      expect(w.services.users.isAdmin(admin.toUpperCase().replace("0X", "0x"))).toBe(true);
    });

    it("updates the profile and refuses a taken or invalid username", async () => {
      const a = addr();
      const b = addr();
      await w.services.users.login(b);
      const p = await w.services.users.updateProfile(a, { username: "alice_1", name: "Alice", bio: null });
      expect(p).toMatchObject({ username: "alice_1", name: "Alice", bio: null });
      expect((await w.services.users.profile(a)).username).toBe("alice_1");
      await expect(w.services.users.updateProfile(b, { username: "alice_1" })).rejects.toMatchObject({
        code: "CONFLICT",
      });
      await expect(w.services.users.updateProfile(b, { username: "Bad-Name" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(w.services.users.updateProfile(b, { username: "ab" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });

    it("serves public profiles by address or username, without email", async () => {
      const a = addr();
      await w.services.users.updateProfile(a, { username: "pubby", email: "p@example.com" });
      const byName = await w.services.users.publicProfile("pubby");
      const byAddr = await w.services.users.publicProfile(a.toUpperCase().replace("0X", "0x"));
      expect(byName).toEqual(byAddr);
      expect(byName).not.toHaveProperty("email");
      await expect(w.services.users.publicProfile("nobody_here")).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(w.services.users.publicProfile(addr())).rejects.toMatchObject({ code: "NOT_FOUND" });
    });

    it("merges preferences as a JSON merge patch and caps them at 64 KiB", async () => {
      const a = addr();
      expect(await w.services.users.preferences(a)).toEqual({});
      await w.services.users.mergePreferences(a, { theme: "dark", editor: { grid: true, zoom: 1 } });
      const merged = await w.services.users.mergePreferences(a, {
        editor: { zoom: null, snap: 2 },
        lang: "en",
      });
      expect(merged).toEqual({ theme: "dark", editor: { grid: true, snap: 2 }, lang: "en" });
      expect(await w.services.users.preferences(a)).toEqual(merged);
      await expect(
        w.services.users.mergePreferences(a, { big: "x".repeat(65 * 1024) }),
      ).rejects.toMatchObject({
        code: "PAYLOAD_TOO_LARGE",
        details: { limit: 65536 },
      });
      expect(await w.services.users.preferences(a)).toEqual(merged);
    });

    it("rejects malformed addresses", async () => {
      await expect(w.services.users.login("0x123")).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    });

    it("lists users for admins with tier and engine count", async () => {
      const a = addr();
      await w.services.engines.create(a, "one");
      const rows = await w.services.users.listUsers();
      expect(rows.find((r) => r.public_address === a)).toMatchObject({ engines: 1, tier: "enterprise" });
    });
  });
}
