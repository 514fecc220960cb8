#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the code lives in dist/.
import("../dist/bin.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND") {
    process.stderr.write("flowork: not built yet — run `npm run build` at the repository root first.\n");
    process.exit(2);
  }
  throw err;
});
