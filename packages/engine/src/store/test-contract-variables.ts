import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EngineStore } from "./index.js";
import type { ContractHarness } from "./test-contract.js";

const SECRET = "s3cr3t-Ünïcode-value-7f9a2c";
const SECRET_LIST = ["list-secret-one-4b1d", "list-secret-two-93e0"];
const plain = { mode: "single", is_secret: false, is_enabled: true } as const;
const secret = { mode: "single", is_secret: true, is_enabled: true } as const;

/** Every file under `dir` (recursively), including SQLite's -wal and -shm. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

/** Files under `dir` that contain any of `needles` as UTF-8, UTF-16LE or base64. */
async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const patterns = needles.flatMap((n) => [
    Buffer.from(n, "utf8"),
    Buffer.from(n, "utf16le"),
    Buffer.from(Buffer.from(n, "utf8").toString("base64").slice(0, 16)),
  ]);
  const hits: string[] = [];
  for (const file of await allFiles(dir)) {
    const bytes = await readFile(file);
    if (patterns.some((p) => bytes.includes(p))) hits.push(file);
  }
  return hits;
}

/** Every text cell of every engine table, through SQL (so the check also means something on PostgreSQL). */
async function allStoredText(store: EngineStore): Promise<string> {
  const tables = [
    "meta",
    "variables",
    "settings",
    "preset_versions",
    "executions",
    "execution_events",
    "audit_log",
  ];
  let text = "";
  for (const table of tables) {
    const rows = await store.db
      .selectFrom(table as "meta")
      .selectAll()
      .execute();
    text += JSON.stringify(rows);
  }
  return text;
}

