import { keccak256 } from "./dist/node/index.js";
const pk = new Uint8Array(64);
for (let r = 0; r < 3; r++) { const s = performance.now(); for (let i = 0; i < 100000; i++) keccak256(pk); console.log(((performance.now() - s) * 10).toFixed(2), "us"); }
