import {
  EngineVitalsBatchSchema,
  EngineVitalsSchema,
  type EngineVitalsUpdate,
  MAX_VITALS_BATCH_ITEMS,
} from "@flowork/protocol";
import type { GuiNamespace } from "./context.js";
import type { SocketLogger } from "./deps.js";
import { type EngineSocketData, engineRoom } from "./types.js";
import type { VitalsPersister } from "./vitals-persister.js";

/** The part of an engine socket the relay reads. */
export interface VitalsSource {
  id: string;
  connected: boolean;
  data: EngineSocketData;
}

/** Options of {@link VitalsRelay}. */
export interface VitalsRelayOptions {
  guis: GuiNamespace;
  /** Shortest and longest flush period, ms (see `SocketOptions.vitalsFlushMs`). */
  minPeriodMs: number;
  maxPeriodMs: number;
  /** Reports validated, or GUI sockets served, per event-loop turn. */
  slice: number;
  /** Several replicas (Redis adapter): each flush is also published to the other replicas. */
  clustered: boolean;
  persister?: VitalsPersister | undefined;
  log: SocketLogger;
}

/** Counters for tests and the bench. */
export interface VitalsRelayStats {
  /** Reports accepted (valid, from a connected engine). */
  accepted: number;
  /** Reports dropped by validation. */
  rejected: number;
  /** Local flushes so far. */
  flushes: number;
  /** The current flush period, ms. */
  periodMs: number;
  /** Frames written to GUI sockets: batches (one per socket group) and legacy per-engine updates. */
  batchFrames: number;
  legacyFrames: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** CPU time (user + system) of the process so far, ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** True when two item lists hold the same objects in the same order (sockets with the same rooms). */
function sameItems(a: EngineVitalsUpdate[], b: EngineVitalsUpdate[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Relays engine vitals to GUIs in batches (SPEC section 3 addition, `docs/gateway.md`).
 *
 * - Intake: a report is only queued (latest per engine); a drain validates it in slices of `slice` reports per
 *   event-loop turn (`setImmediate`), so a burst of thousands of reports does not hold up REST or RPC.
 * - Flush: the latest vitals of every engine that reported go out at most once per period. Each GUI socket gets
 *   one `engine_vitals_batch` frame with every engine it may see (the engine rooms it is in *at that moment*, so a
 *   revoked share stops delivery at the next flush), sockets with the same list share one encoded broadcast, and
 *   the frame is volatile: a GUI that has not drained the previous frame skips this one instead of buffering it.
 *   Sockets that did not opt in get one `engine_vitals_update` per engine instead (coalesced the same way).
 * - The period adapts: `minPeriodMs` when flushing is cheap, up to `maxPeriodMs`: the next flush starts no earlier
 *   than twice the CPU time the last one took, so relaying takes about half of a core at most; the first report
 *   after a quiet period goes out at once.
 * - Replicas: each flush is published once to the other replicas, which deliver it through their own rooms.
 */
export class VitalsRelay {
  readonly #o: VitalsRelayOptions;
  readonly #incoming = new Map<string, { socket: VitalsSource; raw: unknown }>();
  /** Latest accepted vitals per engine room, with the engine socket they came from. */
  readonly #pending = new Map<string, { item: EngineVitalsUpdate; from: string }>();
  #draining = false;
  #timer: NodeJS.Timeout | undefined;
  #flushing = false;
  #nextAt = 0;
  #closed = false;
  readonly #stats: VitalsRelayStats;

  constructor(options: VitalsRelayOptions) {
    this.#o = options;
    this.#stats = {
      accepted: 0,
      rejected: 0,
      flushes: 0,
      periodMs: options.minPeriodMs,
      batchFrames: 0,
      legacyFrames: 0,
    };
    if (options.clustered) options.guis.on("vitals_batch", (items: unknown) => this.#fromReplica(items));
  }

  get stats(): Readonly<VitalsRelayStats> {
    return this.#stats;
  }

  /** Queues one `engine_vitals_update` of a connected engine (validated later, in the drain). */
  receive(socket: VitalsSource, raw: unknown): void {
    if (this.#closed) return;
    this.#incoming.set(socket.data.engine_id, { socket, raw });
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(this.#drain);
    }
  }

  /** The engine socket went away: vitals it sent that are not out yet are dropped (it shows offline now). */
  forget(engineId: string, socketId: string): void {
    if (this.#incoming.get(engineId)?.socket.id === socketId) this.#incoming.delete(engineId);
    const room = engineRoom(engineId);
    if (this.#pending.get(room)?.from === socketId) this.#pending.delete(room);
  }

  /** Stops flushing; what is queued is dropped (GUIs are being disconnected). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#incoming.clear();
    this.#pending.clear();
  }

  readonly #drain = (): void => {
    let n = 0;
    for (const [engineId, { socket, raw }] of this.#incoming) {
      if (n++ >= this.#o.slice) break;
      this.#incoming.delete(engineId);
      if (!socket.connected) continue;
      const parsed = EngineVitalsSchema.safeParse(raw);
      if (!parsed.success) {
        this.#stats.rejected++;
        continue;
      }
      this.#stats.accepted++;
      socket.data.vitals = parsed.data;
      this.#pending.set(engineRoom(engineId), {
        item: { engine_id: engineId, vitals: parsed.data },
        from: socket.id,
      });
      this.#o.persister?.note(engineId, parsed.data);
    }
    if (this.#incoming.size > 0 && !this.#closed) setImmediate(this.#drain);
    else this.#draining = false;
    if (this.#pending.size > 0) this.#schedule();
  };

  #schedule(): void {
    if (this.#timer !== undefined || this.#flushing || this.#closed) return;
    const wait = Math.max(0, this.#nextAt - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#flush();
    }, wait);
  }

  async #flush(): Promise<void> {
    if (this.#pending.size === 0 || this.#closed) return;
    this.#flushing = true;
    const started = Date.now();
    const batch = new Map<string, EngineVitalsUpdate>();
    for (const [room, { item }] of this.#pending) batch.set(room, item);
    this.#pending.clear();
    this.#stats.flushes++;
    let busy = 0;
    try {
      if (this.#o.clustered) this.#publish([...batch.values()]);
      busy = await this.#deliver(batch);
    } catch (err) {
      this.#o.log.error("sockets: vitals flush failed", {
        err: err instanceof Error ? err.message : String(err),
      });
    } finally {
      // The CPU time the flush itself took (its slices, not the turns in between that served other work, nor
      // time the process spent descheduled by a busy machine): twice that keeps the relay at about half of a core.
      const period = Math.min(this.#o.maxPeriodMs, Math.max(this.#o.minPeriodMs, 2 * busy));
      this.#stats.periodMs = period;
      this.#nextAt = started + period;
      this.#flushing = false;
      if (this.#pending.size > 0) this.#schedule();
    }
  }

  /** One message per chunk to the other replicas (Redis pub/sub through the adapter). */
  #publish(items: EngineVitalsUpdate[]): void {
    for (let i = 0; i < items.length; i += MAX_VITALS_BATCH_ITEMS) {
      this.#o.guis.serverSideEmit("vitals_batch", items.slice(i, i + MAX_VITALS_BATCH_ITEMS));
    }
  }

  /** Another replica's flush: delivered to this replica's GUI sockets, checked against this replica's rooms. */
  #fromReplica(raw: unknown): void {
    if (this.#closed) return;
    const parsed = EngineVitalsBatchSchema.safeParse(raw);
    if (!parsed.success) {
      this.#o.log.warn("sockets: malformed vitals batch from another replica");
      return;
    }
    const batch = new Map(parsed.data.map((item) => [engineRoom(item.engine_id), item]));
    this.#deliver(batch).then(undefined, (err: unknown) =>
      this.#o.log.error("sockets: vitals delivery failed", {
        err: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  /**
   * Serves every local GUI socket in a room of the batch, `slice` sockets per event-loop turn. Candidates are
   * collected room by room, so one user's sockets are adjacent and share a broadcast.
   */
  async #deliver(batch: Map<string, EngineVitalsUpdate>): Promise<number> {
    let t = cpuMs();
    const rooms = this.#o.guis.adapter.rooms;
    const candidates = new Set<string>();
    for (const room of batch.keys()) {
      const members = rooms.get(room);
      if (members !== undefined) for (const id of members) candidates.add(id);
    }
    let busy = 0;
    let slice: string[] = [];
    for (const id of candidates) {
      slice.push(id);
      if (slice.length < this.#o.slice) continue;
      this.#serve(slice, batch);
      busy += cpuMs() - t;
      slice = [];
      await nextTurn();
      if (this.#closed) return busy;
      t = cpuMs();
    }
    if (slice.length > 0) this.#serve(slice, batch);
    return busy + (cpuMs() - t);
  }

  #serve(ids: string[], batch: Map<string, EngineVitalsUpdate>): void {
    const sockets = this.#o.guis.sockets;
    const groups = new Map<string, { items: EngineVitalsUpdate[]; ids: string[] }[]>();
    for (const id of ids) {
      const socket = sockets.get(id);
      if (socket === undefined || !socket.connected) continue;
      // The rooms the socket is in now: a share revoked since the report was queued is respected.
      const items: EngineVitalsUpdate[] = [];
      for (const room of socket.rooms) {
        const item = batch.get(room);
        if (item !== undefined) items.push(item);
      }
      if (items.length === 0) continue;
      if (!socket.data.vitals_batch) {
        for (const item of items) socket.emit("engine_vitals_update", item);
        this.#stats.legacyFrames += items.length;
        continue;
      }
      let list = groups.get(socket.data.address);
      if (list === undefined) {
        list = [];
        groups.set(socket.data.address, list);
      }
      const group = list.find((g) => sameItems(g.items, items));
      if (group === undefined) list.push({ items, ids: [id] });
      else group.ids.push(id);
    }
    for (const list of groups.values()) {
      for (const { items, ids: to } of list) {
        if (items.length <= MAX_VITALS_BATCH_ITEMS) {
          this.#o.guis.local.volatile.to(to).emit("engine_vitals_batch", items);
        } else {
          // Several frames for one socket: not volatile (the second would be dropped behind the first).
          for (let i = 0; i < items.length; i += MAX_VITALS_BATCH_ITEMS) {
            this.#o.guis.local.to(to).emit("engine_vitals_batch", items.slice(i, i + MAX_VITALS_BATCH_ITEMS));
          }
        }
        this.#stats.batchFrames += to.length;
      }
    }
  }
}
