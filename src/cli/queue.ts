/**
 * `accessgap worker --redis URL` and `accessgap submit SCENARIO --redis URL --shards N`: one run
 * spread over any number of machines through a BullMQ queue (engine/queue.ts,
 * docs/distributed.md). submit writes the report folder as `run` does, byte for byte.
 *
 *   submit: the scenario -> N ShardJobs -> wait (progress on stderr) -> parts from Redis
 *           -> checkShards -> mergeShards -> reportRun -> the pipeline writes the folder
 *   worker: jobs -> processShard (runShard in worker threads) -> part key in Redis
 */
import { availableParallelism } from 'node:os';
import type { Command } from '@commander-js/extra-typings';
import { makePlan } from '../engine/block.js';
import { estimateRun } from '../engine/guards.js';
import { BLOCK_PATHS } from '../engine/kernel.js';
import { RunAborted, shardBlocks } from '../engine/run.js';
import { cancelRun, connectionOf, jobId, LOCK_MS, partKey, processShard, SHARD_QUEUE, STALLED_CHECK_MS, type ShardJob } from '../engine/queue.js';
import { checkShards, decodeShard, mergeShards, type Shard } from '../engine/shard.js';
import { EXIT, type Io } from './io.js';
import { integer, withRunFlags } from './options.js';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { reportRun } from './run.js';

const defineSubmit = (program: Command) =>
  withRunFlags(
    program
      .command('submit')
      .description('run a scenario as shards on the workers of a Redis queue (accessgap worker), then merge them and write the report folder as run does')
      .argument('<scenario>', 'scenario file (.yaml, .yml or .json)')
      .requiredOption('--redis <url>', 'the queue: redis://host:port[/db]')
      .requiredOption('--shards <n>', 'how many shards (jobs) to split the paths into', integer('--shards', 1, 4096)),
    'Monte Carlo paths',
    'report folder (default: reports/<name>)',
  ).exitOverride();

export type SubmitFlags = ReturnType<ReturnType<typeof defineSubmit>['opts']>;

/** A run's name in the queue: the scenario, the moment and the process (not a random number: nothing random leaves the seeded streams). */
const runName = (sha256: string) => `${sha256.slice(0, 12)}-${Date.now().toString(36)}-${process.pid}`;

