import { z } from "zod";

export const LogLevelSchema = z.enum(["DEBUG", "INFO", "WARN", "ERROR"]);

/** Every engine setting of SPEC section 4, each optional: the shape of `save_settings` (unknown keys refused). */
export const EngineSettingsPatchSchema = z
  .strictObject({
    max_concurrent_executions: z.number().int().min(1).max(1024),
    node_timeout_seconds: z.number().min(0.001).max(86_400),
    max_steps_per_execution: z.number().int().min(1).max(10_000_000),
    execution_retention_days: z.number().int().min(0).max(36_500),
    log_level: LogLevelSchema,
    http_allowed_hosts: z.array(z.string().min(1).max(253)).max(1000),
    enable_dangerous_components: z.boolean(),
    resume_interrupted: z.boolean(),
  })
  .partial();
export type EngineSettingsPatch = z.infer<typeof EngineSettingsPatchSchema>;
export type EngineSettings = Required<EngineSettingsPatch>;

export const DEFAULT_SETTINGS: Readonly<EngineSettings> = Object.freeze({
  max_concurrent_executions: 8,
  node_timeout_seconds: 300,
  max_steps_per_execution: 10_000,
  execution_retention_days: 30,
  log_level: "INFO",
  http_allowed_hosts: Object.freeze([]) as unknown as string[],
  enable_dangerous_components: false,
  resume_interrupted: true,
});

/** A fresh, fully populated settings object: nothing in it is shared with the defaults or with the patch. */
export function settingsWith(patch: EngineSettingsPatch = {}): EngineSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...patch,
    http_allowed_hosts: [...(patch.http_allowed_hosts ?? DEFAULT_SETTINGS.http_allowed_hosts)],
  };
}

/** Full settings: a patch laid over the defaults. */
export const EngineSettingsSchema = EngineSettingsPatchSchema.transform(
  (patch): EngineSettings => settingsWith(patch),
);
