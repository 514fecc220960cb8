import type { EngineSettings, EngineSettingsPatch, Manifest, VariableData } from "@flowork/protocol";
import type { AuditRecord } from "./dispatcher.js";

/** The store operations the command handlers use (implemented by src/store over SQLite or PostgreSQL). */
export interface PresetsPort {
  list(): Promise<{ name: string; version: number; updated_at: string; updated_by: string | null }[]>;
  save(
    name: string,
    workflowData: unknown,
    meta: { updated_by: string; message: string; signature: string },
  ): Promise<{ name: string; version: number }>;
  load(
    name: string,
    version?: number,
  ): Promise<{ name: string; version: number; workflow_data: unknown } | undefined>;
  versions(name: string): Promise<unknown[]>;
  delete(name: string): Promise<boolean>;
}

export interface VariablesPort {
  list(): Promise<unknown[]>;
  upsert(name: string, data: VariableData): Promise<unknown>;
  delete(name: string): Promise<boolean>;
}

export interface SettingsPort {
  get(): Promise<EngineSettings>;
  save(patch: EngineSettingsPatch): Promise<EngineSettings>;
}

export interface ExecutionsPort {
  history(options: { limit?: number; before?: string }): Promise<unknown[]>;
  get(jobId: string): Promise<unknown | undefined>;
}

export interface AuditPort {
  append(record: AuditRecord): Promise<void>;
  list(options: { limit?: number; before?: string }): Promise<unknown[]>;
}

export interface ComponentsPort {
  /** Reloads plugins, then lists manifests (optionally of one type) and plugins that failed to load. */
  list(componentType?: Manifest["type"]): Promise<{ components: Manifest[]; plugin_errors: unknown[] }>;
}
