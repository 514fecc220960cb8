import type { PresetVersion } from "@flowork/protocol";
import { formatTime } from "./history.js";

/** Preset versions (SPEC section 4 `request_preset_versions`, `load_preset` with `version`) as the picker lists them. */

export interface VersionOption {
  /** "" loads the latest version. */
  value: string;
  label: string;
}

/** "0x1234…abcd" for an address, the text itself otherwise. */
export function shortAddress(a: string): string {
  return /^0x[0-9a-fA-F]{40}$/.test(a) ? `${a.slice(0, 6)}…${a.slice(-4)}` : a;
}

/** The newest version first, after a "latest" entry. */
export function versionOptions(versions: readonly PresetVersion[]): VersionOption[] {
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const latest = sorted[0];
  return [
    { value: "", label: latest ? `Latest (v${latest.version})` : "Latest" },
    ...sorted.map((v) => ({
      value: String(v.version),
      label: `v${v.version} · ${formatTime(v.updated_at)} · ${shortAddress(v.updated_by)}`,
    })),
  ];
}

/** The `load_preset` request for a picked version ("" = latest). */
export function loadPresetRequest(
  name: string,
  version: string,
): { type: "load_preset"; name: string; version?: number } {
  const n = Number(version);
  return {
    type: "load_preset",
    name,
    ...(version !== "" && Number.isInteger(n) && n >= 1 && { version: n }),
  };
}
