export * from "./auth/index.js";
export * from "./errors.js";
export * from "./schemas/common.js";
export * from "./schemas/engine.js";
export * from "./schemas/events.js";
export * from "./schemas/manifest.js";
export * from "./schemas/settings.js";
export * from "./schemas/workflow.js";
