import { FloworkError, type Role } from "@flowork/protocol";
import { type CacheOwner, readAuthCache, removeAuthCache, writeAuthCache } from "./cache-file.js";
import { type AuthFetchFailure, authInfoUrl, fetchAuthInfo } from "./gateway-fetch.js";
import { AuthList, type AuthSource } from "./types.js";

/** Where the auth source reports. Pino-compatible through `(msg, details) => log.warn(details, msg)`. */
export interface AuthzLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** Options of {@link GatewayAuthSource}. */
export interface GatewayAuthSourceOptions {
  /** `GATEWAY_API_URL`, with or without `/api/v1`. */
  gatewayUrl: string;
  /** `FLOWORK_ENGINE_TOKEN`, sent as `X-Engine-Token`. Never logged. */
  engineToken: string;
  /** Where the last good list is kept on disk (mode 0600), e.g. `<data>/auth-cache.json`. */
  cacheFile: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Time between periodic refreshes; default 60 000 ms (SPEC section 4). */
  refreshMs?: number;
  /** Per-request timeout, body included; default 5 000 ms. */
  timeoutMs?: number;
  /** Called when the enforced list changes: a new list, or `undefined` when the token was revoked. */
  onChange?: (list: AuthList | undefined) => void;
  logger?: AuthzLogger;
}

/** The outcome of {@link GatewayAuthSource.refresh}. It never rejects. */
export type RefreshResult =
  | { ok: true; list: AuthList; changed: boolean }
  | { ok: false; reason: AuthFetchFailure; message: string; status?: number };

const SILENT: AuthzLogger = { info() {}, warn() {}, error() {} };

const isLoopback = (host: string): boolean =>
  host === "localhost" ||
  host.endsWith(".localhost") ||
  host === "[::1]" ||
  /^127(?:\.\d{1,3}){3}$/.test(host);

/**
 * The authorization list of an engine attached to a gateway (SPEC section 4): fetched from
 * `get-engine-auth-info`, refreshed every `refreshMs` and on demand (`force_refresh_auth_list`), and cached on
 * disk so a gateway outage at start does not lock the owner out.
 *
 * Failure handling, in order of how often it happens:
 * - gateway unreachable, timing out, answering 5xx or a body that fails validation: the last good list stays in
 *   force (in memory; at start, the cache file). The cache never expires: expiring it would lock the owner out
 *   during a long outage, and any revocation made meanwhile is applied at the first successful refresh.
 * - gateway answers 401: the token was revoked (engine deleted or its token reset). The list is cleared in
 *   memory and on disk at once, so nobody is authorized, and this is logged as an error. Periodic refreshes
 *   continue, so a list comes back by itself if the 401 was a gateway mistake.
 *
 * @example
 * const auth = new GatewayAuthSource({ gatewayUrl, engineToken, cacheFile: join(dataDir, "auth-cache.json") });
 * await auth.start();
 * const dispatcher = new CommandDispatcher({ roleOf: (a) => auth.roleOf(a), engineId: () => auth.engineId() ?? "", ... });
 */
export class GatewayAuthSource implements AuthSource {
  readonly #url: string;
  readonly #owner: CacheOwner;
  readonly #o: Required<Omit<GatewayAuthSourceOptions, "onChange">> &
    Pick<GatewayAuthSourceOptions, "onChange">;
  readonly #stop = new AbortController();
  #list: AuthList | undefined;
  #revoked = false;
  #cachedFingerprint: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<RefreshResult> | undefined;
  #queued: Promise<RefreshResult> | undefined;
  #starting: Promise<AuthList | undefined> | undefined;

