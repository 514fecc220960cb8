import { describe, expect, it } from "vitest";
import { verifyEnvelope } from "../auth/envelope.js";
import { hashEnvelopePayload } from "../auth/hash.js";
import {
  type Envelope,
  signApiRequest,
  signEnvelope,
  signerFromPrivateKey,
  signSocketAuth,
} from "../auth/index.js";
import { parseMessage } from "../auth/message.js";
import { createViemRecoverer, type Recoverer } from "../auth/recover.js";
import { MemoryReplayCache } from "../auth/replay.js";
import { createVerifier, type VerifyInput } from "../auth/verify.js";
import { FloworkError } from "../errors.js";
import { createNativeRecoverer } from "./native-recoverer.js";

// Fuzzing the whole verification path: whatever arrives, the only possible outcomes are a genuine acceptance
// or a FloworkError with one of these codes. Seeded, so a failure reproduces.
const ALLOWED = new Set([
  "AUTH_MISSING",
  "AUTH_MALFORMED",
  "AUTH_INVALID_SIGNATURE",
  "AUTH_EXPIRED",
  "AUTH_REPLAY",
  "AUTH_SCOPE_MISMATCH",
  "AUTH_PAYLOAD_MISMATCH",
  "BAD_REQUEST",
]);
const NOW = 1_700_000_000_000;
const ENGINE = "eng_fuzz";
const signer = signerFromPrivateKey(`0x${"66".repeat(32)}`);
const SIGNER = signer.address.toLowerCase();

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = [
  "a",
  "Z",
  "0",
  "f",
  "x",
  " ",
  "|",
  " | ",
  "=",
  "\n",
  "\u0000",
  "é",
  "🚀",
  "\ud800",
  "-",
  "_",
  ":",
];
const KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toJSON",
  "type",
  "auth",
  "payload",
  "address",
  "message",
];
const HUGE = "A".repeat(2 * 1024 * 1024);

function fuzzer(seed: number) {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;

  function value(depth = 0): unknown {
    switch (int(depth > 3 ? 9 : 12)) {
      case 0:
        return pick([0, -0, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, Number.MAX_VALUE]);
      case 1:
        return pick(["", "0x", HUGE, "ping", "\ud800", `0x${"ab".repeat(65)}`, SIGNER]);
      case 2:
        return pick([true, false, null, undefined]);
      case 3:
        return 10n;
      case 4:
        return () => 1;
      case 5:
        return Symbol("s");
      case 6:
        return new Date(0);
      case 7:
        return new Uint8Array(int(70));
      case 8:
        return Array.from({ length: int(20) }, () => pick(CHARS)).join("");
      case 9:
        return Array.from({ length: int(4) }, () => value(depth + 1));
      case 10:
        return JSON.parse(`{"__proto__": {"polluted": true}, "type": "ping"}`) as unknown;
      default: {
        const o: Record<string, unknown> = {};
        for (let i = int(5); i > 0; i--)
          Object.defineProperty(o, pick(KEYS), {
            value: value(depth + 1),
            enumerable: true,
            configurable: true,
            writable: true,
          });
        return o;
      }
    }
  }

  function mutateString(s: string): string {
    const i = int(s.length + 1);
    switch (int(8)) {
      case 0:
        return s.slice(0, i) + pick(CHARS) + s.slice(i + 1);
      case 1:
        return s.slice(0, i);
      case 2:
        return s.slice(0, i) + pick(CHARS) + s.slice(i);
      case 3:
        return s.slice(0, i) + s.slice(i + 1 + int(10));
      case 4:
        return s.toUpperCase();
      case 5:
        return s + pick(CHARS) + (rand() < 0.1 ? HUGE : "");
      case 6:
        return s.replace(" | ", pick(["|", " |", "  | ", " | | "]));
      default:
        return s.slice(i) + s.slice(0, i);
    }
  }

  function mutateEnvelope(env: Envelope): unknown {
    const e = JSON.parse(JSON.stringify(env)) as {
      auth: Record<string, unknown>;
      payload: Record<string, unknown>;
    };
    for (let n = 1 + int(3); n > 0; n--) {
      const part = rand() < 0.6 ? e.auth : e.payload;
      const key = pick(
        part === e.auth ? ["address", "message", "signature"] : ["type", "request_id", "x", "__proto__"],
      );
      const current = part[key];
      switch (int(5)) {
        case 0:
          part[key] = typeof current === "string" ? mutateString(current) : value();
          break;
        case 1:
          part[key] = value();
          break;
        case 2:
          delete part[key];
          break;
        case 3:
          return rand() < 0.5 ? { ...e, [pick(["auth", "payload"])]: value() } : value();
        default:
          part[key] = typeof current === "string" ? mutateString(mutateString(current)) : current;
      }
    }
    return e;
  }

  return { int, pick, value, mutateString, mutateEnvelope };
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return await promise;
  } catch (err) {
    return err;
  }
}

