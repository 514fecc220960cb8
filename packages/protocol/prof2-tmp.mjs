import canonicalize from "canonicalize";
import { sha256 } from "viem";
import { createHash } from "node:crypto";
import { personalMessageBytes, parseSignature } from "./dist/index.js";
import { keccak256 } from "./dist/node/index.js";
const p = { type: "execute_workflow", request_id: `r-1`, preset_name: "daily-report", mode: "EXECUTE", initial_payload: { customer: "acme", items: [1, 2, 3], note: "ünïcödé ok" } };
const enc = new TextEncoder();
const c = canonicalize(p); const b = enc.encode(c);
const m = "Flowork GUI-to-Engine Authentication: 1796303921668 | address=0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a | scope=engine-1 | nonce=af068dabd8d2def984e664c484e5001e | payload=91e21ac9100d6aa6748f4f0bb1891a468983ce91276e25f2729e1539161f0089";
const mb = personalMessageBytes(m); const pk = new Uint8Array(64);
const sig = "0x079d753a881bc398860a6966a48aade68de54589ba5f2732838a8179e1a86db26ac37419cdc152cb57cac7bd2e2f2830eff918d6b675f9d60e3b31ca33c55c511c";
function t(name, n, f) { for (let i = 0; i < 2000; i++) f(); const s = performance.now(); for (let i = 0; i < n; i++) f(i); const d = performance.now() - s; console.log(name.padEnd(20), (d * 1000 / n).toFixed(2), "us"); }
for (let r = 0; r < 2; r++) {
t("canonicalize", 50000, () => canonicalize(p));
t("encode", 50000, () => enc.encode(c));
t("viem sha256", 50000, () => sha256(b));
t("node sha256", 50000, () => createHash("sha256").update(b).digest("hex"));
t("keccak msg", 50000, () => keccak256(mb));
t("keccak pk", 50000, () => keccak256(pk));
t("msgbytes", 50000, () => personalMessageBytes(m));
t("parseSig", 50000, () => parseSignature(sig));
}
