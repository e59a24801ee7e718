/**
 * Shards through a queue (BullMQ on Redis, docs/distributed.md): `accessgap submit` enqueues one
 * job per shard, carrying the scenario's bytes and hash (never a path only one machine can read);
 * `accessgap worker` processes, on any number of machines, runs the shard (engine/shard.ts) in
 * worker threads, and stores its partial result in Redis under the job's part key; submit fetches
 * and decodes each part as soon as its job completes (while the other shards still run), then
 * merges them in block order, so the report is the bytes of one machine's run.
 *
 *   submit -> Queue.addBulk(ShardJob x N) -> workers: runShard -> SET part key -> job completed
 *   submit <- QueueEvents (completed: GET and decode that part | failed) -> all parts -> mergeShards -> reportRun
 *
 * A worker that dies mid-shard stops renewing its job's lock; BullMQ's stalled-job check hands the
 * job to another worker, which runs the whole shard again (a shard is deterministic).
 */
import { createHash } from 'node:crypto';
import type { ConnectionOptions, Job } from 'bullmq';
import type { LoadedScenario } from '../scenario/load.js';
import { RecentScenarios } from '../scenario/load.js';
import type { StudySpec } from './block.js';
import { WorkerThreadsExecutor } from './schedule.js';
import { blocksOf, pathsOfBlocks, RunAborted, runSimulation, shardBlocks, threadsFor, type PassExecutor, type RunOptions, type RunResult } from './run.js';
import { checkShards, decodeShard, mergeShards, runShard, type Shard } from './shard.js';

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
  /** The pass's study (plain data; absent for a plain run). */
  study?: StudySpec;
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

/** The scenarios a worker has parsed lately, by SHA-256: the shards of one run (and of a study's passes) parse theirs once. */
const parsed = new RecentScenarios(4);

async function scenarioOf(d: ShardJob): Promise<LoadedScenario> {
  const bytes = Buffer.from(d.scenario, 'base64');
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== d.sha256) throw new Error(`the job's scenario hashes to ${sha}, not the recorded ${d.sha256}`);
  return parsed.parse(`${sha}:${d.file}`, bytes, d.file);
}

/**
 * A worker's processor: checks the scenario's hash, runs the shard in the worker's kept threads
 * (this thread stays free to renew the job's lock) and stores the part; skips a run whose submit
 * was cancelled.
 */
