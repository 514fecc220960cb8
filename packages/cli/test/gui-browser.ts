import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { type Proc, spawnFlowork } from "./gateway-process.js";

/** Debian's chromium, installed by `.ci/run` with apt-get (never downloaded by a test tool). */
export const CHROMIUM = "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** The built GUI the gateway serves; the browser tests need it. */
export const GUI_BUILT = existsSync(fileURLToPath(new URL("../../gui/dist/index.html", import.meta.url)));
export const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/gui/", import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Collects console errors and uncaught page errors; the tests expect none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Drags from the centre of one element to the centre of another with real mouse events (xyflow connections). */
export async function mouseDrag(page: Page, from: string, to: string): Promise<void> {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  if (!a || !b) throw new Error(`cannot drag ${from} -> ${to}: not visible`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + a.width / 2, (a.y + b.y) / 2 + a.height / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** A running `flowork up` for a browser test: its data folder, the GUI URL and the one-time pairing code. */
export interface UpForBrowser {
  dir: string;
  up: Proc;
  url: string;
  code: string;
}

/** Starts `flowork up` on free ports in a fresh data folder (stop it with {@link stopUp}). */
export async function startUp(prefix: string): Promise<UpForBrowser> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const up = await spawnFlowork(
    ["up", "--data", join(dir, "data"), "--port", "0", "--engine-port", "0"],
    {},
    /pairing code: ([A-Z0-9]{8})[\s\S]*Stop with Ctrl-C/,
  );
  const url = /open:\s+(http:\/\/localhost:\d+)\//.exec(up.output())?.[1];
  const code = up.match[1];
  if (!url || !code) throw new Error(`flowork up printed no URL or pairing code:\n${up.output()}`);
  return { dir, up, url, code };
}

/** Stops `flowork up` (SIGKILL after 10 s) and removes its data folder. */
export async function stopUp(u: UpForBrowser | undefined): Promise<void> {
  if (!u) return;
  const killer = setTimeout(() => u.up.child.kill("SIGKILL"), 10_000);
  await u.up.stop("SIGTERM");
  clearTimeout(killer);
  await rm(u.dir, { recursive: true, force: true });
}

/** Creates a key in the GUI, which signs in, then claims the local engine with the pairing code; waits until online. */
export async function createKeyAndPair(page: Page, u: UpForBrowser, passphrase: string): Promise<void> {
  await page.goto(`${u.url}/`);
  await page.getByLabel("New passphrase").fill(passphrase);
  await page.getByLabel("Repeat passphrase").fill(passphrase);
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("heading", { name: "Engines" }).waitFor({ timeout: 20_000 });
  await page.getByLabel("Pairing code").fill(u.code);
  await page.getByRole("button", { name: "Claim" }).click();
  await page.locator('tr[data-engine-id] .badge[data-status="online"]').waitFor({ timeout: 15_000 });
}

/** The canvas node with this id, as a CSS selector. */
export const nodeSel = (id: string) => `.react-flow__node[data-id="${id}"]`;
/** One port handle of a canvas node. */
export const handleSel = (id: string, port: string) =>
  `${nodeSel(id)} .react-flow__handle[data-handleid="${port}"]`;

/** Drags a component from the palette (found by its search) onto the canvas at (x, y). */
export async function dragFromPalette(page: Page, name: string, x: number, y: number): Promise<void> {
  await page.getByRole("searchbox", { name: "Search components" }).fill(name);
  await page
    .getByRole("button", { name: `Component ${name}`, exact: true })
    .dragTo(page.getByTestId("canvas"), { targetPosition: { x, y } });
}
