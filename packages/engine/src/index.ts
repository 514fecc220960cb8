export { BUILTIN_COMPONENTS, createBuiltinRegistry } from "./components/builtin/index.js";
export { builtinManifest } from "./components/define.js";
export { type ComponentOrigin, ComponentRegistry } from "./components/registry.js";
export type * from "./components/types.js";
export * from "./plugins/loader.js";
export * from "./runtime/index.js";
export * from "./sandbox/index.js";
export {
  type ComponentHarness,
  createComponentHarness,
  createMemoryVariableAccess,
  type HarnessOptions,
  sleepWithSignal,
} from "./testing/harness.js";
export {
  MemoryVariables,
  parseVariableDocument,
  VARIABLE_NAME_RE,
  type VariableDefinition,
} from "./variables/index.js";
export { startEngine, type RunningEngine, type EngineLogger } from "./service/engine.js";
export { engineConfigFrom, ENGINE_VERSION, type EngineConfig } from "./service/config.js";
export { CommandDispatcher } from "./service/dispatcher.js";
export { JobManager } from "./service/job-manager.js";
