import { z } from "zod";

export const PropertyTypeSchema = z.enum([
  "string",
  "textarea",
  "integer",
  "float",
  "boolean",
  "enum",
  "list",
  "json",
  "code",
  "cron_editor",
  "key_value",
  "variable",
]);
export type PropertyType = z.infer<typeof PropertyTypeSchema>;

export const PropertyOptionSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.strictObject({ value: z.union([z.string(), z.number(), z.boolean()]), label: z.string() }),
]);

export const ComponentPropertySchema = z.strictObject({
  id: z.string().regex(/^[a-z_][a-z0-9_]*$/i),
  type: PropertyTypeSchema,
  label: z.string().min(1),
  description: z.string().optional(),
  default: z.unknown().optional(),
  required: z.boolean().optional(),
  options: z.array(PropertyOptionSchema).optional(),
});
export type ComponentProperty = z.infer<typeof ComponentPropertySchema>;

export const ComponentTypeSchema = z.enum(["TRIGGER", "LOGIC", "ACTION"]);

/** A component manifest (SPEC section 6). */
export const ManifestSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, "lowercase letters, digits and _; 2 to 64 chars"),
  name: z.string().min(1).max(100),
  version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, "semver"),
  type: ComponentTypeSchema,
  category: z.string().min(1).max(50),
  description: z.string().max(2000),
  icon: z.string().max(200).optional(),
  properties: z.array(ComponentPropertySchema),
  input_ports: z.array(z.strictObject({ name: z.string().min(1) })),
  output_ports: z.array(z.strictObject({ name: z.string().min(1), display_name: z.string().min(1) })),
  side_effects: z.boolean(),
  simulate_output: z.unknown().optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
