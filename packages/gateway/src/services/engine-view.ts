import type { Role } from "@flowork/protocol";
import type { EngineRow } from "../repos/engines.js";
import { parseJson } from "../repos/errors.js";
import type { EngineStatus, EngineView, Vitals } from "./types.js";

/** The wire `Engine` of a stored row, as seen with `role`. */
export function toEngineView(row: EngineRow, role: Role): EngineView {
  return {
    id: row.id,
    name: row.name,
    status: row.status === "online" ? "online" : ("offline" satisfies EngineStatus),
    last_seen: row.last_seen,
    vitals: parseJson<Vitals | null>(row.vitals, null),
    role,
    created_at: row.created_at,
  };
}
