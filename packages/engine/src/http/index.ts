export * from "./api-key.js";
export * from "./json-body.js";
export * from "./metrics.js";
export * from "./rate-limit.js";
