// Prints the closing line CI reads: `N passed, N failed` (and `, N skipped` when any were skipped),
// from vitest's JSON report.
import { existsSync, readFileSync } from "node:fs";

const file = process.argv[2] ?? ".ci/test-results.json";
// The test command's exit status: vitest exits non-zero on unhandled errors even when every test passed.
const status = Number(process.argv[3] ?? "0");
if (!existsSync(file)) {
  console.log("0 passed, 1 failed");
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const passed = report.numPassedTests ?? 0;
// A suite that fails to load has no failed test of its own: count it, so it can never read as green.
const failedTests = report.numFailedTests ?? 0;
const failedSuites = report.numFailedTestSuites ?? 0;
let failed = failedTests + (failedTests === 0 && failedSuites > 0 ? failedSuites : 0);
if (status !== 0 && failed === 0) {
  console.log(
    `the test command exited ${status} with no failed test (unhandled errors): counted as a failure`,
  );
  failed = 1;
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
