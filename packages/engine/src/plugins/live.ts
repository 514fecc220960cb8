import { FloworkError, type Manifest } from "@flowork/protocol";
import type { ComponentContext, ComponentDefinition, ComponentResult } from "../components/types.js";
import type { PluginCode } from "./module.js";

/**
 * The current version of one loaded plugin. The registry keeps one definition object per id for its lifetime,
 * so that object reads through to this slot, and a reload swaps the slot's contents.
 */
export interface PluginSlot {
  manifest: Manifest;
  code: PluginCode;
  /** Change key of manifest and entry: a reload with the same key changes nothing. */
  key: string;
  /** The folder was removed: the component refuses to run. */
  removed: boolean;
}

function current(slot: PluginSlot): PluginSlot {
  if (slot.removed) {
    throw new FloworkError("COMPONENT_NOT_FOUND", `plugin ${slot.manifest.id} was removed`);
  }
  return slot;
}

/** A `ComponentDefinition` that always uses the slot's latest manifest and code. */
export function liveDefinition(slot: PluginSlot): ComponentDefinition {
  return {
    get manifest() {
      return slot.manifest;
    },
    execute(payload: unknown, ctx: ComponentContext): Promise<ComponentResult> | ComponentResult {
      return current(slot).code.execute(payload, ctx);
    },
    get simulate() {
      const simulate = slot.code.simulate;
      if (simulate === undefined) return undefined;
      return (payload: unknown, ctx: ComponentContext) => {
        current(slot);
        return simulate(payload, ctx);
      };
    },
    get validateConfig() {
      return slot.code.validateConfig;
    },
  };
}
