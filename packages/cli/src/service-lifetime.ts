/**
 * Runs a long-lived service until SIGTERM or SIGINT, then closes it and exits 0. The exit is explicit: work that was
 * in flight was checkpointed by `close` (a long delay node, a queued run), and its timers must not hold the process —
 * the next start (or another worker) resumes it.
 */
export async function serveUntilSignal(
  close: () => Promise<void>,
  log: { info(message: string): void },
): Promise<never> {
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log.info(`${signal}: shutting down`);
  await close();
  process.exit(0);
}
