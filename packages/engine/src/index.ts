export { BUILTIN_COMPONENTS, createBuiltinRegistry } from "./components/builtin/index.js";
export { builtinManifest } from "./components/define.js";
export { type ComponentOrigin, ComponentRegistry } from "./components/registry.js";
export type * from "./components/types.js";
export * from "./link/index.js";
export * from "./plugins/loader.js";
export * from "./queue/index.js";
export * from "./runtime/index.js";
export * from "./sandbox/index.js";
export { ENGINE_VERSION, type EngineConfig, engineConfigFrom } from "./service/config.js";
export { CommandDispatcher } from "./service/dispatcher.js";
export { type EngineLogger, type RunningEngine, startEngine } from "./service/engine.js";
export { JobManager } from "./service/job-manager.js";
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
