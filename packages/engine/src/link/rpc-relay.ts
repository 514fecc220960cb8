import type { JobEvent } from "@flowork/protocol";
import type { LinkRpcAck } from "./wire.js";

/** The part of `CommandDispatcher` the link uses. */
export interface LinkDispatcher {
  dispatch(
    envelope: unknown,
    transport?: { sink?: (event: JobEvent) => void; onClose?: (cleanup: () => void) => void },
  ): Promise<Record<string, unknown> & { type: string }>;
}

/** Where relayed job events go: `forward_event_to_gui`, to one user or (no target) to all allowed. */
export type Forward = (event: JobEvent, targetAddress: string | undefined) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The signer's address as the envelope claims it; the dispatcher verifies it before any event flows. */
function claimedSigner(envelope: Record<string, unknown>): string | undefined {
  const auth = envelope["auth"];
  if (!isRecord(auth)) return undefined;
  const address = auth["address"];
  return typeof address === "string" && /^0x[0-9a-fA-F]{40}$/.test(address)
    ? address.toLowerCase()
    : undefined;
}

/** Turns a response frame into the ack of `execute_rpc_from_gui`: an `error` frame is `ok:false`. */
export function ackOf(frame: Record<string, unknown> & { type: string }): LinkRpcAck {
  if (frame.type !== "error") return { ok: true, response: frame };
  const code = typeof frame["code"] === "string" ? frame["code"] : "INTERNAL";
  const message = typeof frame["message"] === "string" ? frame["message"] : "Internal error.";
  const details = frame["details"];
  return isRecord(details)
    ? { ok: false, error: { code, message, details } }
    : { ok: false, error: { code, message } };
}

/**
 * Runs the gateway's `execute_rpc_from_gui` on the engine's dispatcher and routes the job events of
 * RPC-started (or subscribed) jobs back to the signer's GUIs.
 *
 * Status events (`workflow_status_update`) of live runs also reach everyone allowed through the job-event
 * broadcast; so that the signer does not get them twice, the per-user sink holds each event for one microtask
 * and drops a status event the broadcast has already sent (`markBroadcast`). Replayed ones (`subscribe_job`)
 * were never broadcast and go through.
 */
export class RpcRelay {
  readonly #dispatcher: LinkDispatcher;
  readonly #forward: Forward;
  readonly #broadcast = new WeakSet<JobEvent>();
  readonly #sinks = new Map<string, (event: JobEvent) => void>();
  #cleanups: (() => void)[] = [];

  constructor(dispatcher: LinkDispatcher, forward: Forward) {
    this.#dispatcher = dispatcher;
    this.#forward = forward;
  }

  /** Records that `event` went to every allowed GUI already. */
  markBroadcast(event: JobEvent): void {
    this.#broadcast.add(event);
  }

  /** Answers one `execute_rpc_from_gui`. Never throws. */
  async execute(body: unknown): Promise<LinkRpcAck> {
    if (!isRecord(body) || !isRecord(body["envelope"])) {
      return { ok: false, error: { code: "BAD_REQUEST", message: "Not JSON, or not an envelope." } };
    }
    const envelope = body["envelope"];
    const signer = claimedSigner(envelope);
    try {
      const frame = await this.#dispatcher.dispatch(envelope, {
        ...(signer === undefined ? {} : { sink: this.#sinkFor(signer) }),
        onClose: (cleanup) => this.#cleanups.push(cleanup),
      });
      return ackOf(frame);
    } catch {
      return { ok: false, error: { code: "INTERNAL", message: "Internal error." } };
    }
  }

  /** The link went down: subscriptions made through it end. */
  closeAll(): void {
    const cleanups = this.#cleanups;
    this.#cleanups = [];
    this.#sinks.clear();
    for (const cleanup of cleanups) {
      try {
        cleanup();
      } catch {
        // one failing cleanup must not keep the others from running
      }
    }
  }

  #sinkFor(address: string): (event: JobEvent) => void {
    let sink = this.#sinks.get(address);
    if (sink === undefined) {
      const queue: JobEvent[] = [];
      const flush = () => {
        for (const event of queue.splice(0)) {
          if (event.type === "workflow_status_update" && this.#broadcast.has(event)) continue;
          this.#forward(event, address);
        }
      };
      sink = (event) => {
        if (queue.push(event) === 1) queueMicrotask(flush);
      };
      this.#sinks.set(address, sink);
    }
    return sink;
  }
}
