/**
 * Shards through a queue (BullMQ on Redis, docs/distributed.md): `accessgap submit` enqueues one
 * job per shard, carrying the scenario's bytes and hash (never a path only one machine can read);
 * `accessgap worker` processes, on any number of machines, run the jobs (engine/shard.ts) in
 * worker threads. A job's threads claim the run's blocks one at a time from a counter in Redis
 * shared by all its jobs, as each thread becomes free, so the work stays balanced to the last
 * block however fast each machine (or core) turns out to be; the job stores its partial result
 * (the blocks it ran) under its part key. submit fetches and decodes each part as soon as its job
 * completes, then merges them in block order, so the report is the bytes of one machine's run.
 *
 *   submit -> SET next 0, Queue.addBulk(ShardJob x N) -> workers: runShard, its threads claiming
 *             blocks (CLAIM: next++, recorded in the job's claims list) -> STORE part -> job completed
 *   submit <- QueueEvents (completed: GET and decode that part | failed) -> all parts -> mergeShards -> reportRun
 *
 * A worker that dies mid-job stops renewing its job's lock; BullMQ's stalled-job check hands the
 * job to another worker, which takes the job over (its owner key), runs again the blocks the dead
 * one had claimed (its claims list), and goes on claiming. A taken-over attempt that is still
 * alive can claim and store nothing more, so every block ends up in exactly one stored part.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ConnectionOptions, Job } from 'bullmq';
import type { LoadedScenario } from '../scenario/load.js';
import { parseScenario } from '../scenario/load.js';
import { RecentScenarios } from '../scenario/loaded.js';
import type { StudySpec } from './block.js';
import { WorkerThreadsExecutor } from './schedule.js';
import { blocksOf, RunAborted, runSimulation, threadsFor, type PassExecutor, type RunOptions, type RunResult } from './run.js';
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
/** The run's next unclaimed block; a job's claimed blocks, in claim order; the job's current attempt. */
export const nextKey = (run: string) => `accessgap:next:${run}`;
export const claimsKey = (run: string, index: number) => `accessgap:claims:${run}:${index}`;
export const ownerKey = (run: string, index: number) => `accessgap:owner:${run}:${index}`;
/** Paths the run's jobs have simulated so far (submit's progress; a job taken over counts its re-run blocks again). */
export const doneKey = (run: string) => `accessgap:done:${run}`;
/** Every key a run of `count` jobs leaves in Redis (deleted when the run is merged or cancelled). */
const runKeys = (run: string, count: number) => [nextKey(run), doneKey(run), ...Array.from({ length: count }, (_, k) => [partKey(run, k + 1), claimsKey(run, k + 1), ownerKey(run, k + 1)]).flat()];

/**
 * Claims the run's next block for a job's attempt, atomically: refused (-2) once another attempt
 * owns the job; -1 when every block is taken; else the block, recorded in the job's claims list.
 * Each claim keeps the counter, the list and the owner key for another KEEP_SECONDS, so a pass
 * that runs for days does not lose them. KEYS: next, claims, owner; ARGV: the run's blocks, the
 * attempt's token, seconds to keep.
 */
const CLAIM = `if redis.call('GET', KEYS[3]) ~= ARGV[2] then return -2 end
local b = redis.call('INCR', KEYS[1]) - 1
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
if b >= tonumber(ARGV[1]) then return -1 end
redis.call('RPUSH', KEYS[2], b)
redis.call('EXPIRE', KEYS[2], ARGV[3])
return b`;
/** Stores a job's part if the attempt still owns the job (1), else stores nothing (0). KEYS: part, owner; ARGV: token, part, seconds. */
const STORE = `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;
const SUPERSEDED = -2;
/** Adds paths done to the run's progress counter and keeps it a day more. KEYS: done; ARGV: paths, seconds. */
const PROGRESS = `redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;
/** How often submit reads the progress counter. */
const PROGRESS_MS = 1000;

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
  set(key: string, value: Buffer | string, ex: 'EX', seconds: number): Promise<unknown>;
  getBuffer(key: string): Promise<Buffer | null>;
  get(key: string): Promise<string | null>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  exists(key: string): Promise<number>;
  del(...keys: string[]): Promise<number>;
  eval(script: string, keys: number, ...args: (string | Buffer | number)[]): Promise<unknown>;
}

/** The scenarios a worker has parsed lately, by SHA-256: the shards of one run (and of a study's passes) parse theirs once. */
const parsed = new RecentScenarios(4);

