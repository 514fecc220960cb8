/**
 * `@flowork/protocol/node`: Node-only helpers. The rest of the package runs unchanged in browsers.
 */
export { envInt } from "./env.js";
export { keccak256 } from "./keccak256.js";
export {
  createBestRecoverer,
  createNativeRecoverer,
  loadNativeSecp256k1,
  type NativeSecp256k1,
} from "./native-recoverer.js";
export { RateLimiter, type RateLimiterOptions, type RateLimitResult } from "./rate-limit.js";
export { createNodeVerifier, type NodeVerifierOptions, nodeSha256Hex } from "./verifier.js";
