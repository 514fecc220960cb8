import { AsyncLocalStorage } from "node:async_hooks";
import type { Handlers } from "../service/dispatcher.js";
import type { SubmittingCommand } from "./producer.js";

/**
 * Carries the signed command being handled down to the queue producer, so a queued run travels with the
 * envelope that authorised it. The handlers and the job manager stay unaware of queue mode.
 */
export class CommandContext {
  readonly #storage = new AsyncLocalStorage<SubmittingCommand>();

  /** The command whose handler is running in this async context, if any. */
  current(): SubmittingCommand | undefined {
    return this.#storage.getStore();
  }

  /** Wraps the handlers that start runs so they run inside their command's context. */
  wrap(handlers: Handlers): Handlers {
    const within =
      (handler: Handlers["execute_workflow"]): Handlers["execute_workflow"] =>
      (request, ctx) =>
        this.#storage.run(
          {
            authorization: {
              address: ctx.address,
              message: ctx.signedMessage,
              signature: ctx.signature,
              payload: ctx.envelope.payload,
            },
            role: ctx.role,
          },
          () => handler(request, ctx),
        );
    return {
      ...handlers,
      execute_workflow: within(handlers.execute_workflow),
      execute_standalone_node: within(handlers.execute_standalone_node),
    };
  }
}