async function scenarioOf(d: ShardJob): Promise<LoadedScenario> {
  const bytes = Buffer.from(d.scenario, 'base64');
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== d.sha256) throw new Error(`the job's scenario hashes to ${sha}, not the recorded ${d.sha256}`);
  return parsed.get(`${sha}:${d.file}`, () => parseScenario(bytes, d.file));
}

/**
 * A worker's processor: checks the scenario's hash, takes the job over (an earlier attempt, from a
 * worker that died or stalled, can claim and store nothing more), runs again the blocks an earlier
 * attempt claimed, then claims the run's blocks one at a time as the worker's kept threads ask
 * (this thread stays free to renew the job's lock) until none is left, and stores the part; skips
 * a run whose submit was cancelled.
 */
export async function processShard(job: Job<ShardJob>, client: Client, pool: WorkerThreadsExecutor, log: (text: string) => void): Promise<string> {
  const d = job.data;
  if (await client.exists(cancelKey(d.run))) return 'cancelled';
  const loaded = await scenarioOf(d);
  const started = performance.now();
  const token = randomUUID();
  await client.set(ownerKey(d.run, d.index), token, 'EX', KEEP_SECONDS);
  const earlier = (await client.lrange(claimsKey(d.run, d.index), 0, -1)).map(Number);
  let superseded = false;
  const claims = async (): Promise<number | undefined> => {
    if (earlier.length > 0) return earlier.shift();
    const b = Number(await client.eval(CLAIM, 3, nextKey(d.run), claimsKey(d.run, d.index), ownerKey(d.run, d.index), blocksOf(d.paths), token, KEEP_SECONDS));
    if (b === SUPERSEDED) superseded = true;
    return b >= 0 ? b : undefined;
  };
  log(`worker: shard ${d.index} of ${d.count} of ${loaded.scenario.name} (run ${d.run}) started${earlier.length ? `, running again the ${earlier.length} block(s) an earlier attempt claimed` : ''}\n`);
  // Each block's paths go to the run's progress counter as the block ends (submit shows them).
  let counted = 0;
  let reported: Promise<unknown> = Promise.resolve();
  const onProgress = (done: number) => {
    const more = done - counted;
    counted = done;
    reported = reported.then(() => client.eval(PROGRESS, 1, doneKey(d.run), more, KEEP_SECONDS)).catch(() => undefined);
  };
  const { bytes: part, paths, held } = await runShard(loaded, { seed: d.seed, paths: d.paths, threads: pool.count, threadPool: [pool], study: d.study, onProgress }, d.index, d.count, claims);
  await reported;
  if (await client.exists(cancelKey(d.run))) return 'cancelled';
  const stored = !superseded && Number(await client.eval(STORE, 2, partKey(d.run, d.index), ownerKey(d.run, d.index), token, Buffer.from(part.buffer, part.byteOffset, part.byteLength), KEEP_SECONDS)) === 1;
  if (!stored) {
    log(`worker: shard ${d.index} of ${d.count} of ${loaded.scenario.name} was taken over by another attempt; its part is left to that one\n`);
    return 'superseded';
  }
  log(`worker: shard ${d.index} of ${d.count} of ${loaded.scenario.name} done: ${held.length} block(s), ${paths.toLocaleString('en-US')} paths in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
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
  await client.del(...runKeys(run, count));
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
    // Progress: the paths the jobs report done (read every second), never going back, and every
    // path once every part is in.
    let shown = 0;
    const show = (done: number) => {
      if (done <= shown) return;
      shown = done;
      options.onProgress?.(shown, options.paths);
    };
    const progress = setInterval(() => void client.get(doneKey(run)).then((v) => show(Math.min(Number(v ?? 0), options.paths - 1)), () => undefined), PROGRESS_MS);
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
      const ours = (id: string) => id.startsWith(`${run}-`);
      onCompleted = ({ jobId: id }) => {
        if (!ours(id) || done.has(id)) return;
        done.add(id);
        const index = Number(id.slice(run.length + 1));
        parts[index - 1] = fetchPart(index);
        parts[index - 1].catch(() => undefined); // awaited below, once every shard is done
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
      // The counter the jobs claim blocks from, before any job can start.
      await client.set(nextKey(run), '0', 'EX', KEEP_SECONDS);
      await client.set(doneKey(run), '0', 'EX', KEEP_SECONDS);
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
      clearInterval(progress);
      show(options.paths);
      await client.del(...runKeys(run, count));
      const problem = checkShards(shards.map((x, k) => ({ ...x, name: `shard ${k + 1}` })));
      if (problem) throw new Error(problem);
      return await mergeShards(loaded, shards, options.threads, started);
    } finally {
      clearInterval(progress);
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
