export * from "./runtime/index.js";
export { ComponentRegistry, type ComponentOrigin } from "./components/registry.js";
export type * from "./components/types.js";
export { BUILTIN_COMPONENTS, createBuiltinRegistry } from "./components/builtin/index.js";
export { builtinManifest } from "./components/define.js";
export { MemoryVariables, parseVariableDocument, VARIABLE_NAME_RE, type VariableDefinition } from "./variables/index.js";
export { createComponentHarness, createMemoryVariableAccess, sleepWithSignal, type ComponentHarness, type HarnessOptions } from "./testing/harness.js";
export * from "./sandbox/index.js";
export * from "./plugins/loader.js";
