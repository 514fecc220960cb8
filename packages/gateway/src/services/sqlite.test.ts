import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openGatewayDb } from "../db/open.js";
import { describeGatewayStoreContract } from "./test-contract.js";

describeGatewayStoreContract("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowork-gw-sqlite-"));
  const db = await openGatewayDb(`sqlite:${join(dir, "gateway.db")}`);
  return {
    db,
    close: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
