import { type ErrorBody, FloworkError, isErrorCode, type Signer, signApiRequest } from "@flowork/protocol";

export interface GatewayClientOptions {
  /** `http://localhost:8000` (the `/api/v1` prefix is added). */
  baseUrl: string;
  /** Signs user requests; omit for public routes only. */
  signer?: Signer;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * A typed client for the gateway REST API (SPEC section 2). User requests are signed (Context `API`, scope
 * `<METHOD> <path?query>`, payload = SHA-256 of the exact body bytes sent); errors come back as FloworkError with
 * the gateway's code.
 *
 * @example
 * const gw = new GatewayClient({ baseUrl: "http://localhost:8000", signer: signerFromPrivateKey(key) });
 * const { raw_token } = await gw.post("/user/engines", { name: "laptop" });
 */
export class GatewayClient {
  readonly #o: GatewayClientOptions;

  constructor(options: GatewayClientOptions) {
    this.#o = options;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  patch<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }

  put<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** Sends one request under `/api/v1`, signed when the client has a signer. */
  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const target = `/api/v1${path.startsWith("/") ? path : `/${path}`}`;
    const text = body === undefined ? "" : JSON.stringify(body);
    const all: Record<string, string> = { ...headers };
    if (text !== "") all["content-type"] = "application/json";
    if (this.#o.signer) Object.assign(all, await signApiRequest(this.#o.signer, method, target, text));
    const doFetch = this.#o.fetch ?? fetch;
    const response = await doFetch(new URL(target, this.#o.baseUrl), {
      method,
      headers: all,
      ...(text !== "" && { body: text }),
    });
    if (response.status === 204) return undefined as T;
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      throw new FloworkError(
        "INTERNAL",
        `the gateway answered ${response.status} with a body that is not JSON`,
      );
    }
    if (!response.ok) throw toError(response.status, parsed);
    return parsed as T;
  }
}

function toError(status: number, body: unknown): FloworkError {
  const error = (body as { error?: Partial<ErrorBody> } | undefined)?.error;
  const code = isErrorCode(error?.code) ? error.code : status >= 500 ? "INTERNAL" : "BAD_REQUEST";
  return new FloworkError(code, typeof error?.message === "string" ? error.message : `HTTP ${status}`, {
    ...(error?.details !== undefined && { details: error.details }),
  });
}
