import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Proc, spawnFlowork, startGatewayProcess } from "./gateway-process.js";
import {
  GUI_BUILT,
  HAVE_CHROMIUM,
  launchChromium,
  mouseDrag,
  screenshot,
  watchErrors,
} from "./gui-browser.js";

// The callbacks given to `page.evaluate` run in the browser. The test type check uses Node's lib, not the DOM's
// (whose fetch types clash with Node's), so the few browser globals they read are declared here, for this file.
declare const document: { querySelectorAll(selectors: string): ArrayLike<{ readonly value: string }> };
declare const localStorage: { getItem(key: string): string | null };
declare const navigator: { clipboard: { readText(): Promise<string> } };

const PASS = "correct horse battery";
let dir: string;
let up: Proc;
let url: string;
let code: string;
let browser: Browser;
let page: Page;
let errors: string[];
/** The local engine's id and direct WebSocket URL, as `flowork up` prints them. */
let engineId: string;
let engineWs: string;
/** The second identity (a guest the engine is shared with), in its own browser context. */
let guestContext: BrowserContext | undefined;
let guest: Page;
let guestErrors: string[];
let billed: (Proc & { url: string }) | undefined;
const SECRET = "s3cret-gui-value-7f41";
const WEBHOOK_SECRET = "gui-e2e-webhook-secret";

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

/** Creates a key in a fresh browser context and signs in; resolves with the new identity's address. */
async function newIdentity(p: Page, base: string): Promise<string> {
  await p.goto(`${base}/`);
  await p.getByLabel("New passphrase").fill(PASS);
  await p.getByLabel("Repeat passphrase").fill(PASS);
  await p.getByRole("button", { name: "Create key" }).click();
  await p.getByRole("heading", { name: "Engines" }).waitFor({ timeout: 20_000 });
  const address = (await p.locator('code[title="Your address"]').textContent()) ?? "";
  expect(address).toMatch(/^0x[0-9a-f]{40}$/);
  return address;
}

/** Opens a page from the main navigation and waits for its heading. */
async function go(p: Page, name: string): Promise<void> {
  await p.getByRole("navigation", { name: "Main" }).getByRole("button", { name, exact: true }).click();
  await p.getByRole("heading", { name, level: 1 }).waitFor({ timeout: 10_000 });
}

/** Everything a user could read or copy from the page: its HTML and the live value of every form field. */
async function visibleText(p: Page): Promise<string> {
  const values = await p.evaluate(() =>
    Array.from(document.querySelectorAll("input, textarea, select"), (e) => e.value),
  );
  return `${await p.content()}\n${values.join("\n")}`;
}