export function describeVariableContract(h: ContractHarness): void {
  describe("variables", () => {
    it("lists secrets masked, loadAll decrypts them, plain ones as stored", async () => {
      const { variables } = h.store;
      const view = await variables.upsert("API_KEY", { ...secret, value: SECRET, values: SECRET_LIST });
      expect(view).toEqual({ name: "API_KEY", value: "", values: [], ...secret });
      await variables.upsert("REGION", { ...plain, mode: "random", value: "eu", values: ["eu", "us"] });
      expect(await variables.list()).toEqual([
        { name: "API_KEY", value: "", values: [], ...secret },
        { name: "REGION", value: "eu", values: ["eu", "us"], ...plain, mode: "random" },
      ]);
      const all = await variables.loadAll();
      expect(all.get("API_KEY")).toEqual({ value: SECRET, values: SECRET_LIST, ...secret });
      expect(all.get("REGION")).toEqual({ value: "eu", values: ["eu", "us"], ...plain, mode: "random" });
      expect(await variables.get("API_KEY")).toEqual(all.get("API_KEY"));
      expect(await variables.get("NOPE")).toBeUndefined();
    });

    it("never writes a secret in clear: not in any file of the data folder (WAL/SHM too), nor in any row", async () => {
      await h.store.variables.upsert("API_KEY", { ...secret, value: SECRET, values: SECRET_LIST });
      await h.store.variables.upsert("API_KEY", { ...secret, is_enabled: false });
      await h.store.variables.upsert("OTHER", { ...secret, value: SECRET });
      // Control: the scan does find a value stored in clear (so an empty result means something).
      await h.store.variables.upsert("CONTROL", { ...plain, value: "visible-control-value" });
      if (h.databaseInDataDir)
        expect(await filesContaining(h.dataDir, ["visible-control-value"])).not.toEqual([]);
      expect(JSON.stringify(await h.store.variables.list())).not.toContain(SECRET);
      expect(await filesContaining(h.dataDir, [SECRET, ...SECRET_LIST])).toEqual([]);
      expect(await allStoredText(h.store)).not.toContain(SECRET);
      const reopened = await h.reopen();
      expect(await filesContaining(h.dataDir, [SECRET, ...SECRET_LIST])).toEqual([]);
      expect((await reopened.variables.get("API_KEY"))?.value).toBe(SECRET);
      await reopened.close();
      expect(await filesContaining(h.dataDir, [SECRET, ...SECRET_LIST])).toEqual([]);
    });

    it("keeps stored values when value/values are omitted (toggle a secret without resending it)", async () => {
      const { variables } = h.store;
      await variables.upsert("TOKEN", { ...secret, value: SECRET, values: SECRET_LIST });
      await variables.upsert("TOKEN", { ...secret, is_enabled: false });
      expect(await variables.get("TOKEN")).toEqual({
        value: SECRET,
        values: SECRET_LIST,
        ...secret,
        is_enabled: false,
      });
      await variables.upsert("TOKEN", { ...secret, values: ["new"] });
      expect(await variables.get("TOKEN")).toMatchObject({ value: SECRET, values: ["new"] });
      await variables.upsert("NEW_ONE", { ...plain });
      expect(await variables.get("NEW_ONE")).toMatchObject({ value: "", values: [] });
    });

    it("makes a plain variable secret, keeping (and now encrypting) its values", async () => {
      const { variables } = h.store;
      await variables.upsert("WAS_PLAIN", { ...plain, value: SECRET });
      await variables.upsert("WAS_PLAIN", { ...secret });
      expect((await variables.list())[0]).toMatchObject({ value: "", is_secret: true });
      expect((await variables.get("WAS_PLAIN"))?.value).toBe(SECRET);
      expect(await allStoredText(h.store)).not.toContain(SECRET);
      await h.store.close();
      // The clear copy lived only while it was plain: none is left once the store is closed.
      expect(await filesContaining(h.dataDir, [SECRET])).toEqual([]);
    });

    it("refuses to make a secret plain without a new value, and never reveals the old one", async () => {
      const { variables } = h.store;
      await variables.upsert("PW", { ...secret, value: SECRET, values: SECRET_LIST });
      await expect(variables.upsert("PW", { ...plain })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
      expect((await variables.list())[0]).toMatchObject({ is_secret: true, value: "" });
      const view = await variables.upsert("PW", { ...plain, value: "public" });
      expect(view).toEqual({ name: "PW", value: "public", values: [], ...plain });
    });

    it("deletes", async () => {
      await h.store.variables.upsert("X", { ...plain, value: "1" });
      expect(await h.store.variables.delete("X")).toBe(true);
      expect(await h.store.variables.delete("X")).toBe(false);
      expect(await h.store.variables.list()).toEqual([]);
    });

    it("waits for a concurrent writer of the same variable instead of losing its update", async () => {
      await h.store.variables.upsert("V", { ...plain, value: "old", values: ["a"] });
      let release = (): void => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let markLocked = (): void => {};
      const locked = new Promise<void>((resolve) => {
        markLocked = resolve;
      });
      const writer = h.store.db.transaction().execute(async (trx) => {
        await trx.updateTable("variables").set({ value: "new" }).where("name", "=", "V").execute();
        markLocked();
        await held;
      });
      await locked;
      // value omitted: the upsert must keep the value committed by the writer, not the one it saw before.
      const upsert = h.store.variables.upsert("V", { ...plain, values: ["b"] });
      await new Promise((resolve) => setTimeout(resolve, 150));
      release();
      await writer;
      expect(await upsert).toMatchObject({ value: "new", values: ["b"] });
      expect(await h.store.variables.get("V")).toMatchObject({ value: "new", values: ["b"] });
    });

    it("refuses bad names and data with VALIDATION_FAILED, without echoing the value", async () => {
      const { variables } = h.store;
      await expect(variables.upsert("lower", { ...plain, value: "v" })).rejects.toMatchObject({
        code: "VALIDATION_FAILED",
      });
      const err = await variables
        .upsert("OK", { ...secret, value: SECRET, mode: "bogus" as "single" })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "VALIDATION_FAILED", details: { issues: expect.any(Array) } });
      expect(JSON.stringify(err)).not.toContain(SECRET);
    });

    it("binds a ciphertext to its variable: moved to another one it does not decrypt", async () => {
      const { variables, db } = h.store;
      await variables.upsert("FIRST", { ...secret, value: "first-secret" });
      await variables.upsert("SECOND", { ...secret, value: "second-secret" });
      const first = await db
        .selectFrom("variables")
        .select("value")
        .where("name", "=", "FIRST")
        .executeTakeFirstOrThrow();
      await db.updateTable("variables").set({ value: first.value }).where("name", "=", "SECOND").execute();
      await expect(variables.get("SECOND")).rejects.toMatchObject({
        code: "INTERNAL",
        message: /could not be decrypted/,
      });
      const all = await variables.loadAll();
      expect(all.has("SECOND")).toBe(false);
      expect(all.get("FIRST")?.value).toBe("first-secret");
      expect(h.warnings.some((w) => w.details["name"] === "SECOND")).toBe(true);
      expect(JSON.stringify(h.warnings)).not.toContain("first-secret");
    });

    it("refuses a different key while secrets exist (CONFLICT), adopts it when none do", async () => {
      const keyA = "a".repeat(64);
      const keyB = Buffer.alloc(32, 7).toString("base64");
      let store = await h.reopen({ secretKey: keyA });
      await store.variables.upsert("S", { ...secret, value: SECRET });
      await store.close();
      const err = await h.open({ secretKey: keyB }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/secret key/) });
      store = await h.open({ secretKey: keyA });
      expect((await store.variables.get("S"))?.value).toBe(SECRET);
      expect(await store.variables.delete("S")).toBe(true);
      await store.close();
      store = await h.open({ secretKey: keyB });
      expect(h.warnings.some((w) => /key changed/.test(w.message))).toBe(true);
      await store.variables.upsert("S", { ...secret, value: "under-b" });
      expect((await store.variables.get("S"))?.value).toBe("under-b");
    });

    it("accepts a passphrase key and derives the same key on reopen", async () => {
      let store = await h.reopen({ secretKey: "correct horse battery staple" });
      await store.variables.upsert("P", { ...secret, value: SECRET });
      await store.close();
      store = await h.open({ secretKey: "correct horse battery staple" });
      expect((await store.variables.get("P"))?.value).toBe(SECRET);
      await store.close();
      await expect(h.open({ secretKey: "wrong horse battery staple" })).rejects.toMatchObject({
        code: "CONFLICT",
      });
    });
  });
}
