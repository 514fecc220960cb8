import type { Role } from "@flowork/protocol";

/** A notification pushed to a user's GUIs (SPEC section 3 `notification`). */
export interface Notification {
  level: "info" | "success" | "warning" | "error";
  title: string;
  text: string;
}

/**
 * What the REST side (services) tells the real-time side (Socket.IO) when state changes. The services call it;
 * `src/sockets` implements it (locally, or across replicas through the Redis adapter). Every method is
 * fire-and-forget: a failure to deliver never fails the REST request that caused it.
 */
export interface GatewayEvents {
  /** An engine's name or status changed: GUIs allowed to see it get `engine_status_update`. */
  engineChanged(engineId: string): void;
  /** The engine was deleted: its socket is cut; `engine_deleted` to the owner, `removed_shared_engine` to sharees. */
  engineDeleted(engineId: string, ownerAddress: string, sharedWith: string[]): void;
  /** The engine's token was reset or revoked: its socket is cut at once. */
  disconnectEngine(engineId: string): void;
  /** A share was created, changed or removed: the engine refetches its list, the guest's GUIs are told. */
  shareChanged(
    engineId: string,
    guestAddress: string,
    change: "new" | "updated" | "removed",
    role?: Role,
  ): void;
  /** The engine should refetch `get-engine-auth-info` (`force_refresh_auth_list`). */
  refreshAuthList(engineId: string): void;
  /** The engine's tier or quotas changed (`quota_update`). */
  quotaChanged(engineId: string, tier: string, quotas: Record<string, unknown>): void;
  /** A `notification` to every GUI of `address`. */
  notify(address: string, notification: Notification): void;
}

/** Events that go nowhere (a gateway without sockets, tests of the REST side alone). */
export const NO_EVENTS: GatewayEvents = {
  engineChanged: () => {},
  engineDeleted: () => {},
  disconnectEngine: () => {},
  shareChanged: () => {},
  refreshAuthList: () => {},
  quotaChanged: () => {},
  notify: () => {},
};