  /** @throws FloworkError VALIDATION_FAILED for a bad URL, an empty token or a bad interval. */
  constructor(options: GatewayAuthSourceOptions) {
    this.#url = authInfoUrl(options.gatewayUrl);
    if (!/^[\x21-\x7e]+$/.test(options.engineToken)) {
      throw new FloworkError(
        "VALIDATION_FAILED",
        "the engine token is empty or has characters a header cannot hold",
      );
    }
    for (const [name, value] of [
      ["refreshMs", options.refreshMs],
      ["timeoutMs", options.timeoutMs],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 2_147_483_647)) {
        throw new FloworkError("VALIDATION_FAILED", `${name} must be a positive integer of milliseconds`);
      }
    }
    this.#owner = { gatewayUrl: this.#url, engineToken: options.engineToken };
    this.#o = {
      gatewayUrl: options.gatewayUrl,
      engineToken: options.engineToken,
      cacheFile: options.cacheFile,
      fetch: options.fetch ?? globalThis.fetch,
      refreshMs: options.refreshMs ?? 60_000,
      timeoutMs: options.timeoutMs ?? 5_000,
      onChange: options.onChange,
      logger: options.logger ?? SILENT,
    };
    const url = new URL(this.#url);
    if (url.protocol === "http:" && !isLoopback(url.hostname)) {
      this.#o.logger.warn("the gateway URL is plain http: the engine token crosses the network unencrypted", {
        url: this.#url,
      });
    }
  }

  /** The list in force, or `undefined` (nobody authorized) before the first success or after a revocation. */
  current(): AuthList | undefined {
    return this.#list;
  }

  /** The role of `address` in the list in force. */
  roleOf(address: string): Role | undefined {
    return this.#list?.roleOf(address);
  }

  /** The engine id the gateway gave this engine, once known. */
  engineId(): string | undefined {
    return this.#list?.engineId;
  }

  /** True after the gateway refused the token (401), until a later refresh succeeds. */
  get revoked(): boolean {
    return this.#revoked;
  }

  /**
   * Fetches the list once (falling back to the cache file when the gateway cannot give one, except after a 401)
   * and starts the periodic refresh. Resolves with the list in force; calling it again returns the same promise.
   */
  start(): Promise<AuthList | undefined> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<AuthList | undefined> {
    const first = await this.refresh();
    if (!first.ok && first.reason !== "revoked" && first.reason !== "stopped") await this.#loadCache();
    if (!this.#stop.signal.aborted) {
      this.#timer = setInterval(() => {
        if (this.#inFlight === undefined) void this.refresh();
      }, this.#o.refreshMs);
      this.#timer.unref();
    }
    return this.#list;
  }

  /**
   * Fetches the list now. Calls made while a fetch is running share one follow-up fetch that starts after it,
   * so a caller reacting to `force_refresh_auth_list` always sees an answer the gateway gave after its call.
   */
  refresh(): Promise<RefreshResult> {
    if (this.#stop.signal.aborted) {
      return Promise.resolve({ ok: false, reason: "stopped", message: "the auth source was stopped" });
    }
    if (this.#inFlight === undefined) {
      this.#inFlight = this.#refreshOnce().finally(() => {
        this.#inFlight = undefined;
      });
      return this.#inFlight;
    }
    this.#queued ??= this.#inFlight.then(() => {
      this.#queued = undefined;
      return this.refresh();
    });
    return this.#queued;
  }

  /** Stops the periodic refresh and aborts a running fetch. The list in force stays readable. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stop.abort();
  }

  async #refreshOnce(): Promise<RefreshResult> {
    const result = await fetchAuthInfo({
      url: this.#url,
      engineToken: this.#o.engineToken,
      fetch: this.#o.fetch,
      timeoutMs: this.#o.timeoutMs,
      signal: this.#stop.signal,
    });
    if (this.#stop.signal.aborted) {
      return { ok: false, reason: "stopped", message: "the auth source was stopped" };
    }
    if (result.ok) {
      const list = AuthList.fromAuthInfo(result.info);
      const changed = this.#install(list);
      await this.#saveCache(list);
      return { ok: true, list, changed };
    }
    const { reason, message, status } = result;
    if (reason === "revoked") {
      await this.#revoke(message);
    } else {
      this.#o.logger.warn("could not refresh the authorization list; keeping the last good one", {
        url: this.#url,
        reason,
        detail: message,
        ...(status === undefined ? {} : { status }),
        ...(result.issues === undefined ? {} : { issues: result.issues }),
        has_list: this.#list !== undefined,
      });
    }
    return status === undefined ? { ok: false, reason, message } : { ok: false, reason, message, status };
  }

  /** Puts `list` in force; returns whether what is enforced changed (and tells `onChange` if so). */
  #install(list: AuthList): boolean {
    const changed = this.#list === undefined || this.#list.fingerprint() !== list.fingerprint();
    this.#list = list;
    if (this.#revoked) this.#o.logger.info("the gateway accepts the engine token again", { url: this.#url });
    this.#revoked = false;
    if (changed) {
      this.#o.logger.info("authorization list updated", { engine_id: list.engineId, addresses: list.size });
      this.#notify(list);
    }
    return changed;
  }

  async #revoke(message: string): Promise<void> {
    const had = this.#list !== undefined;
    this.#list = undefined;
    this.#cachedFingerprint = undefined;
    if (!this.#revoked) {
      this.#o.logger.error(
        "ENGINE TOKEN REJECTED by the gateway: the engine was deleted or its token was reset. Nobody is " +
          "authorized on this engine until it gets a valid FLOWORK_ENGINE_TOKEN; the cached list was deleted.",
        { url: this.#url, detail: message },
      );
    }
    this.#revoked = true;
    try {
      await removeAuthCache(this.#o.cacheFile);
    } catch (err) {
      this.#o.logger.error("could not delete the authorization cache file", { file: this.#o.cacheFile, err });
    }
    if (had) this.#notify(undefined);
  }

  async #saveCache(list: AuthList): Promise<void> {
    const fingerprint = list.fingerprint();
    if (list.info === undefined || fingerprint === this.#cachedFingerprint) return;
    try {
      await writeAuthCache(this.#o.cacheFile, this.#owner, list.info);
      this.#cachedFingerprint = fingerprint;
    } catch (err) {
      this.#o.logger.warn("could not write the authorization cache file", { file: this.#o.cacheFile, err });
    }
  }

  async #loadCache(): Promise<void> {
    const cached = await readAuthCache(this.#o.cacheFile, this.#owner);
    // A refresh may have succeeded (or been refused) while the file was read; the gateway's word wins.
    if (this.#list !== undefined || this.#revoked || this.#stop.signal.aborted) return;
    if (!cached.ok) {
      this.#o.logger.warn("no usable authorization cache; nobody is authorized until the gateway answers", {
        file: this.#o.cacheFile,
        reason: cached.reason,
      });
      return;
    }
    const list = AuthList.fromAuthInfo(cached.info);
    this.#o.logger.warn("gateway unreachable at start; using the cached authorization list", {
      file: this.#o.cacheFile,
      saved_at: cached.savedAt,
    });
    this.#cachedFingerprint = list.fingerprint();
    this.#install(list);
  }

  #notify(list: AuthList | undefined): void {
    try {
      this.#o.onChange?.(list);
    } catch (err) {
      this.#o.logger.error("the authorization list onChange handler threw", { err });
    }
  }
}
