export * from "./cache-file.js";
export * from "./gateway-fetch.js";
export * from "./gateway-source.js";
export * from "./standalone.js";
export * from "./types.js";
