import type { PresetListing, PresetVersion } from "@flowork/protocol";
import { useCallback, useEffect, useState } from "react";
import { useEditor, useStores } from "../app-context.js";
import type { Rpc } from "../lib/history.js";
import { loadPresetRequest, versionOptions } from "../lib/presets.js";

/** The engine's presets (latest version each); `refresh` re-reads them. */
export function usePresets(rpc: Rpc, ready: boolean) {
  const [presets, setPresets] = useState<PresetListing[]>([]);
  const refresh = useCallback(async () => {
    const r = await rpc<{ presets: PresetListing[] }>({ type: "request_presets_list" });
    setPresets(r.presets);
  }, [rpc]);
  useEffect(() => {
    if (!ready) setPresets([]);
  }, [ready]);
  return { presets, refresh };
}

/**
 * Preset name and save (every save is a new version, SPEC section 4), and a picker of presets and their versions
 * to load any version back.
 */
export function PresetControls(props: {
  rpc: Rpc;
  attempt: (fn: () => Promise<void>) => void;
  presets: PresetListing[];
  refreshPresets: () => Promise<void>;
  canSave: boolean;
  onSave: () => void;
  onLoaded: () => void;
}) {
  const { rpc, attempt, presets, refreshPresets } = props;
  const { editor } = useStores();
  const presetName = useEditor((s) => s.presetName);
  const presetVersion = useEditor((s) => s.presetVersion);
  const viewing = useEditor((s) => s.view !== undefined);
  const [chosen, setChosen] = useState("");
  const [version, setVersion] = useState("");
  const [versions, setVersions] = useState<PresetVersion[]>([]);
  const latest = presets.find((p) => p.name === chosen)?.version;

  // The chosen preset's versions, again whenever its latest version changes (a save here or elsewhere).
  useEffect(() => {
    setVersions([]);
    setVersion("");
    if (!chosen || latest === undefined) return;
    let cancelled = false;
    attempt(async () => {
      const r = await rpc<{ versions: PresetVersion[] }>({ type: "request_preset_versions", name: chosen });
      if (!cancelled) setVersions(r.versions);
    });
    return () => {
      cancelled = true;
    };
  }, [chosen, latest, rpc, attempt]);

  const load = () =>
    attempt(async () => {
      if (!chosen) throw new Error("Choose a preset to load.");
      const r = await rpc<{ name: string; version: number; workflow_data: unknown }>(
        loadPresetRequest(chosen, version),
      );
      editor.getState().load(r.workflow_data, { name: r.name, version: r.version });
      props.onLoaded();
    });

  const remove = () =>
    attempt(async () => {
      if (!chosen || !window.confirm(`Delete the preset ${chosen} and all its versions?`)) return;
      await rpc({ type: "delete_preset", name: chosen });
      setChosen("");
      await refreshPresets();
    });

  return (
    <>
      <label>
        Preset name
        <input
          value={presetName}
          disabled={viewing}
          onChange={(e) => editor.getState().setPresetName(e.target.value)}
        />
      </label>
      {presetVersion !== undefined && (
        <output
          className="preset-version"
          aria-label="Preset version"
          title="The preset version the canvas was loaded from or saved as"
        >
          v{presetVersion}
        </output>
      )}
      <button type="button" onClick={props.onSave} disabled={!props.canSave || viewing}>
        Save preset
      </button>
      <label>
        Presets
        <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
          <option value="">Choose a preset</option>
          {presets.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} (v{p.version})
            </option>
          ))}
        </select>
      </label>
      <label>
        Version
        <select
          aria-label="Version to load"
          value={version}
          onChange={(e) => setVersion(e.target.value)}
          disabled={!chosen || versions.length === 0}
        >
          {versionOptions(versions).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={load} disabled={!chosen}>
        Load preset
      </button>
      <button type="button" onClick={remove} disabled={!chosen || viewing}>
        Delete preset
      </button>
    </>
  );
}
