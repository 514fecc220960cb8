import { createVerifier, MemoryReplayCache, signEnvelope, signerFromPrivateKey, verifyEnvelope } from "./dist/index.js";
import { createNativeRecoverer } from "./dist/node/index.js";
const native = createNativeRecoverer();
const signer = signerFromPrivateKey(`0x${"5a".repeat(32)}`);
const pool = [];
for (let i = 0; i < 500; i++) pool.push(await signEnvelope(signer, "eng_6f1d0c3b9a7e4d21", { type: "execute_workflow", request_id: `r-${i}`, preset_name: "daily-report", mode: "EXECUTE", initial_payload: { customer: "acme", items: [1, 2, 3], note: "ünïcödé ok" } }));
const s = performance.now(); let n = 0;
for (let k = 0; k < 60; k++) { const v = createVerifier({ recoverer: native, replayCache: new MemoryReplayCache() }); for (const e of pool) { await verifyEnvelope(v, e, "eng_6f1d0c3b9a7e4d21"); n++; } }
console.log("full", ((performance.now() - s) * 1000 / n).toFixed(2), "us");