function expectAllowedFailure(err: unknown): void {
  if (!(err instanceof FloworkError)) throw new Error(`not a FloworkError: ${String(err)}`);
  expect(ALLOWED.has(err.code), `unexpected code ${err.code}`).toBe(true);
}

async function fuzzEnvelopes(
  recoverer: Recoverer,
  cases: number,
  seed: number,
): Promise<{ accepted: number }> {
  const f = fuzzer(seed);
  const genuine = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      signEnvelope(
        signer,
        ENGINE,
        { type: "execute_workflow", request_id: `r-${i}`, n: [i, { k: "v" }] },
        { now: () => NOW },
      ),
    ),
  );
  const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
  let accepted = 0;
  for (let i = 0; i < cases; i++) {
    const verifier = createVerifier({ recoverer, replayCache: new MemoryReplayCache(), now: () => NOW });
    const candidate = i % 10 === 0 ? f.value() : f.mutateEnvelope(f.pick(genuine));
    const result = await outcome(verifyEnvelope(verifier, candidate, ENGINE));
    if (result instanceof Error) {
      expectAllowedFailure(result);
      continue;
    }
    // Accepted: it must be genuine — this signer, and the payload that was actually signed.
    accepted++;
    const { auth, payload } = result as Awaited<ReturnType<typeof verifyEnvelope>>;
    expect(auth.address).toBe(SIGNER);
    expect(hashEnvelopePayload(payload)).toBe(auth.payload_sha256);
    expect(genuine.some((g) => parseMessage(g.auth.message).nonce === auth.nonce)).toBe(true);
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  return { accepted };
}

const native = createNativeRecoverer();

describe("fuzz: verification never crashes and never accepts a forgery", () => {
  it.runIf(native !== undefined)(
    "5 000 random and mutated envelopes (native recoverer)",
    async () => {
      const { accepted } = await fuzzEnvelopes(native as Recoverer, 5000, 0xf10);
      expect(accepted).toBeGreaterThan(0); // some mutations are harmless (e.g. hex case): the fuzzer reaches acceptance
    },
    120_000,
  );

  it("400 random and mutated envelopes (pure-JS recoverer)", async () => {
    await fuzzEnvelopes(createViemRecoverer(), 400, 0xb0b);
  }, 120_000);

  it("3 000 random credentials for the API and Socket contexts", async () => {
    const f = fuzzer(0xa91);
    const recoverer = native ?? createViemRecoverer();
    const headers = await signApiRequest(signer, "POST", "/api/v1/x?y=1", '{"a":1}', { now: () => NOW });
    const socket = await signSocketAuth(signer, { now: () => NOW });
    for (let i = 0; i < 3000; i++) {
      const verifier = createVerifier({ recoverer, replayCache: new MemoryReplayCache(), now: () => NOW });
      const api = i % 2 === 0;
      const creds = api
        ? {
            address: headers["X-User-Address"],
            message: headers["X-Signed-Message"],
            signature: headers["X-Signature"],
          }
        : { ...socket };
      const key = f.pick(["address", "message", "signature"] as const);
      const current = creds[key];
      const mutated = { ...creds, [key]: f.int(3) === 0 ? f.value() : f.mutateString(current) };
      const input = (
        api
          ? {
              context: "API",
              ...mutated,
              method: f.pick(["POST", "post", 7]),
              pathWithQuery: f.pick(["/api/v1/x?y=1", f.value()]),
              body: f.pick(['{"a":1}', f.value()]),
            }
          : { context: "Socket", ...mutated }
      ) as VerifyInput;
      const result = await outcome(verifier.verify(input));
      if (result instanceof Error) expectAllowedFailure(result);
      else expect((result as { address: string }).address).toBe(SIGNER);
    }
  }, 120_000);

  it("10 000 mutated and random messages: parseMessage throws only AUTH_MALFORMED", () => {
    const f = fuzzer(0x5eed);
    const base = `Flowork API Authentication: ${NOW} | address=${SIGNER} | scope=POST /a b|c | nonce=${"n".repeat(20)} | payload=${"0".repeat(64)}`;
    for (let i = 0; i < 10_000; i++) {
      const candidate = i % 4 === 0 ? f.value() : f.mutateString(f.mutateString(base));
      try {
        const fields = parseMessage(candidate);
        expect(fields.address).toMatch(/^0x[0-9a-f]{40}$/);
        expect(fields.scope.includes(" | ")).toBe(false);
      } catch (err) {
        expect(err).toBeInstanceOf(FloworkError);
        expect((err as FloworkError).code).toBe("AUTH_MALFORMED");
      }
    }
  });
});
