import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Content types of what a vite build emits. */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/** Paths the GUI never answers: the REST API and the Socket.IO transport keep their own 404s. */
const RESERVED = ["/api/", "/socket.io/"];

export interface GuiStaticOptions {
  /** The built GUI (`packages/gui/dist`): `index.html` plus `assets/` with content-hashed names. */
  root: string;
}

/**
 * Serves the GUI at `/` as a single-page app: a file of `root` when one matches, `index.html` for any other
 * non-API GET (client-side routes), 404 for a missing `/assets/*` file (so a stale hashed name never gets HTML).
 * Hashed assets are cached for a year, immutable; `index.html` is revalidated on every load.
 * Paths are decoded, must stay inside `root` (`..`, NUL and backslashes are refused), and dotfiles are not served.
 */
export function registerGuiStatic(app: FastifyInstance, options: GuiStaticOptions): void {
  const root = resolve(options.root);
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = (request.raw.url ?? "/").split("?")[0] ?? "/";
    if (RESERVED.some((p) => path === p.slice(0, -1) || path.startsWith(p))) return notFound(reply);
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return notFound(reply);
    }
    const segments = decoded.split("/").filter((s) => s !== "");
    if (
      decoded.includes("\0") ||
      decoded.includes("\\") ||
      segments.some((s) => s === ".." || s.startsWith("."))
    ) {
      return notFound(reply);
    }
    const file = resolve(root, ...segments);
    if (file !== root && !file.startsWith(root + sep)) return notFound(reply);
    if (segments.length > 0 && (await isFile(file))) return send(reply, file, segments[0] === "assets");
    if (segments[0] === "assets" || (extname(decoded) !== "" && extname(decoded) !== ".html")) {
      return notFound(reply);
    }
    return send(reply, resolve(root, "index.html"), false);
  };
  app.get("/", handler);
  app.get("/*", handler);
}

function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function send(reply: FastifyReply, file: string, hashed: boolean): Promise<FastifyReply> {
  const body = await readFile(file);
  return reply
    .header("content-type", TYPES[extname(file).toLowerCase()] ?? "application/octet-stream")
    .header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache")
    .header("x-content-type-options", "nosniff")
    .send(body);
}
