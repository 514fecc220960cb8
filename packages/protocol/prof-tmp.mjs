import { createVerifier, MemoryReplayCache, signEnvelope, signerFromPrivateKey, verifyEnvelope, EnvelopePayloadSchema, hashEnvelopePayload } from "./dist/index.js";
import { createNativeRecoverer } from "./dist/node/index.js";
const native = createNativeRecoverer();
const signer = signerFromPrivateKey(`0x${"5a".repeat(32)}`);
const pool = [];
for (let i = 0; i < 500; i++) pool.push(await signEnvelope(signer, "eng", { type: "execute_workflow", request_id: `r-${i}`, preset_name: "daily-report", mode: "EXECUTE", initial_payload: { customer: "acme", items: [1, 2, 3], note: "ünïcödé ok" } }));
function t(name, n, f) { const s = performance.now(); for (let i = 0; i < n; i++) f(i); const d = performance.now() - s; console.log(name, (d * 1000 / n).toFixed(2), "us"); }
for (let r = 0; r < 3; r++) {
t("zod payload", 20000, (i) => EnvelopePayloadSchema.safeParse(pool[i % 500].payload));
t("hash payload", 20000, (i) => hashEnvelopePayload(pool[i % 500].payload));
t("recover", 5000, (i) => native.recoverAddress(pool[i % 500].auth.message, pool[i % 500].auth.signature));
let s = performance.now(); let n = 0;
for (let k = 0; k < 10; k++) { const v = createVerifier({ recoverer: native, replayCache: new MemoryReplayCache() }); for (const e of pool) { await verifyEnvelope(v, e, "eng"); n++; } }
console.log("full", ((performance.now() - s) * 1000 / n).toFixed(2), "us");
}
