export { RateLimiter, type RateLimiterOptions, type RateLimitResult } from "@flowork/protocol/node";
export * from "./api-key.js";
export * from "./json-body.js";
export * from "./metrics.js";
export * from "./reply-batch.js";