export async function processShard(job: Job<ShardJob>, client: Client, pool: WorkerThreadsExecutor, log: (text: string) => void): Promise<string> {
  const d = job.data;
  if (await client.exists(cancelKey(d.run))) return 'cancelled';
  const loaded = await scenarioOf(d);
  const started = performance.now();
  log(`worker: shard ${d.index} of ${d.count} of ${loaded.scenario.name} (run ${d.run}) started\n`);
  const { bytes: part, paths } = await runShard(loaded, { seed: d.seed, paths: d.paths, threads: pool.count, threadPool: [pool], study: d.study }, d.index, d.count);
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

/**
 * Passes through the queue: each pass (a run, a sweep's point, an archetype, ...) of at least
 * `shards` blocks is split into `shards` jobs that the queue's workers run; their parts are merged in block order into the
 * pass's result, the bytes one machine gives. One mechanism for every command whose work is made
 * of passes (study/passes.ts's executor). Call close() when the command is done.
 */
export class QueuePasses {
  private queue?: import('bullmq').Queue<ShardJob>;
  private events?: import('bullmq').QueueEvents;
  private passes = 0;
  /** Kept threads for the passes too small to shard. */
  private readonly local: WorkerThreadsExecutor[] = [];
  readonly run: PassExecutor;

  constructor(
    private readonly url: string,
    private readonly shards: number,
  ) {
    this.run = (loaded, options) => this.runPass(loaded, options);
  }

  private async open() {
    if (!this.queue) {
      const { Queue, QueueEvents } = await import('bullmq');
      const connection = connectionOf(this.url);
      this.queue = new Queue<ShardJob>(SHARD_QUEUE, { connection });
      this.events = new QueueEvents(SHARD_QUEUE, { connection });
      await this.events.waitUntilReady();
    }
    return { queue: this.queue, events: this.events!, client: (await this.queue.backend.client) as unknown as Client };
  }

  private async runPass(loaded: LoadedScenario, options: RunOptions): Promise<RunResult> {
    // A pass with fewer blocks than shards (the cost-of-delay exhibit's, say) runs here: splitting it would leave shards empty, and a shard's fixed cost is seconds. Same bytes either way.
    if (blocksOf(options.paths) < this.shards) return this.runHere(loaded, options);
    const started = performance.now();
    const { queue, events, client } = await this.open();
    const s = loaded.scenario;
    const run = `${s.sha256.slice(0, 12)}-${Date.now().toString(36)}-${process.pid}-${this.passes++}`;
    const count = this.shards;
    const scenario = Buffer.from(loaded.bytes ?? Buffer.from(loaded.text)).toString('base64');
    const pathsOf = (i: number) => {
      const [first, end] = pathsOfBlocks(options.paths, shardBlocks(options.paths, i, count));
      return end - first;
    };
    // Each part is fetched and decoded as soon as its job completes, while the other shards still run.
    const parts: Promise<Shard>[] = [];
    const fetchPart = async (i: number) => {
      const bytes = await client.getBuffer(partKey(run, i));
      if (!bytes) throw new Error(`shard ${i} of ${count} finished but its part is not in Redis (expired or deleted?)`);
      return decodeShard(bytes, `shard ${i} of ${count}`);
    };
    let onCompleted: (e: { jobId: string }) => void = () => undefined;
    let onFailed: (e: { jobId: string; failedReason: string }) => void = () => undefined;
    let onAbort = () => undefined as void;
    // Every job's end, from the events stream: watched before the jobs exist, so none is missed.
    const finished = new Promise<void>((resolve, reject) => {
      const done = new Set<string>();
      let paths = 0;
      const ours = (id: string) => id.startsWith(`${run}-`);
      onCompleted = ({ jobId: id }) => {
        if (!ours(id) || done.has(id)) return;
        done.add(id);
        const index = Number(id.slice(run.length + 1));
        parts[index - 1] = fetchPart(index);
        parts[index - 1].catch(() => undefined); // awaited below, once every shard is done
        paths += pathsOf(index);
        options.onProgress?.(paths, options.paths);
        if (done.size === count) resolve();
      };
      onFailed = ({ jobId: id, failedReason }) => ours(id) && reject(new Error(`shard ${id.slice(run.length + 1)} of ${count} failed on its worker: ${failedReason}`));
      onAbort = () => reject(new RunAborted());
    });
    events.on('completed', onCompleted);
    events.on('failed', onFailed);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw new RunAborted();
      await queue.addBulk(
        Array.from({ length: count }, (_, k) => ({
          name: 'shard',
          data: { run, scenario, file: s.file, sha256: s.sha256, seed: options.seed, paths: options.paths, index: k + 1, count, ...(options.study ? { study: options.study } : {}) } satisfies ShardJob,
          opts: { jobId: jobId(run, k + 1), removeOnComplete: true, removeOnFail: true },
        })),
      );
      try {
        await finished;
      } catch (e) {
        await cancelRun(queue, client, run, count);
        throw e;
      }
      const shards = await Promise.all(parts);
      await client.del(...Array.from({ length: count }, (_, k) => partKey(run, k + 1)));
      const problem = checkShards(shards.map((x, k) => ({ ...x, name: `shard ${k + 1}` })));
      if (problem) throw new Error(problem);
      return await mergeShards(loaded, shards, options.threads, started);
    } finally {
      events.off('completed', onCompleted);
      events.off('failed', onFailed);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * A pass run on this machine, on kept worker threads as `run`'s passes are (study/passes.ts):
   * one per block, at most --threads. On this thread instead, the cost-of-delay exhibit's block took
   * 3.0-3.6 s against 2.5-2.6 s on a worker thread (20,000 paths of the default scenario, in turn).
   */
  private runHere(loaded: LoadedScenario, options: RunOptions): Promise<RunResult> {
    const need = threadsFor(options.threads, blocksOf(options.paths));
    while (this.local.length < need) this.local.push(new WorkerThreadsExecutor(1, { keep: true }));
    return runSimulation(loaded, { ...options, threadPool: this.local.slice(0, need) });
  }

  async close(): Promise<void> {
    for (const x of this.local) x.stop();
    await this.events?.close();
    await this.queue?.close();
  }
}
