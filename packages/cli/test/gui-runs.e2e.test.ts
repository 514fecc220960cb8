import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createKeyAndPair,
  dragFromPalette,
  GUI_BUILT,
  HAVE_CHROMIUM,
  handleSel,
  launchChromium,
  mouseDrag,
  nodeSel,
  screenshot,
  startUp,
  stopUp,
  type UpForBrowser,
  watchErrors,
} from "./gui-browser.js";

/*
 * The editor's run features (issue #5) in a real browser against `flowork up`: pause and resume, a node's run
 * details, the execution history shown on the canvas, preset versions, and the shortcuts help.
 */

const PASS = "correct horse battery";
let u: UpForBrowser | undefined;
let browser: Browser;
let page: Page;
let errors: string[];
let jobId = "";

const nodeStatus = (id: string, status: string) =>
  page.locator(`[data-testid="node-${id}"][data-status="${status}"]`);
const runStatus = (text: string) => page.locator('[aria-label="Run status"]', { hasText: text });

async function selectNode(id: string): Promise<void> {
  await page.locator(`${nodeSel(id)} .fw-node-title`).click();
}

describe("GUI run features in a real browser against flowork up", () => {
  it("has Debian's chromium and a built GUI (a missing one fails here, never skips)", () => {
    expect(HAVE_CHROMIUM, "/usr/bin/chromium (apt-get install -y chromium)").toBe(true);
    expect(GUI_BUILT, "packages/gui/dist (npm run build)").toBe(true);
  });

  beforeAll(async () => {
    u = await startUp("flowork-gui-runs-");
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 950 } });
    errors = watchErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stopUp(u);
  }, 30_000);

  it("signs in, pairs the engine, builds trigger → set data → delay → log", async () => {
    if (!u) throw new Error("flowork up did not start");
    await createKeyAndPair(page, u, PASS);
    await page
      .getByRole("button", { name: /in the editor$/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Component Manual Trigger" }).waitFor({ timeout: 15_000 });
    await dragFromPalette(page, "Manual Trigger", 60, 120);
    await dragFromPalette(page, "Set Data", 290, 120);
    await dragFromPalette(page, "Delay", 520, 120);
    await dragFromPalette(page, "Log Message", 750, 120);
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(4);
    await mouseDrag(page, handleSel("n1", "output"), handleSel("n2", "input"));
    await mouseDrag(page, handleSel("n2", "success"), handleSel("n3", "input"));
    await mouseDrag(page, handleSel("n3", "success"), handleSel("n4", "input"));
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(3);
    await selectNode("n2");
    await page.getByLabel("Fields").fill("greeting=hello");
    await selectNode("n3");
    await page.getByLabel("Milliseconds").fill("3000");
    await selectNode("n4");
    await page.locator("#cfg-message").fill("said {{payload.greeting}} after the pause");
  }, 60_000);

  it("pauses a running job (PAUSED, no new node starts) and resumes it to SUCCEEDED", async () => {
    await expect(page.getByRole("button", { name: "Pause" }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Resume" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "Execute" }).click();
    await nodeStatus("n3", "RUNNING").waitFor({ timeout: 10_000 });
    await runStatus("RUNNING").waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Pause" }).click();
    await runStatus("PAUSED").waitFor({ timeout: 5_000 });
    await page.getByText("Paused: running nodes finish").waitFor();
    await expect(page.getByRole("button", { name: "Resume" }).isEnabled()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Pause" }).isDisabled()).resolves.toBe(true);
    // The delay that was running finishes; the log node after it does not start while paused.
    await nodeStatus("n3", "SUCCEEDED").waitFor({ timeout: 10_000 });
    await page.waitForTimeout(700);
    await expect(page.locator('[data-testid="node-n4"]').getAttribute("data-status")).resolves.toBe("IDLE");
    await expect(runStatus("PAUSED").count()).resolves.toBe(1);
    await screenshot(page, "runs-01-paused");

    await page.getByRole("button", { name: "Resume" }).click();
    await runStatus("SUCCEEDED").waitFor({ timeout: 10_000 });
    for (const id of ["n1", "n2", "n3", "n4"]) await nodeStatus(id, "SUCCEEDED").waitFor({ timeout: 5_000 });
    await page.getByRole("log").getByText("said hello after the pause").waitFor({ timeout: 5_000 });
    jobId = (await page.getByTestId("job-id").textContent()) ?? "";
    expect(jobId).toMatch(/^gui-/);
  }, 60_000);

  it("opens a node's run details with its status, duration, output and log lines", async () => {
    await selectNode("n4");
    const details = page.getByRole("dialog", { name: "Run details of Log Message" });
    await details.waitFor({ timeout: 5_000 });
    await expect(details.getByTestId("debug-status").textContent()).resolves.toBe("SUCCEEDED");
    await expect(details.getByTestId("debug-duration").textContent()).resolves.toMatch(
      /^\d+ ms$|^\d+\.\d s$/,
    );
    // The last node's output is the run's result for it: set data's field, passed through delay and log.
    await expect(details.getByTestId("debug-output").textContent()).resolves.toContain('"greeting": "hello"');
    await details.getByText("said hello after the pause").waitFor();
    await screenshot(page, "runs-02-node-details");
    // The delay node's run details show its duration (3 s) and say its output is not reported.
    await selectNode("n3");
    const delay = page.getByRole("dialog", { name: "Run details of Delay" });
    await expect(delay.getByTestId("debug-duration").textContent()).resolves.toMatch(/^3\.\d s$/);
    await delay.getByText("Not reported").waitFor();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog", { name: /^Run details of/ }).count()).resolves.toBe(0);
  }, 30_000);

  it("lists the run in the execution history and shows it on the canvas, read-only, with its logs", async () => {
    // The edited workflow moves on: a fifth node, and no run colours once the view is open.
    await dragFromPalette(page, "Log Message", 750, 320);
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(5);

    await page.getByRole("button", { name: "History", exact: true }).click();
    const history = page.getByRole("complementary", { name: "Execution history" });
    const row = history.locator(`tr[data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: 10_000 });
    await expect(row.textContent()).resolves.toMatch(/SUCCEEDED.*Execute.*inline/);
    // Pausing does not stop the clock: the run took the delay's 3 s or more.
    await expect(row.locator("td").nth(5).textContent()).resolves.toMatch(/^[3-9]\.\d s$/);
    await screenshot(page, "runs-03-history");
    await history.getByRole("button", { name: `Open run ${jobId}` }).click();

    const banner = page.getByRole("region", { name: "Viewed run" });
    await banner.getByText(jobId).waitFor({ timeout: 10_000 });
    await banner.getByText("as the engine ran it").waitFor();
    await expect.poll(() => page.locator(".react-flow__node").count()).toBe(4);
    for (const id of ["n1", "n2", "n3", "n4"]) await nodeStatus(id, "SUCCEEDED").waitFor({ timeout: 5_000 });
    await page.getByText("Logs of the viewed run").waitFor();
    await page.getByRole("log").getByText("said hello after the pause").waitFor({ timeout: 5_000 });
    await expect(page.getByTestId("job-id").textContent()).resolves.toBe(jobId);
    await expect(page.getByRole("button", { name: "Execute" }).isDisabled()).resolves.toBe(true);
    await expect(
      page.getByRole("button", { name: "Component Log Message", exact: true }).isDisabled(),
    ).resolves.toBe(true);
    // The stored run's details come from the engine's record of it.
    await selectNode("n4");
    const details = page.getByRole("dialog", { name: "Run details of Log Message" });
    await expect(details.getByTestId("debug-output").textContent()).resolves.toContain('"greeting": "hello"');
    await screenshot(page, "runs-04-viewed-run");

    await banner.getByRole("button", { name: "Back to editing" }).click();
    await expect(page.getByRole("region", { name: "Viewed run" }).count()).resolves.toBe(0);
    await expect.poll(() => page.locator(".react-flow__node").count()).toBe(5);
    await expect(page.getByRole("button", { name: "Execute" }).isEnabled()).resolves.toBe(true);
    await page.getByRole("button", { name: "History", exact: true }).click();
  }, 60_000);

  it("saves a preset twice (v1, v2) and loads version 1 back", async () => {
    await page.getByLabel("Preset name").fill("runs-demo");
    await page.getByRole("button", { name: "Save preset" }).click();
    const version = page.getByLabel("Preset version", { exact: true });
    await expect.poll(() => version.textContent(), { timeout: 10_000 }).toBe("v1");
    await selectNode("n4");
    await page.getByLabel("Node name").fill("Second log");
    await page.getByRole("button", { name: "Save preset" }).click();
    await expect.poll(() => version.textContent(), { timeout: 10_000 }).toBe("v2");
    await page.getByRole("status").getByText("runs-demo version 2").waitFor({ timeout: 5_000 });
    await expect(page.locator(`${nodeSel("n4")} .fw-node-title`).textContent()).resolves.toBe("Second log");

    await page.getByLabel("Presets").selectOption("runs-demo");
    const picker = page.getByLabel("Version to load");
    await expect
      .poll(() => picker.locator("option").allTextContents(), { timeout: 10_000 })
      .toEqual([
        expect.stringMatching(/^Latest \(v2\)$/),
        expect.stringMatching(/^v2 · /),
        expect.stringMatching(/^v1 · /),
      ]);
    await picker.selectOption("1");
    await page.getByRole("button", { name: "Load preset" }).click();
    await expect.poll(() => version.textContent(), { timeout: 10_000 }).toBe("v1");
    await expect(page.locator(`${nodeSel("n4")} .fw-node-title`).textContent()).resolves.toBe("Log Message");
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(5);
    await screenshot(page, "runs-05-preset-v1");
  }, 60_000);

  it("lists the shortcuts in a help popover, opened with ? and closed with Escape", async () => {
    // Focus off any field (shortcuts do not fire while typing): a click on plain text.
    await page.locator(".logs-head strong").click();
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts help" });
    await help.waitFor({ timeout: 5_000 });
    for (const keys of ["Ctrl+Z", "Ctrl+C", "Ctrl+Enter", "Ctrl+S", "Ctrl+H", "Escape"]) {
      await help.getByText(keys, { exact: true }).waitFor();
    }
    await screenshot(page, "runs-06-shortcuts");
    await page.keyboard.press("Escape");
    await expect(help.count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  }, 30_000);
});
