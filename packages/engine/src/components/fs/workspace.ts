import { constants, existsSync } from "node:fs";
import { type FileHandle, lstat, mkdir, open, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { FloworkError } from "@flowork/protocol";
import type { ComponentServices } from "../types.js";

/**
 * Confinement of file access to the engine's workspace folder (`ComponentServices.workspaceDir`).
 *
 * A user path is resolved against the workspace and must stay inside it twice: lexically (no `../`, no absolute
 * path elsewhere) and after following symlinks (`realpath` of the deepest existing ancestor, so a symlinked file
 * or parent directory pointing out is refused). Files are opened with `O_NOFOLLOW`, and on Linux the opened
 * descriptor is checked again through `/proc/self/fd` (narrowing the check-then-open race to nothing that can
 * read or change data outside). Hard links (`nlink > 1`) are refused: they can alias a file outside.
 * Residual risk: with `create_dirs`, a directory created between the check and `mkdir` by someone else who can
 * write inside the workspace could be swapped for a symlink; the post-open check then refuses the file, but an
 * empty directory may have been created through it.
 */

/** How a file is opened. */
export type OpenPurpose = "read" | "overwrite" | "append";

/** A path proven to be inside the workspace. */
export interface WorkspacePath {
  /** Real path of the workspace folder. */
  root: string;
  /** Real absolute path of the target (its last component may not exist yet). */
  absolute: string;
  /** The target relative to the workspace, with `/` separators: use it in messages. */
  relative: string;
}

const F = constants;
const OPEN_FLAGS: Record<OpenPurpose, number> = {
  read: F.O_RDONLY,
  overwrite: F.O_WRONLY | F.O_CREAT,
  append: F.O_WRONLY | F.O_CREAT | F.O_APPEND,
};
// O_NOFOLLOW: never open a symlink; O_NONBLOCK: a FIFO cannot hang the open. Both absent on Windows.
const SAFETY_FLAGS = (F.O_NOFOLLOW ?? 0) | (F.O_NONBLOCK ?? 0);

const violation = (message: string, relative: string) =>
  new FloworkError("SANDBOX_VIOLATION", message, {
    details: { reason: "outside_workspace", path: relative },
  });

/**
 * The workspace folder, or a non-retryable `SANDBOX_VIOLATION` when the host configured none: without a
 * workspace, file components are disabled rather than given the whole disk.
 */
export function requireWorkspace(services: ComponentServices): string {
  const dir = services.workspaceDir;
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new FloworkError(
      "SANDBOX_VIOLATION",
      "file access is disabled: the engine has no workspace folder configured",
      {
        details: { reason: "no_workspace" },
      },
    );
  }
  return dir;
}

const isInside = (root: string, target: string) => {
  const rel = path.relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
};

const errnoOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/** realpath of `target`, or of its deepest existing ancestor with the missing part appended. */
async function realpathDeepest(target: string, relative: string): Promise<string> {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing.reverse());
    } catch (err) {
      if (errnoOf(err) !== "ENOENT") throw fileError(err, relative);
    }
    // realpath said ENOENT, yet lstat finds it: a dangling symlink, whose target we must not create.
    const danglingLink = await lstat(current).then(
      () => true,
      () => false,
    );
    if (danglingLink) throw violation(`refused: ${relative} goes through a broken symlink`, relative);
    const parent = path.dirname(current);
    if (parent === current) throw new FloworkError("NOT_FOUND", `no such path: ${relative}`);
    missing.push(path.basename(current));
    current = parent;
  }
}

/**
 * Resolves a user path (relative to the workspace, or absolute inside it) and proves it stays inside.
 *
 * @throws FloworkError `VALIDATION_FAILED` (not a path), `SANDBOX_VIOLATION` (escapes the workspace, lexically
 *   or through a symlink), `INTERNAL` (the workspace folder itself is missing).
 */
export async function resolveInWorkspace(workspaceDir: string, userPath: unknown): Promise<WorkspacePath> {
  if (typeof userPath !== "string" || userPath.trim() === "" || userPath.includes("\0")) {
    throw new FloworkError("VALIDATION_FAILED", "path must be a non-empty file path", {
      details: { reason: "path" },
    });
  }
  const given = path.resolve(workspaceDir);
  const root = await realpath(given).catch((err: unknown) => {
    throw new FloworkError("INTERNAL", "the workspace folder does not exist or cannot be read", {
      cause: err,
    });
  });
  const requested = path.resolve(given, userPath);
  if (!isInside(given, requested) && !isInside(root, requested)) {
    throw violation(`refused: ${userPath} is outside the workspace`, userPath);
  }
  const lexical = isInside(given, requested) ? path.join(root, path.relative(given, requested)) : requested;
  const relative = path.relative(root, lexical).split(path.sep).join("/") || ".";
  const absolute = await realpathDeepest(lexical, relative);
  if (!isInside(root, absolute))
    throw violation(`refused: ${relative} leads outside the workspace through a symlink`, relative);
  return { root, absolute, relative };
}

