import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { FloworkError } from "../errors.js";
import type { Envelope, EnvelopeAuth, EnvelopePayload } from "./envelope.js";
import { EMPTY_SHA256, hashApiBody, hashEnvelopePayload } from "./hash.js";
import { type AuthContext, apiScope, buildMessage, isValidApiTarget, SOCKET_SCOPE } from "./message.js";

/** Anything that can `personal_sign`: a viem account, an ethers wallet adapter, a browser wallet. */
export interface Signer {
  /** The signer's address (any case; messages carry it lowercase). */
  readonly address: string;
  signMessage(message: string): Promise<Hex>;
}

/** Options shared by the signing helpers; for tests and for callers that bring their own nonce. */
export interface SignOptions {
  /** Clock. Default `Date.now`. */
  now?: () => number;
  /** Nonce to use instead of a fresh random one (16–64 chars of `[A-Za-z0-9_-]`). */
  nonce?: string;
}

/** Signed credentials: what goes in an envelope's `auth` or a `/gui-socket` handshake. */
export type SignedAuth = EnvelopeAuth;

/** The three headers of a signed gateway request (Context `API`). */
export interface ApiAuthHeaders {
  "X-User-Address": string;
  "X-Signed-Message": string;
  "X-Signature": string;
}

const HEX = "0123456789abcdef";

/** A fresh random nonce: 32 hex characters (128 bits) from `crypto.getRandomValues`. Browser-safe. */
export function generateNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
  return out;
}

/** A {@link Signer} over a raw private key, through viem's `privateKeyToAccount`. */
export function signerFromPrivateKey(privateKey: Hex): Signer {
  const account = privateKeyToAccount(privateKey);
  return { address: account.address, signMessage: (message) => account.signMessage({ message }) };
}

/** Builds and signs the message for one context, scope and payload hash. */
export async function signAuth(
  signer: Signer,
  context: AuthContext,
  scope: string,
  payloadSha256: string,
  options: SignOptions = {},
): Promise<SignedAuth> {
  const address = signer.address.toLowerCase();
  const message = buildMessage({
    context,
    timestamp_ms: (options.now ?? Date.now)(),
    address,
    scope,
    nonce: options.nonce ?? generateNonce(),
    payload_sha256: payloadSha256,
  });
  return { address, message, signature: await signer.signMessage(message) };
}

/**
 * Signs an engine command (Context `GUI-to-Engine`, scope = the engine id, payload hash over the JCS of
 * `payload`) and returns the envelope to send as one JSON frame.
 *
 * @example
 * ws.send(JSON.stringify(await signEnvelope(signer, engineId, { type: "ping", request_id: "r-1" })));
 */
export async function signEnvelope<P extends EnvelopePayload>(
  signer: Signer,
  engineId: string,
  payload: P,
  options?: SignOptions,
): Promise<Envelope & { payload: P }> {
  const auth = await signAuth(signer, "GUI-to-Engine", engineId, hashEnvelopePayload(payload), options);
  return { auth, payload };
}

/**
 * Signs a gateway request (Context `API`, scope `<METHOD> <path with query>`, payload hash over the exact body
 * bytes) and returns its three headers. Send `body` byte for byte as hashed here.
 */
export async function signApiRequest(
  signer: Signer,
  method: string,
  pathWithQuery: string,
  body?: Uint8Array | string | null,
  options?: SignOptions,
): Promise<ApiAuthHeaders> {
  if (!isValidApiTarget(method, pathWithQuery)) {
    throw new FloworkError("AUTH_MALFORMED", "Method or path cannot form an API scope.", {
      details: { field: "scope" },
    });
  }
  const auth = await signAuth(signer, "API", apiScope(method, pathWithQuery), hashApiBody(body), options);
  return { "X-User-Address": auth.address, "X-Signed-Message": auth.message, "X-Signature": auth.signature };
}

/** Signs the `/gui-socket` handshake (Context `Socket`, scope `gui-socket`, hash of the empty string). */
export function signSocketAuth(signer: Signer, options?: SignOptions): Promise<SignedAuth> {
  return signAuth(signer, "Socket", SOCKET_SCOPE, EMPTY_SHA256, options);
}
