import { describe, expect, it } from "vitest";
import { createViemRecoverer } from "../auth/recover.js";
import {
  createBestRecoverer,
  createNativeRecoverer,
  loadNativeSecp256k1,
  type NativeSecp256k1,
} from "./index.js";

describe("native recoverer loading", () => {
  it("loads the prebuilt binding on this platform", () => {
    expect(loadNativeSecp256k1()).toBeDefined();
    expect(createNativeRecoverer()?.name).toBe("native-secp256k1");
    expect(createBestRecoverer().name).toBe("native-secp256k1");
  });

  it("refuses a binding that fails its self-test, and the pure-JS one needs no binding", () => {
    const wrong: NativeSecp256k1 = { ecdsaRecover: () => new Uint8Array(65).fill(4) };
    const throwing: NativeSecp256k1 = {
      ecdsaRecover: () => {
        throw new Error("boom");
      },
    };
    expect(createNativeRecoverer(wrong)).toBeUndefined();
    expect(createNativeRecoverer(throwing)).toBeUndefined();
    expect(createViemRecoverer().name).toBe("noble-js");
  });
});
