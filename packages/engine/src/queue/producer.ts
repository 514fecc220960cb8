import { FloworkError, type JobEvent, type Role } from "@flowork/protocol";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { RemoteRunner } from "../service/job-manager.js";
import {
  bullJobIdFor,
  controlChannelFor,
  eventChannelFor,
  type QueuedAuthorization,
  queueNameFor,
  sealQueuedJob,
} from "./payload.js";
import { parseRelayMessage } from "./relay.js";

/** The command being handled when a run is submitted (null: a trigger). */
export interface SubmittingCommand {
  authorization: QueuedAuthorization;
  role: Role;
}

export interface QueueProducerOptions {
  url: string;
  engineId: string;
  secret: string;
  /** The signed command behind the run being submitted right now (the engine reads it from async context). */
  currentCommand: () => SubmittingCommand | undefined;
  /** Every event a worker publishes for this engine. */
  onEvent: (event: JobEvent, meta: { jobId: string; startedBy: string | null }) => void;
  onError?: (err: unknown, context: string) => void;
}

/**
 * The engine side of queue mode: puts runs on the engine's BullMQ queue and hears the events its workers publish.
 *
 * @example
 * const producer = await QueueProducer.open({ url, engineId, secret, currentCommand, onEvent: jobs.relayRemote });
 * new JobManager({ ..., remote: producer });
 */
export class QueueProducer implements RemoteRunner {
  readonly #o: QueueProducerOptions;
  readonly #queue: Queue;
  readonly #redis: Redis;
  readonly #subscriber: Redis;

  private constructor(o: QueueProducerOptions, queue: Queue, redis: Redis, subscriber: Redis) {
    this.#o = o;
    this.#queue = queue;
    this.#redis = redis;
    this.#subscriber = subscriber;
  }

  /** Connects and subscribes to the engine's event channel. */
  static async open(o: QueueProducerOptions): Promise<QueueProducer> {
    const redis = new Redis(o.url, { maxRetriesPerRequest: null });
    const subscriber = new Redis(o.url, { maxRetriesPerRequest: null });
    const queue = new Queue(queueNameFor(o.engineId), { connection: redis });
    const producer = new QueueProducer(o, queue, redis, subscriber);
    subscriber.on("message", (_channel: string, text: string) => producer.#onMessage(text));
    await subscriber.subscribe(eventChannelFor(o.engineId));
    return producer;
  }

  #onMessage(text: string): void {
    const message = parseRelayMessage(text);
    if (!message) {
      this.#o.onError?.(new Error("unreadable relay message"), "queue events");
      return;
    }
    this.#o.onEvent(message.event, { jobId: message.job_id, startedBy: message.started_by });
  }

  async enqueue(job: Parameters<RemoteRunner["enqueue"]>[0]): Promise<void> {
    const { request } = job;
    const command = request.startedBy === null ? undefined : this.#o.currentCommand();
    if (request.startedBy !== null && command?.authorization.address !== request.startedBy) {
      // A run started by a user outside a command (a sub-workflow) cannot be re-verified by a worker.
      throw new FloworkError("INTERNAL", "a user's run can only be queued from the command that started it");
    }
    const data = sealQueuedJob(this.#o.secret, {
      v: 1,
      engine_id: this.#o.engineId,
      job_id: job.jobId,
      workflow_data: job.workflow,
      preset_name: request.presetName ?? null,
      mode: request.mode,
      initial_payload: request.initialPayload ?? {},
      start_node_id: request.startNodeId ?? null,
      started_by: request.startedBy,
      role: command?.role ?? null,
      enqueued_at: Date.now(),
      authorization: command?.authorization ?? null,
      disabled_components: [...job.disabledComponents],
    });
    await this.#queue.add("run", data, {
      jobId: bullJobIdFor(job.jobId),
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 86_400 },
    });
  }

  async cancelQueued(jobId: string): Promise<boolean> {
    // BullMQ removes a waiting or delayed job and refuses (0) one a worker holds the lock of.
    return (await this.#queue.remove(bullJobIdFor(jobId))) === 1;
  }

  control(op: "stop" | "pause" | "resume", jobId: string): void {
    this.#redis
      .publish(controlChannelFor(this.#o.engineId), JSON.stringify({ op, job_id: jobId }))
      .catch((err: unknown) => this.#o.onError?.(err, `control ${jobId}`));
  }

  async close(): Promise<void> {
    await this.#queue.close();
    this.#subscriber.disconnect();
    this.#redis.disconnect();
  }
}