/** Removes the console errors a step expects (and must see), so every other error still fails the test. */
function takeExpected(list: string[], pattern: RegExp): string[] {
  const taken = list.filter((e) => pattern.test(e));
  const rest = list.filter((e) => !pattern.test(e));
  list.splice(0, list.length, ...rest);
  return taken;
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
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
    const printed = /engine:\s+(\S+) on (ws:\/\/\S+\/)/.exec(up.output());
    engineId = printed?.[1] as string;
    engineWs = printed?.[2] as string;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = watchErrors(page);
  }, 60_000);

  afterAll(async () => {
    await guestContext?.close();
    await browser?.close();
    await billed?.stop("SIGTERM");
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

  it("shares the engine with a second browser identity, whose view shows it with its role, live", async () => {
    await go(page, "Engines");
    const row = page.locator(`tr[data-engine-id="${engineId}"]`);
    const name = ((await row.locator("td").first().textContent()) ?? "").trim();
    expect(name).toMatch(/^local-/);

    guestContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    guest = await guestContext.newPage();
    guestErrors = watchErrors(guest);
    const guestAddress = await newIdentity(guest, url);
    await guest.getByText("No engines yet.").waitFor();

    await page.getByRole("button", { name: `Share ${name}` }).click();
    const form = page.getByRole("form", { name: `Share ${name} with someone` });
    await form.getByLabel("Address or username").fill("not an address!");
    await expect(form.getByRole("button", { name: "Share engine" }).isDisabled()).resolves.toBe(true);
    await form.getByLabel("Address or username").fill(guestAddress);
    await form.getByLabel("Role").selectOption("runner");
    await form.getByRole("button", { name: "Share engine" }).click();
    const shares = page.getByRole("table", { name: `People ${name} is shared with` });
    const shareRow = shares.locator(`tr[data-share="${guestAddress}"]`);
    await shareRow.waitFor({ timeout: 10_000 });
    await expect(shareRow.getByLabel(/^Role of user_/).inputValue()).resolves.toBe("runner");

    // The guest's dashboard gets it live (new_shared_engine), with the role, without a reload.
    const guestRow = guest.locator(`tr[data-engine-id="${engineId}"]`);
    await guestRow.waitFor({ timeout: 10_000 });
    await expect(guestRow.getByTestId("role").textContent()).resolves.toBe("runner");
    await expect(guestRow.textContent()).resolves.toContain(name);
    await guestRow.locator('.badge[data-status="online"]').waitFor({ timeout: 10_000 });
    // ...and the guest sees no owner actions on it.
    await expect(guestRow.getByRole("button", { name: `Share ${name}` }).count()).resolves.toBe(0);

    // A role change reaches the guest live too (shared_engine_updated), and survives a reload.
    await shareRow.getByLabel(/^Role of user_/).selectOption("reader");
    await guest
      .locator(`tr[data-engine-id="${engineId}"] [data-testid="role"]`, { hasText: /^reader$/ })
      .waitFor({ timeout: 10_000 });
    await screenshot(page, "07-shared-owner");
    await screenshot(guest, "08-shared-guest");
    await guest.reload();
    await guest.getByLabel("Passphrase").fill(PASS);
    await guest.getByRole("button", { name: "Unlock" }).click();
    await guest
      .locator(`tr[data-engine-id="${engineId}"] [data-testid="role"]`, { hasText: "reader" })
      .waitFor({ timeout: 15_000 });
    await expect(guest.locator(`tr[data-engine-id="${engineId}"]`).textContent()).resolves.toMatch(
      /shared by user_/,
    );
  }, 90_000);

  it("keeps a secret variable write-only: created, shown masked, never in the DOM in clear, for owner and guest", async () => {
    await go(page, "Variables");
    await page.getByText("No variables on this engine yet.").waitFor({ timeout: 10_000 });
    const form = page.getByRole("form", { name: "New variable" });
    await form.getByLabel("Name").fill("bad-name");
    await form.getByRole("button", { name: "Save variable" }).click();
    await expect(form.getByRole("alert").textContent()).resolves.toMatch(/Upper-case letters/);
    await form.getByLabel("Name").fill("GREETING");
    await form.getByLabel("Value", { exact: true }).fill("hello there");
    await form.getByRole("button", { name: "Save variable" }).click();
    await page
      .locator('tr[data-variable="GREETING"]', { hasText: "hello there" })
      .waitFor({ timeout: 10_000 });

    await form.getByLabel("Name").fill("API_TOKEN");
    await form.getByLabel("Secret").check();
    const value = form.getByLabel("Value", { exact: true });
    await expect(value.getAttribute("type")).resolves.toBe("password");
    await value.fill(SECRET);
    await form.getByRole("button", { name: "Save variable" }).click();
    const secretRow = page.locator('tr[data-variable="API_TOKEN"]');
    await secretRow.waitFor({ timeout: 10_000 });
    await expect(secretRow.textContent()).resolves.toMatch(/••••••••\s*secret/);
    expect(await visibleText(page)).not.toContain(SECRET);

    // Editing a secret starts empty and requires a new value.
    await page.getByRole("button", { name: "Edit API_TOKEN" }).click();
    const edit = page.getByRole("form", { name: "Edit variable API_TOKEN" });
    await expect(edit.getByLabel("New value").inputValue()).resolves.toBe("");
    await edit.getByRole("button", { name: "Save variable" }).click();
    await expect(edit.getByRole("alert").textContent()).resolves.toMatch(/Type a new value/);
    await edit.getByRole("button", { name: "Cancel" }).click();
    expect(await visibleText(page)).not.toContain(SECRET);
    await screenshot(page, "09-variables");

    // The guest (reader) sees the same list, masked, and no way to change it.
    await go(guest, "Variables");
    await guest.locator('tr[data-variable="API_TOKEN"]').waitFor({ timeout: 10_000 });
    await guest.getByText("you can see its variables").waitFor();
    await expect(guest.getByRole("form", { name: "New variable" }).count()).resolves.toBe(0);
    expect(await visibleText(guest)).not.toContain(SECRET);
    await screenshot(guest, "10-variables-guest");

    // With a second engine the page offers a picker; an engine that is offline is a sentence, not a hang.
    await go(page, "Engines");
    await page.getByLabel("Engine name").fill("zz-spare");
    await page.getByRole("button", { name: "Register" }).click();
    await page.getByRole("button", { name: "I have saved it" }).click();
    await go(page, "Variables");
    const picker = page.getByLabel("Engine", { exact: true });
    await picker.waitFor({ timeout: 10_000 });
    await expect(picker.locator("option").count()).resolves.toBe(2);
    const spare = await picker.locator("option", { hasText: "zz-spare" }).getAttribute("value");
    await picker.selectOption(spare as string);
    await page
      .getByRole("alert")
      .filter({ hasText: "Could not load the variables: The engine is offline." })
      .waitFor({ timeout: 10_000 });
    await picker.selectOption(engineId);
    await page.locator('tr[data-variable="API_TOKEN"]').waitFor({ timeout: 10_000 });
    await go(page, "Engines");
    page.once("dialog", (d) => void d.accept());
    await page.locator(`tr[data-engine-id="${spare}"]`).getByRole("button", { name: "Delete" }).click();
    await page.locator(`tr[data-engine-id="${spare}"]`).waitFor({ state: "detached", timeout: 10_000 });
  }, 60_000);

  it("edits engine settings through a form generated from the schema, with inline validation", async () => {
    await go(page, "Settings");
    const form = page.getByRole("form", { name: "Engine settings" });
    const max = form.getByLabel("Max concurrent executions");
    await expect(max.inputValue()).resolves.toBe("8");
    await max.fill("0");
    await expect(form.locator("#setting-max_concurrent_executions-error").textContent()).resolves.toBe(
      "Between 1 and 1024.",
    );
    await expect(form.getByRole("button", { name: "Save settings" }).isDisabled()).resolves.toBe(true);
    await max.fill("4");
    await form.getByLabel("Log level").selectOption("DEBUG");
    await form.getByLabel("HTTP allowed hosts").fill("intranet.lan\n10.0.0.5");
    await form.getByRole("status").filter({ hasText: "3 unsaved changes" }).waitFor();
    await form.getByRole("button", { name: "Save settings" }).click();
    await form.getByRole("status").filter({ hasText: "Settings saved." }).waitFor({ timeout: 10_000 });
    await screenshot(page, "11-settings");
    // Read back from the engine after leaving the page.
    await go(page, "Engines");
    await go(page, "Settings");
    await expect(form.getByLabel("Max concurrent executions").inputValue()).resolves.toBe("4");
    await expect(form.getByLabel("HTTP allowed hosts").inputValue()).resolves.toBe("intranet.lan\n10.0.0.5");
    // The guest (reader) may read them, not change them.
    await go(guest, "Settings");
    await expect(guest.getByLabel("Max concurrent executions").inputValue()).resolves.toBe("4");
    await expect(guest.getByLabel("Max concurrent executions").isDisabled()).resolves.toBe(true);
  }, 60_000);

  it("shows billing as disabled on flowork up, with plans and unlimited usage", async () => {
    await go(page, "Billing");
    await page.getByTestId("billing-disabled").waitFor({ timeout: 10_000 });
    await expect(page.getByTestId("billing-disabled").textContent()).resolves.toMatch(
      /^Billing is disabled on this gateway/,
    );
    await expect(page.getByTestId("current-plan").textContent()).resolves.toMatch(/Enterprise.*active/);
    await page.getByRole("article", { name: "Plan Builder" }).waitFor();
    await expect(page.getByRole("button", { name: /^Upgrade to/ }).count()).resolves.toBe(0);
    await page.getByText(/Executions in \d{4}-\d{2}/).waitFor();
    await expect(page.getByText("(no limit)").count()).resolves.toBe(2);
    await page.getByText("No invoices yet.").waitFor();
    await screenshot(page, "12-billing-off");
  }, 30_000);

  it("edits the profile: inline username validation, a taken username refused, copy, sign out", async () => {
    await go(page, "Profile");
    const address = await page.locator('code[title="Your address"]').textContent();
    await expect(page.getByTestId("profile-address").textContent()).resolves.toBe(address);
    await expect(page.getByTestId("profile-tier").textContent()).resolves.toBe("enterprise");
    const form = page.getByRole("form", { name: "Edit profile" });
    await form.getByLabel("Username").fill("no");
    await expect(form.getByRole("alert").textContent()).resolves.toMatch(/3 to 32/);
    await form.getByLabel("Username").fill("gui_owner");
    await form.getByRole("button", { name: "Save profile" }).click();
    await form.getByRole("status").filter({ hasText: "Profile saved." }).waitFor({ timeout: 10_000 });
    await guestContext?.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
    await screenshot(page, "13-profile");

    await go(guest, "Profile");
    const guestForm = guest.getByRole("form", { name: "Edit profile" });
    await guestForm.getByLabel("Username").fill("gui_owner");
    await guestForm.getByRole("button", { name: "Save profile" }).click();
    await guestForm.getByRole("alert").getByText("That username is taken: choose another one.").waitFor({
      timeout: 10_000,
    });
    // The browser logs the refused request (409) itself; that one is expected, any other error is not.
    await expect.poll(() => guestErrors.some((e) => /status of 409/.test(e))).toBe(true);
    expect(takeExpected(guestErrors, /status of 409/)).toHaveLength(1);
    await guest.getByRole("button", { name: "Copy my address" }).click();
    await guest.getByRole("status").getByText("Address copied.").waitFor();
    await expect(guest.evaluate(() => navigator.clipboard.readText())).resolves.toMatch(/^0x[0-9a-f]{40}$/);
    await guest.getByRole("button", { name: "Sign out" }).click();
    await guest.getByRole("heading", { name: "Unlock your key" }).waitFor({ timeout: 10_000 });
    expect(guestErrors).toEqual([]);
  }, 60_000);

  it("runs the workflow over a direct connection to the engine's WebSocket, events included", async () => {
    const sent: string[] = [];
    const received: string[] = [];
    page.on("websocket", (ws) => {
      if (!ws.url().startsWith(engineWs)) return;
      ws.on("framesent", (f) => sent.push(String(f.payload)));
      ws.on("framereceived", (f) => received.push(String(f.payload)));
    });
    await go(page, "Engines");
    const row = page.locator(`tr[data-engine-id="${engineId}"]`);
    const name = ((await row.locator("td").first().textContent()) ?? "").trim();
    await expect(row.getByTestId("connection").textContent()).resolves.toBe("gateway");
    await row.getByRole("button", { name: `Connection of ${name}` }).click();
    const form = page.getByRole("form", { name: `Connection settings of ${name}` });
    await form.getByLabel("Direct").check();
    await form.getByLabel("Engine WebSocket URL").fill("http://127.0.0.1:1/");
    await expect(form.getByRole("alert").textContent()).resolves.toBe(
      "The URL must start with ws:// or wss://.",
    );

    // An engine that cannot be reached is a sentence, not a stack trace.
    const dead = `ws://127.0.0.1:${await closedPort()}/`;
    await form.getByLabel("Engine WebSocket URL").fill(dead);
    await form.getByRole("button", { name: "Test connection" }).click();
    await form
      .getByRole("alert")
      .getByText(/could not be reached directly/)
      .waitFor({ timeout: 10_000 });
    const refused = new RegExp(`WebSocket connection to '${dead}' failed`);
    await expect.poll(() => errors.some((e) => refused.test(e))).toBe(true);
    expect(takeExpected(errors, refused)).toHaveLength(1);

    await form.getByLabel("Engine WebSocket URL").fill(engineWs);
    await form.getByRole("button", { name: "Test connection" }).click();
    await form.getByRole("status").getByText(`Reached ${name} directly`, { exact: false }).waitFor({
      timeout: 10_000,
    });
    await form.getByRole("button", { name: "Save connection" }).click();
    await expect(row.getByTestId("connection").textContent()).resolves.toBe("direct");
    const stored = await page.evaluate(() => localStorage.getItem("flowork.connections.v1"));
    expect(JSON.parse(stored ?? "{}")).toEqual({ [engineId]: { mode: "direct", url: engineWs } });

    await page.getByRole("button", { name: `Open ${name} in the editor` }).click();
    await page.getByRole("button", { name: "Component Manual Trigger" }).waitFor({ timeout: 15_000 });
    await page.getByLabel("Presets").selectOption("gui-demo");
    await page.getByRole("button", { name: "Load preset" }).click();
    await page.locator(node("n4")).waitFor({ timeout: 10_000 });
    const before = sent.length;
    await page.getByRole("button", { name: "Execute" }).click();
    for (const id of ["n1", "n2", "n3", "n4"]) {
      await page.locator(`[data-testid="node-${id}"][data-status="SUCCEEDED"]`).waitFor({ timeout: 15_000 });
    }
    await page.getByRole("log").getByText("said hello from the GUI").last().waitFor({ timeout: 10_000 });
    // The command went over the direct socket, signed, and the run's events came back on it.
    const execute = sent.slice(before).find((f) => f.includes('"type":"execute_workflow"'));
    expect(execute).toBeDefined();
    expect(JSON.parse(execute as string)).toMatchObject({
      auth: { address: expect.stringMatching(/^0x[0-9a-f]{40}$/), signature: expect.stringMatching(/^0x/) },
    });
    expect(received.some((f) => f.includes('"type":"log"') && f.includes("said hello from the GUI"))).toBe(
      true,
    );
    expect(received.some((f) => f.includes('"type":"NODE_EXECUTION_METRIC"'))).toBe(true);
    await screenshot(page, "14-direct-run");

    await go(page, "Engines");
    await expect(row.getByTestId("connection").textContent()).resolves.toBe("direct · connected");
    await row.getByRole("button", { name: `Connection of ${name}` }).click();
    await form.getByLabel("Through the gateway").check();
    await form.getByRole("button", { name: "Save connection" }).click();
    await expect(row.getByTestId("connection").textContent()).resolves.toBe("gateway");
    expect(errors).toEqual([]);
  }, 90_000);

  it("upgrades through checkout on a gateway with billing on: usage against quota, pending, paid, invoice", async () => {
    billed = await startGatewayProcess(join(dir, "billed"), {
      FLOWORK_BILLING: "on",
      BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET,
      GATEWAY_SECRET_TOKEN: "gui-e2e-internal-key",
    });
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    try {
      const buyer = await context.newPage();
      const buyerErrors = watchErrors(buyer);
      await newIdentity(buyer, billed.url);
      await go(buyer, "Billing");
      await expect(buyer.getByTestId("billing-disabled").count()).resolves.toBe(0);
      await expect(buyer.getByTestId("current-plan").textContent()).resolves.toMatch(
        /Free.*tier free.*active/,
      );
      const executions = buyer.getByRole("progressbar", { name: /^Executions in/ });
      await expect(executions.getAttribute("aria-valuetext")).resolves.toBe("0 of 1,000");
      await expect(
        buyer.getByRole("progressbar", { name: "Engines" }).getAttribute("aria-valuetext"),
      ).resolves.toBe("0 of 1");
      await screenshot(buyer, "15-billing-free");

      await buyer.getByRole("button", { name: "Upgrade to Builder for $9.00 / month" }).click();
      const started = buyer.getByRole("region", { name: "Checkout started" });
      await started.waitFor({ timeout: 10_000 });
      const checkoutId = ((await started.locator("code").textContent()) ?? "").trim();
      expect(checkoutId).toMatch(/^chk_/);
      await buyer
        .getByTestId("current-plan")
        .filter({ hasText: /Builder.*pending/ })
        .waitFor({ timeout: 10_000 });
      await screenshot(buyer, "16-billing-pending");
      await expect(
        started.getByRole("link", { name: "Continue to payment" }).getAttribute("href"),
      ).resolves.toMatch(new RegExp(`/billing/checkout/${checkoutId}$`));
      // The manual provider's payment page is the GUI itself: opened there, it lands on Billing with that checkout.
      const landing = await context.newPage();
      const landingErrors = watchErrors(landing);
      await landing.goto(`${billed.url}/billing/checkout/${checkoutId}`);
      await landing.getByLabel("Passphrase").fill(PASS);
      await landing.getByRole("button", { name: "Unlock" }).click();
      await landing.getByRole("heading", { name: "Billing", level: 1 }).waitFor({ timeout: 15_000 });
      await landing.getByText(`Checkout ${checkoutId}`).waitFor();
      await landing.close();
      expect(landingErrors).toEqual([]);

      // The payment provider confirms (a signed webhook); the page sees it without a reload.
      const body = JSON.stringify({
        event_id: `evt-${checkoutId}`,
        type: "checkout.completed",
        checkout_id: checkoutId,
      });
      const hook = await fetch(`${billed.url}/api/v1/billing/webhook/manual`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-flowork-webhook-signature": `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(body).digest("hex")}`,
        },
        body,
      });
      expect(hook.status).toBe(200);
      await buyer
        .getByTestId("current-plan")
        .getByText("active", { exact: true })
        .waitFor({ timeout: 15_000 });
      await expect(buyer.getByTestId("current-plan").textContent()).resolves.toMatch(/Builder.*tier builder/);
      await buyer.getByRole("table", { name: "Invoices" }).getByText("$9.00").waitFor();
      await expect(
        buyer.getByRole("progressbar", { name: /^Executions in/ }).getAttribute("aria-valuetext"),
      ).resolves.toBe("0 of 10,000");
      await screenshot(buyer, "17-billing-paid");
      expect(buyerErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