/** Maps a file-system error to a typed error naming the workspace-relative path (never the host path). */
export function fileError(err: unknown, relative: string): FloworkError {
  if (err instanceof FloworkError) return err;
  const code = errnoOf(err) ?? "EIO";
  const transient = code === "EMFILE" || code === "ENFILE" || code === "EAGAIN" || code === "EBUSY";
  const messages: Record<string, string> = {
    ENOENT: `no such file: ${relative}`,
    ELOOP: `refused: ${relative} is a symlink`,
    EISDIR: `${relative} is a directory`,
    ENOTDIR: `a parent of ${relative} is not a directory`,
    EACCES: `permission denied: ${relative}`,
    EPERM: `permission denied: ${relative}`,
    ENXIO: `${relative} is not a regular file`,
  };
  const message = messages[code] ?? `file operation on ${relative} failed (${code})`;
  const kind = code === "ENOENT" ? "NOT_FOUND" : code === "ELOOP" ? "SANDBOX_VIOLATION" : "USER_ERROR";
  return new FloworkError(kind, message, {
    retryable: transient,
    details: { path: relative, errno: code },
    cause: err,
  });
}

/** Checks that an open descriptor is a regular, singly linked file inside the workspace. */
async function verifyOpened(handle: FileHandle, target: WorkspacePath): Promise<void> {
  const info = await handle.stat();
  if (!info.isFile()) throw new FloworkError("USER_ERROR", `${target.relative} is not a regular file`);
  if (info.nlink > 1) throw violation(`refused: ${target.relative} is a hard link`, target.relative);
  const procLink = `/proc/self/fd/${handle.fd}`;
  if (existsSync(procLink)) {
    if (!isInside(target.root, await readlink(procLink))) {
      throw violation(`refused: ${target.relative} moved outside the workspace`, target.relative);
    }
    return;
  }
  const current = await stat(target.absolute);
  if (current.ino !== info.ino || current.dev !== info.dev) {
    throw violation(`refused: ${target.relative} changed while being opened`, target.relative);
  }
}

/**
 * Opens a file inside the workspace: resolved and checked by {@link resolveInWorkspace}, opened without
 * following a final symlink, then verified. `overwrite` truncates only after the check. With `createDirs`,
 * missing parent folders are created (inside the workspace) first.
 *
 * @example
 * const { handle, path } = await openInWorkspace(ctx.services, "reports/today.txt", "append", { createDirs: true });
 * try { await handle.writeFile("line\n"); } finally { await handle.close(); }
 */
export async function openInWorkspace(
  services: ComponentServices,
  userPath: unknown,
  purpose: OpenPurpose,
  options: { createDirs?: boolean } = {},
): Promise<{ handle: FileHandle; path: WorkspacePath }> {
  const workspaceDir = requireWorkspace(services);
  let target = await resolveInWorkspace(workspaceDir, userPath);
  try {
    if (options.createDirs && purpose !== "read") {
      await mkdir(path.dirname(target.absolute), { recursive: true });
      target = await resolveInWorkspace(workspaceDir, userPath);
    }
    const handle = await open(target.absolute, OPEN_FLAGS[purpose] | SAFETY_FLAGS, 0o666);
    try {
      await verifyOpened(handle, target);
      if (purpose === "overwrite") await handle.truncate(0);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return { handle, path: target };
  } catch (err) {
    throw fileError(err, target.relative);
  }
}

/** Resolves a folder inside the workspace that must exist (`shell_command`'s `cwd`). */
export async function resolveDirInWorkspace(
  services: ComponentServices,
  userPath: unknown,
): Promise<WorkspacePath> {
  const target = await resolveInWorkspace(requireWorkspace(services), userPath);
  const info = await stat(target.absolute).catch((err: unknown) => {
    throw fileError(err, target.relative);
  });
  if (!info.isDirectory()) throw new FloworkError("USER_ERROR", `${target.relative} is not a directory`);
  return target;
}