export const submitCommand: FolderCommand<SubmitFlags, undefined> = {
  name: 'submit',
  folder: (name) => name,
  checkFlags(flags) {
    try {
      connectionOf(flags.redis);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  },
  prepare: (loaded) => (loaded.scenario.simulation.precision !== undefined ? { problems: ['simulation.precision chooses the paths from the results, so the run cannot be sharded: give the paths with --paths'] } : undefined),
  estimate: (loaded, _p, settings) => ({
    estimate: estimateRun(makePlan(loaded, { attribution: true }), settings.paths, settings.threads),
    what: `${settings.paths.toLocaleString('en-US')} paths`,
    advice: 'reduce --paths',
  }),
  announce: (_p, settings) => `accessgap: submitting ${settings.paths.toLocaleString('en-US')} paths as shards to the queue\n`,
  async work({ loaded, flags, settings, signal, onProgress, finishProgress, started }) {
    const { Queue, QueueEvents } = await import('bullmq');
    const connection = connectionOf(flags.redis);
    const queue = new Queue<ShardJob>(SHARD_QUEUE, { connection });
    const events = new QueueEvents(SHARD_QUEUE, { connection });
    const s = loaded.scenario;
    const run = runName(s.sha256);
    const count = flags.shards;
    const client = (await queue.backend.client) as unknown as Parameters<typeof cancelRun>[1];
    try {
      await events.waitUntilReady();
      const scenario = Buffer.from(loaded.bytes ?? Buffer.from(loaded.text)).toString('base64');
      const jobs = Array.from({ length: count }, (_, k) => ({
        name: 'shard',
        data: { run, scenario, file: s.file, sha256: s.sha256, seed: settings.seed, paths: settings.paths, index: k + 1, count } satisfies ShardJob,
        opts: { jobId: jobId(run, k + 1), removeOnComplete: true, removeOnFail: true },
      }));
      // Every job's end, from the events stream: watched before the jobs exist, so none is missed.
      const pathsOf = (i: number) => {
        const [first, end] = shardBlocks(settings.paths, i, count);
        return Math.max(0, Math.min(settings.paths, end * BLOCK_PATHS) - first * BLOCK_PATHS);
      };
      const finished = new Promise<void>((resolve, reject) => {
        const done = new Set<string>();
        let paths = 0;
        const ours = (id: string) => id.startsWith(`${run}-`);
        events.on('completed', ({ jobId: id }) => {
          if (!ours(id) || done.has(id)) return;
          done.add(id);
          paths += pathsOf(Number(id.slice(run.length + 1)));
          onProgress(paths, settings.paths);
          if (done.size === count) resolve();
        });
        events.on('failed', ({ jobId: id, failedReason }) => ours(id) && reject(new Error(`shard ${id.slice(run.length + 1)} of ${count} failed on its worker: ${failedReason}`)));
        signal.addEventListener('abort', () => reject(new RunAborted()), { once: true });
      });
      await queue.addBulk(jobs);
      try {
        await finished;
      } catch (e) {
        await cancelRun(queue, client, run, count);
        throw e;
      }
      finishProgress();
      const shards: (Shard & { name: string })[] = [];
      for (let i = 1; i <= count; i++) {
        const bytes = await client.getBuffer(partKey(run, i));
        if (!bytes) throw new Error(`shard ${i} of ${count} finished but its part is not in Redis (expired or deleted?)`);
        shards.push({ ...decodeShard(bytes, `shard ${i} of run ${run}`), name: `shard ${i}` });
      }
      await client.del(...Array.from({ length: count }, (_, k) => partKey(run, k + 1)));
      const problem = checkShards(shards);
      if (problem) throw new Error(problem);
      return reportRun({ loaded, flags, settings, signal, started }, mergeShards(loaded, shards, settings.threads, started));
    } finally {
      await events.close();
      await queue.close();
    }
  },
};

const defineWorker = (program: Command) =>
  program
    .command('worker')
    .description('take shards from a Redis queue (accessgap submit) and run them, until stopped (Ctrl-C or SIGTERM)')
    .requiredOption('--redis <url>', 'the queue: redis://host:port[/db]')
    .option('--concurrency <k>', 'shards run at once (default 1)', integer('--concurrency', 1, 256))
    .option('--threads <k>', 'threads per shard (default: the number of cores over the concurrency)', integer('--threads', 1, 256))
    .option('--quiet', 'print nothing but errors')
    .exitOverride();

/** Runs a worker until SIGINT or SIGTERM; exit 0 then, 2 for a bad --redis. */
async function workerCommand(flags: ReturnType<ReturnType<typeof defineWorker>['opts']>, io: Io): Promise<number> {
  let connection;
  try {
    connection = connectionOf(flags.redis);
  } catch (e) {
    io.err(`accessgap: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  const { Worker } = await import('bullmq');
  const concurrency = flags.concurrency ?? 1;
  const threads = flags.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const log = (text: string) => !flags.quiet && io.err(text);
  let worker: InstanceType<typeof Worker<ShardJob, string>> | undefined;
  worker = new Worker<ShardJob, string>(SHARD_QUEUE, async (job) => processShard(job, (await worker!.backend.client) as never, threads, log), {
    connection,
    concurrency,
    lockDuration: LOCK_MS,
    stalledInterval: STALLED_CHECK_MS,
    maxStalledCount: 2,
  });
  worker.on('failed', (job, e) => log(`worker: shard ${job?.data.index ?? '?'} of ${job?.data.count ?? '?'} failed: ${e.message}\n`));
  worker.on('error', (e) => log(`worker: ${e.message}\n`));
  await worker.waitUntilReady();
  log(`worker: ready on ${flags.redis} (queue ${SHARD_QUEUE}), ${concurrency} shard(s) at once, ${threads} thread(s) each\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('worker: stopping (shards running now are finished first)\n');
  await worker.close();
  return EXIT.ok;
}

export const registerSubmit: Registrar = (program, io, setExit) => defineSubmit(program).action(async (scenario, flags) => setExit(await runFolderCommand(submitCommand, scenario, flags, io)));
export const registerWorker: Registrar = (program, io, setExit) => defineWorker(program).action(async (flags) => setExit(await workerCommand(flags, io)));
