import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Proc, spawnFlowork } from "./gateway-process.js";
import {
  GUI_BUILT,
  HAVE_CHROMIUM,
  launchChromium,
  mouseDrag,
  screenshot,
  watchErrors,
} from "./gui-browser.js";

const PASS = "correct horse battery";
let dir: string;
let up: Proc;
let url: string;
let code: string;
let browser: Browser;
let page: Page;
let errors: string[];

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
const handle = (id: string, port: string) => `${node(id)} .react-flow__handle[data-handleid="${port}"]`;

async function dragFromPalette(name: string, x: number, y: number): Promise<void> {
  await page.getByRole("searchbox", { name: "Search components" }).fill(name);
  await page
    .getByRole("button", { name: `Component ${name}`, exact: true })
    .dragTo(page.getByTestId("canvas"), { targetPosition: { x, y } });
}

async function selectNode(id: string): Promise<void> {
  await page.locator(`${node(id)} .fw-node-title`).click();
}

describe("GUI in a real browser against flowork up", () => {
  it("has Debian's chromium and a built GUI (.ci/run installs chromium; a missing one fails here, never skips)", () => {
    expect(HAVE_CHROMIUM, "/usr/bin/chromium (apt-get install -y chromium)").toBe(true);
    expect(GUI_BUILT, "packages/gui/dist (npm run build)").toBe(true);
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowork-gui-"));
    up = await spawnFlowork(
      ["up", "--data", join(dir, "data"), "--port", "0", "--engine-port", "0"],
      {},
      /pairing code: ([A-Z0-9]{8})[\s\S]*Stop with Ctrl-C/,
    );
    url = /open:\s+(http:\/\/localhost:\d+)\//.exec(up.output())?.[1] as string;
    code = up.match[1] as string;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = watchErrors(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    const killer = setTimeout(() => up?.child.kill("SIGKILL"), 10_000);
    await up?.stop("SIGTERM");
    clearTimeout(killer);
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("serves the SPA at / and for client routes, never for /api or missing assets", async () => {
    const root = await fetch(`${url}/`);
    expect(root.headers.get("content-type")).toMatch(/text\/html/);
    expect(root.headers.get("cache-control")).toBe("no-cache");
    const html = await root.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
    const js = await fetch(`${url}${asset}`);
    expect(js.headers.get("content-type")).toMatch(/javascript/);
    expect(js.headers.get("cache-control")).toContain("immutable");
    expect(await (await fetch(`${url}/engines/some/route`)).text()).toContain('<div id="root">');
    expect((await fetch(`${url}/assets/nope-123.js`)).status).toBe(404);
    expect((await fetch(`${url}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
    const api = await fetch(`${url}/api/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("creates a key, signs in, pairs the local engine and sees it online", async () => {
    await page.goto(`${url}/`);
    await screenshot(page, "01-identity");
    await page.getByLabel("New passphrase").fill(PASS);
    await page.getByLabel("Repeat passphrase").fill(PASS);
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("heading", { name: "Engines" }).waitFor({ timeout: 20_000 });
    const stored = await page.evaluate(() => localStorage.getItem("flowork.identity.v1"));
    expect(stored).toContain("ciphertext");
    expect(stored).not.toMatch(/0x[0-9a-f]{64}/);
    await page.getByLabel("Pairing code").fill(code);
    await page.getByRole("button", { name: "Claim" }).click();
    await page.locator('tr[data-engine-id] .badge[data-status="online"]').waitFor({ timeout: 15_000 });
    await expect(page.locator("tr[data-engine-id]").first().textContent()).resolves.toContain("owner");
    await screenshot(page, "02-engines");
  }, 60_000);

  it("builds a 4-node workflow by dragging and connecting, configures it, runs it green with logs, simulates it", async () => {
    await page
      .getByRole("button", { name: /in the editor$/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Component Manual Trigger" }).waitFor({ timeout: 15_000 });
    await dragFromPalette("Manual Trigger", 80, 120);
    await dragFromPalette("Set Data", 330, 120);
    await dragFromPalette("Log Message", 580, 120);
    await dragFromPalette("Delay", 580, 300);
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(4);
    await mouseDrag(page, handle("n1", "output"), handle("n2", "input"));
    await mouseDrag(page, handle("n2", "success"), handle("n3", "input"));
    await mouseDrag(page, handle("n2", "success"), handle("n4", "input"));
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(3);

    await selectNode("n2");
    await page.getByLabel("Fields").fill("greeting=hello\nbad line");
    await expect(page.getByRole("alert").first().textContent()).resolves.toMatch(/key=value/);
    await page.getByLabel("Fields").fill("greeting=hello");
    await selectNode("n4");
    await page.getByLabel("Milliseconds").fill("ten");
    await expect(page.getByRole("alert").first().textContent()).resolves.toMatch(/whole number/);
    await page.getByLabel("Milliseconds").fill("50");
    await selectNode("n3");
    await page.locator("#cfg-message").fill("said {{payload.greeting}} from the GUI");
    await screenshot(page, "03-editor");

    await page.getByRole("button", { name: "Execute" }).click();
    for (const id of ["n1", "n2", "n3", "n4"]) {
      await page.locator(`[data-testid="node-${id}"][data-status="SUCCEEDED"]`).waitFor({ timeout: 15_000 });
    }
    await page.getByRole("log").getByText("said hello from the GUI").waitFor({ timeout: 10_000 });
    // The run's final status reaches the page (it did not before the claimed-engine room fix).
    await page
      .locator('[aria-label="Run status"][data-mode="EXECUTE"]', { hasText: "SUCCEEDED" })
      .waitFor({ timeout: 10_000 });
    await expect(page.locator('[data-testid="node-n4"] .duration').textContent()).resolves.toMatch(/\d+ ms/);
    await screenshot(page, "04-run");

    await page.getByRole("button", { name: "Simulate" }).click();
    // The simulated run ends SUCCEEDED, with every node green again.
    await page
      .locator('[aria-label="Run status"][data-mode="SIMULATE"]', { hasText: "SUCCEEDED" })
      .waitFor({ timeout: 15_000 });
    for (const id of ["n1", "n2", "n3", "n4"]) {
      await page.locator(`[data-testid="node-${id}"][data-status="SUCCEEDED"]`).waitFor({ timeout: 15_000 });
    }
    await screenshot(page, "05-simulate");
  }, 90_000);

  it("saves a preset, reloads the page, unlocks and loads the preset back", async () => {
    await page.getByLabel("Preset name").fill("gui-demo");
    await page.getByRole("button", { name: "Save preset" }).click();
    await page.getByRole("status").getByText("Preset saved").waitFor({ timeout: 10_000 });

    await page.reload();
    await page.getByRole("heading", { name: "Unlock your key" }).waitFor();
    await page.getByLabel("Passphrase").fill("wrong passphrase");
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByRole("alert").getByText("Wrong passphrase.").waitFor({ timeout: 10_000 });
    await page.getByLabel("Passphrase").fill(PASS);
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.locator('tr[data-engine-id] .badge[data-status="online"]').waitFor({ timeout: 15_000 });
    await page
      .getByRole("button", { name: /in the editor$/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Component Manual Trigger" }).waitFor({ timeout: 15_000 });
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(0);
    await page.getByLabel("Presets").selectOption("gui-demo");
    await page.getByRole("button", { name: "Load preset" }).click();
    await page.locator(node("n4")).waitFor({ timeout: 10_000 });
    await expect(page.locator(".react-flow__node").count()).resolves.toBe(4);
    await expect(page.locator(".react-flow__edge").count()).resolves.toBe(3);
    await selectNode("n3");
    await expect(page.locator("#cfg-message").inputValue()).resolves.toBe(
      "said {{payload.greeting}} from the GUI",
    );
    await screenshot(page, "06-preset-loaded");
    expect(errors).toEqual([]);
  }, 90_000);
});
