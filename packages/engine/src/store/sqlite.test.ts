import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEngineStore } from "./index.js";
import { describeEngineStoreContract } from "./test-contract.js";

describeEngineStoreContract("sqlite", {
  databaseInDataDir: true,
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), "flowork-store-"));
    return {
      dataDir,
      open: (extras) => openEngineStore({ dataDir, env: {}, ...extras }),
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  },
});
