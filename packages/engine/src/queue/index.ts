/*
 * Queue mode (SPEC section 8): the engine puts runs on a BullMQ queue, `flowork worker` processes run them.
 * See docs/scale.md, "Queue mode".
 */
export {
  bullJobIdFor,
  eventChannelFor,
  finalKeyFor,
  type QueuedAuthorization,
  type QueuedJob,
  queueNameFor,
  sealQueuedJob,
} from "./payload.js";
export { QueueProducer, type QueueProducerOptions, type SubmittingCommand } from "./producer.js";
export { type VerifiedRun, verifyQueuedJob } from "./verify.js";
export { type QueueWorkerConfig, type RunningWorker, startQueueWorker } from "./worker.js";
