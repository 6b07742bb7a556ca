/**
 * What a feature module uses of the jobs module (its surface, docs/architecture.md "Import rules"):
 * register a processor with the JobRegistry and enqueue or schedule through the JobQueue (BullMQ with
 * REDIS_URL, the in-process runner without). The quarter close's schedule is the first user.
 */
export { JobQueue, JobRegistry, type EnqueueOptions, type JobProcessor } from './job-registry';
