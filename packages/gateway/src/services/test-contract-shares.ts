import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addr, type OpenTestDb, openWorld, type World } from "./test-harness.js";

/** Shares: list, share by address or username, upsert, unshare, permissions. */
export function sharesContract(openDb: OpenTestDb): void {
  describe("shares", () => {
    let w: World;
    beforeEach(async () => {
      w = await openWorld(openDb);
    });
    afterEach(async () => w.close());

    it("shares by address (creating the guest), upserts, lists and unshares", async () => {
      const owner = addr();
      const guest = addr();
      const e = await w.services.engines.create(owner, "e");
      const first = await w.services.shares.share(e.id, owner, {
        address: guest.toUpperCase().replace("0X", "0x"),
        role: "reader",
      });
      expect(first.created).toBe(true);
      expect(first.share).toMatchObject({ public_address: guest, role: "reader" });
      expect(first.share.username).toMatch(/^user_/);
      expect(w.events).toContainEqual({ name: "shareChanged", args: [e.id, guest, "new", "reader"] });
      expect(w.events).toContainEqual({ name: "refreshAuthList", args: [e.id] });
      const second = await w.services.shares.share(e.id, owner, { address: guest, role: "admin" });
      expect(second.created).toBe(false);
      expect(second.share.shared_at).toBe(first.share.shared_at);
      expect(w.events).toContainEqual({ name: "shareChanged", args: [e.id, guest, "updated", "admin"] });
      expect(await w.services.shares.list(e.id, owner)).toEqual([second.share]);
      expect(await w.services.shares.list(e.id, guest)).toEqual([second.share]);
      await w.services.shares.unshare(e.id, owner, guest);
      expect(w.events).toContainEqual({ name: "shareChanged", args: [e.id, guest, "removed"] });
      expect(await w.services.shares.list(e.id, owner)).toEqual([]);
      await expect(w.services.shares.unshare(e.id, owner, guest)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    });

    it("shares by username and refuses bad requests", async () => {
      const owner = addr();
      const guest = addr();
      await w.services.users.updateProfile(guest, { username: "guesty" });
      const e = await w.services.engines.create(owner, "e");
      const { share } = await w.services.shares.share(e.id, owner, { username: "guesty", role: "runner" });
      expect(share.public_address).toBe(guest);
      await expect(
        w.services.shares.share(e.id, owner, { username: "ghost_user", role: "runner" }),
      ).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(
        w.services.shares.share(e.id, owner, { address: guest, role: "owner" }),
      ).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(
        w.services.shares.share(e.id, owner, { address: owner, role: "reader" }),
      ).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      await expect(w.services.shares.share(e.id, owner, { role: "reader" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
    });

    it("lets only the owner share, and owner or admin list", async () => {
      const owner = addr();
      const runner = addr();
      const adminGuest = addr();
      const e = await w.services.engines.create(owner, "e");
      await w.services.shares.share(e.id, owner, { address: runner, role: "runner" });
      await w.services.shares.share(e.id, owner, { address: adminGuest, role: "admin" });
      await expect(w.services.shares.list(e.id, runner)).rejects.toMatchObject({
        code: "AUTH_FORBIDDEN_ROLE",
      });
      await expect(w.services.shares.list(e.id, addr())).rejects.toMatchObject({
        code: "AUTH_NOT_AUTHORIZED",
      });
      expect(await w.services.shares.list(e.id, adminGuest)).toHaveLength(2);
      await expect(
        w.services.shares.share(e.id, adminGuest, { address: addr(), role: "reader" }),
      ).rejects.toMatchObject({ code: "AUTH_FORBIDDEN_ROLE" });
      await expect(w.services.shares.unshare(e.id, adminGuest, runner)).rejects.toMatchObject({
        code: "AUTH_FORBIDDEN_ROLE",
      });
    });
  });
}
