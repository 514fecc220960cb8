/**
 * `@flowork/protocol/node`: Node-only helpers. The rest of the package runs unchanged in browsers.
 */
export { keccak256 } from "./keccak256.js";
export {
  createBestRecoverer,
  createNativeRecoverer,
  loadNativeSecp256k1,
  type NativeSecp256k1,
} from "./native-recoverer.js";
export { createNodeVerifier, type NodeVerifierOptions, nodeSha256Hex } from "./verifier.js";
