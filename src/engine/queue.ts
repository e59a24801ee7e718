/**
 * Shards through a queue (BullMQ on Redis, docs/distributed.md): `accessgap submit` enqueues one
 * job per shard, carrying the scenario's bytes and hash (never a path only one machine can read);
 * `accessgap worker` processes, on any number of machines, runs the shard (engine/shard.ts) in
 * worker threads, and stores its partial result in Redis under the job's part key; submit collects
 * the parts and merges them in block order, so the report is the bytes of one machine's run.
 *
 *   submit -> Queue.addBulk(ShardJob x N) -> workers: runShard -> SET part key -> job completed
 *   submit <- QueueEvents (completed | failed) <- GET part keys -> mergeShards -> reportRun
 *
 * A worker that dies mid-shard stops renewing its job's lock; BullMQ's stalled-job check hands the
 * job to another worker, which runs the whole shard again (a shard is deterministic).
 */
import { createHash } from 'node:crypto';
import type { ConnectionOptions, Job } from 'bullmq';
import { parseScenario } from '../scenario/load.js';
import { runShard } from './shard.js';

/** The queue every submit and worker uses. */
export const SHARD_QUEUE = 'accessgap-shards';
/** A worker's job lock: renewed every half of it while the shard runs; a dead worker's shard moves to another this long after. */
export const LOCK_MS = 5000;
export const STALLED_CHECK_MS = 2000;
/** Parts and cancellation marks expire from Redis after a day (a submit that died leaves nothing for ever). */
const KEEP_SECONDS = 86_400;

export interface ShardJob {
  /** The submit's run: its parts are stored under it. */
  run: string;
  /** The scenario file's bytes (base64), its name for messages, and its SHA-256. */
  scenario: string;
  file: string;
  sha256: string;
  seed: number;
  paths: number;
  index: number;
  count: number;
}

export const partKey = (run: string, index: number) => `accessgap:part:${run}:${index}`;
export const cancelKey = (run: string) => `accessgap:cancelled:${run}`;
export const jobId = (run: string, index: number) => `${run}-${index}`;

/** BullMQ connection options from a redis:// URL (host, port, database, user and password). */
export function connectionOf(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`expected --redis as a URL such as redis://127.0.0.1:6379, found "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`expected --redis as a redis:// or rediss:// URL, found "${url}"`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis: never give up on a command.
    maxRetriesPerRequest: null,
  };
}

/** A redis client of a worker or queue (bullmq's own ioredis), for the part keys. */
interface Client {
  set(key: string, value: Buffer, ex: 'EX', seconds: number): Promise<unknown>;
  getBuffer(key: string): Promise<Buffer | null>;
  exists(key: string): Promise<number>;
  del(...keys: string[]): Promise<number>;
}

/**
 * A worker's processor: checks the scenario's hash, runs the shard in worker threads (this thread
 * stays free to renew the job's lock) and stores the part; skips a run whose submit was cancelled.
 */
export async function processShard(job: Job<ShardJob>, client: Client, threads: number, log: (text: string) => void): Promise<string> {
  const d = job.data;
  if (await client.exists(cancelKey(d.run))) return 'cancelled';
  const bytes = Buffer.from(d.scenario, 'base64');
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== d.sha256) throw new Error(`the job's scenario hashes to ${sha}, not the recorded ${d.sha256}`);
  const loaded = await parseScenario(bytes, d.file);
  const started = performance.now();
  log(`worker: shard ${d.index} of ${d.count} of ${loaded.scenario.name} (run ${d.run}) started\n`);
  const { bytes: part, paths } = await runShard(loaded, { seed: d.seed, paths: d.paths, threads, offMainThread: true }, d.index, d.count);
  if (await client.exists(cancelKey(d.run))) return 'cancelled';
  await client.set(partKey(d.run, d.index), Buffer.from(part.buffer, part.byteOffset, part.byteLength), 'EX', KEEP_SECONDS);
  log(`worker: shard ${d.index} of ${d.count} of ${loaded.scenario.name} done: ${paths.toLocaleString('en-US')} paths in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return partKey(d.run, d.index);
}

/** Marks a run cancelled (workers skip or discard its shards) and deletes what it left: waiting jobs and parts. */
export async function cancelRun(queue: { getJob(id: string): Promise<Job | undefined> }, client: Client, run: string, count: number): Promise<void> {
  await client.set(cancelKey(run), Buffer.from('1'), 'EX', KEEP_SECONDS);
  for (let i = 1; i <= count; i++) {
    const job = await queue.getJob(jobId(run, i));
    // An active job is locked by its worker, which discards the part when it sees the mark.
    await job?.remove().catch(() => undefined);
  }
  await client.del(...Array.from({ length: count }, (_, i) => partKey(run, i + 1)));
}
