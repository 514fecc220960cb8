import { FloworkError, isAddress, RoleSchema } from "@flowork/protocol";
import { type AuthEntry, AuthList, EngineIdSchema } from "./types.js";

/** The variables standalone mode reads (SPEC section 7). */
export const ENGINE_ID_VAR = "FLOWORK_ENGINE_ID";
export const AUTHORIZED_ADDRESSES_VAR = "FLOWORK_AUTHORIZED_ADDRESSES";

/** One problem with the standalone configuration, in the `details.issues` shape. */
interface ConfigIssue {
  path: (string | number)[];
  code: "invalid_entry" | "missing" | "invalid_engine_id";
  message: string;
}

const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

/**
 * Parses `FLOWORK_AUTHORIZED_ADDRESSES`: comma-separated `address:role` entries, e.g.
 * `0xabc...:owner, 0xdef...:runner`. Whitespace around entries, addresses and roles is ignored, as are empty
 * entries (a trailing comma); addresses may be any case and come back lowercase; roles are case-insensitive.
 *
 * An address without a role is accepted only when it is the only entry, and is then the `owner` (the common
 * one-user setup, `FLOWORK_AUTHORIZED_ADDRESSES=0xabc...`). With several entries each must name its role: an
 * unroled address among others is refused rather than guessed. The same address twice is refused too.
 *
 * @throws FloworkError VALIDATION_FAILED naming every bad entry (message and `details.issues`), or when the list
 *   is empty.
 * @example
 * parseAuthorizedAddresses("0xAbC...:owner, 0xdef...:runner");
 * // [{ address: "0xabc...", role: "owner" }, { address: "0xdef...", role: "runner" }]
 */
export function parseAuthorizedAddresses(raw: string): AuthEntry[] {
  const pieces = raw
    .split(",")
    .map((piece, index) => ({ piece: piece.trim(), index }))
    .filter(({ piece }) => piece !== "");
  if (pieces.length === 0) {
    throw configError([
      {
        path: [AUTHORIZED_ADDRESSES_VAR],
        code: "missing",
        message: "lists no address; expected 0x...:owner",
      },
    ]);
  }
  const issues: ConfigIssue[] = [];
  const entries: AuthEntry[] = [];
  const seen = new Set<string>();
  for (const { piece, index } of pieces) {
    const bad = (problem: string) =>
      issues.push({
        path: [AUTHORIZED_ADDRESSES_VAR, index],
        code: "invalid_entry",
        message: `entry ${index + 1} "${clip(piece)}": ${problem}`,
      });
    const colon = piece.indexOf(":");
    const address = (colon === -1 ? piece : piece.slice(0, colon)).trim().toLowerCase();
    const roleText =
      colon === -1
        ? undefined
        : piece
            .slice(colon + 1)
            .trim()
            .toLowerCase();
    if (!isAddress(address)) {
      bad("not an address (expected 0x followed by 40 hex characters)");
      continue;
    }
    if (seen.has(address)) {
      bad("this address is listed more than once");
      continue;
    }
    seen.add(address);
    if (roleText === undefined) {
      if (pieces.length === 1) entries.push({ address, role: "owner" });
      else bad("no role; with more than one address each needs ':reader', ':runner', ':admin' or ':owner'");
      continue;
    }
    const role = RoleSchema.safeParse(roleText);
    if (!role.success) bad(`unknown role "${clip(roleText)}" (expected reader, runner, admin or owner)`);
    else entries.push({ address, role: role.data });
  }
  if (issues.length > 0) throw configError(issues);
  return entries;
}

/** What {@link standaloneAuthList} needs: the raw values of the two variables. */
export interface StandaloneAuthConfig {
  engineId: string | undefined;
  authorizedAddresses: string | undefined;
}

/**
 * The authorization list of an engine running without a gateway: `FLOWORK_ENGINE_ID` names it and
 * `FLOWORK_AUTHORIZED_ADDRESSES` lists who may use it (see {@link parseAuthorizedAddresses}). Both are required:
 * an engine nobody may use, or one with no id to sign for, is a configuration mistake worth stopping on.
 *
 * @throws FloworkError VALIDATION_FAILED listing every problem with either variable.
 */
export function standaloneAuthList(config: StandaloneAuthConfig): AuthList {
  const issues: ConfigIssue[] = [];
  const engineId = config.engineId?.trim() ?? "";
  if (engineId === "") {
    issues.push({
      path: [ENGINE_ID_VAR],
      code: "missing",
      message: "is not set; it names a standalone engine",
    });
  } else if (!EngineIdSchema.safeParse(engineId).success) {
    issues.push({
      path: [ENGINE_ID_VAR],
      code: "invalid_engine_id",
      message: "must be at most 128 characters, without control characters or ' | '",
    });
  }
  let entries: AuthEntry[] = [];
  try {
    entries = parseAuthorizedAddresses(config.authorizedAddresses ?? "");
  } catch (err) {
    if (!(err instanceof FloworkError)) throw err;
    issues.push(...((err.details?.issues as ConfigIssue[] | undefined) ?? []));
  }
  if (issues.length > 0) throw configError(issues);
  return AuthList.fromEntries(engineId, entries);
}

/** {@link standaloneAuthList} from `FLOWORK_ENGINE_ID` and `FLOWORK_AUTHORIZED_ADDRESSES` in `env`. */
export function standaloneAuthListFromEnv(env: NodeJS.ProcessEnv = process.env): AuthList {
  return standaloneAuthList({
    engineId: env[ENGINE_ID_VAR],
    authorizedAddresses: env[AUTHORIZED_ADDRESSES_VAR],
  });
}

function configError(issues: ConfigIssue[]): FloworkError {
  const lines = issues.map((issue) => `${issue.path[0]}: ${issue.message}`);
  return new FloworkError("VALIDATION_FAILED", `invalid standalone authorization: ${lines.join("; ")}`, {
    details: { issues },
  });
}
