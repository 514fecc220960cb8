/**
 * Where the compiled worker entry lives. From `dist/` it sits next to this file. When this file runs as
 * TypeScript (vitest runs `src/` directly) a Worker still needs JavaScript, so it points at the compiled copy
 * in `dist/`, which `tsc -b` produces before the tests run.
 */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../../dist/sandbox/worker.js", here) : new URL("./worker.js", here);
}
