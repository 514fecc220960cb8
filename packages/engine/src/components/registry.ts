import { FloworkError, type Manifest, ManifestSchema } from "@flowork/protocol";
import type { ComponentDefinition } from "./types.js";

/** Where a component came from, for listings and error reports. */
export type ComponentOrigin = "builtin" | "plugin";

/** The set of components a runtime may use, by `module_id`. */
export class ComponentRegistry {
  readonly #components = new Map<string, { definition: ComponentDefinition; origin: ComponentOrigin }>();
  #disabled = new Set<string>();

  /** Adds a component after checking its manifest; a duplicate id is refused. */
  register(definition: ComponentDefinition, origin: ComponentOrigin = "builtin"): void {
    const parsed = ManifestSchema.safeParse(definition.manifest);
    if (!parsed.success) {
      throw new FloworkError("VALIDATION_FAILED", `invalid manifest for ${String(definition.manifest?.id)}`, {
        details: { issues: parsed.error.issues },
      });
    }
    if (this.#components.has(definition.manifest.id)) {
      throw new FloworkError("CONFLICT", `component ${definition.manifest.id} is already registered`);
    }
    this.#components.set(definition.manifest.id, { definition, origin });
  }

  /** Removes a component (a plugin whose folder was deleted); returns whether it was there. */
  unregister(moduleId: string): boolean {
    return this.#components.delete(moduleId);
  }

  get(moduleId: string): ComponentDefinition | undefined {
    return this.#components.get(moduleId)?.definition;
  }

  has(moduleId: string): boolean {
    return this.#components.has(moduleId);
  }

  originOf(moduleId: string): ComponentOrigin | undefined {
    return this.#components.get(moduleId)?.origin;
  }

  manifests(componentType?: Manifest["type"]): Manifest[] {
    const all = [...this.#components.values()].map((c) => c.definition.manifest);
    return componentType ? all.filter((m) => m.type === componentType) : all;
  }

  /** The operator's kill switch (gateway `disabled-components`): these refuse to run with COMPONENT_DISABLED. */
  setDisabled(moduleIds: Iterable<string>): void {
    this.#disabled = new Set(moduleIds);
  }

  /** The kill switch's component ids. */
  disabledIds(): string[] {
    return [...this.#disabled];
  }

  isDisabled(moduleId: string): boolean {
    return this.#disabled.has(moduleId);
  }
}
