/**
 * `accessgap worker --redis URL` and `accessgap submit SCENARIO --redis URL --shards N`: one run
 * spread over any number of machines through a BullMQ queue (engine/queue.ts,
 * docs/distributed.md). submit writes the report folder as `run` does, byte for byte.
 *
 *   submit (= run --redis URL): every pass (the run, the cost-of-delay exhibit's) -> QueuePasses:
 *           N ShardJobs -> wait (progress on stderr) -> parts from Redis -> mergeShards
 *           -> the report as run writes it -> the pipeline writes the folder
 *   worker: jobs -> processShard (runShard in worker threads) -> part key in Redis
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { Command } from '@commander-js/extra-typings';
import { connectionOf, LOCK_MS, processShard, SHARD_QUEUE, STALLED_CHECK_MS, type ShardJob } from '../engine/queue.js';
import { WorkerThreadsExecutor } from '../engine/schedule.js';
import { THREADED_V8_FLAGS } from '../engine/run.js';
import type { Job } from 'bullmq';
import { EXIT, type Io } from './io.js';
import { integer, withRunFlags } from './options.js';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { PRECISION_NOT_SHARDED, runCommand, simulateAndReport } from './run.js';

const defineSubmit = (program: Command) =>
  withRunFlags(
    program
      .command('submit')
      .description('run a scenario as shards on the workers of a Redis queue (accessgap worker), then merge them and write the report folder as run does (the same as run --redis URL)')
      .argument('<scenario>', 'scenario file (.yaml, .yml or .json)'),
    'Monte Carlo paths',
    'report folder (default: reports/<name>)',
  ).exitOverride();

export type SubmitFlags = ReturnType<ReturnType<typeof defineSubmit>['opts']>;

/**
 * submit is run whose passes (the run and its cost-of-delay exhibit) go to the queue: the
 * pipeline makes the queue the executor of every pass when --redis is given (QueuePasses).
 */
export const submitCommand: FolderCommand<SubmitFlags, undefined> = {
  name: 'submit',
  folder: (name) => name,
  checkFlags: (flags) => (flags.redis === undefined ? ['submit: expected --redis URL (the queue its workers take shards from) and --shards N'] : []),
  prepare: (loaded) => (loaded.scenario.simulation.precision !== undefined ? { problems: [PRECISION_NOT_SHARDED] } : undefined),
  estimate: runCommand.estimate,
  announce: (_p, settings) => `accessgap: submitting ${settings.paths.toLocaleString('en-US')} paths as shards to the queue\n`,
  work: (ctx) => simulateAndReport(ctx),
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
  // Shards run in worker threads, always: the flags a threaded run sets (engine/run.ts).
  setFlagsFromString(THREADED_V8_FLAGS);
  const concurrency = flags.concurrency ?? 1;
  const threads = flags.threads ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
  const log = (text: string) => !flags.quiet && io.err(text);
  // Threads kept from one shard to the next, one set per shard running at once.
  const idle: WorkerThreadsExecutor[] = [];
  const every: WorkerThreadsExecutor[] = [];
  const shard = async (job: Job<ShardJob>) => {
    let pool = idle.pop();
    if (pool === undefined) every.push((pool = new WorkerThreadsExecutor(threads, { keep: true, keepLarge: true })));
    try {
      return await processShard(job, (await worker!.backend.client) as never, pool, log);
    } finally {
      idle.push(pool);
    }
  };
  let worker: InstanceType<typeof Worker<ShardJob, string>> | undefined;
  worker = new Worker<ShardJob, string>(SHARD_QUEUE, shard, {
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
  for (const pool of every) pool.stop();
  return EXIT.ok;
}

export const registerSubmit: Registrar = (program, io, setExit) => defineSubmit(program).action(async (scenario, flags) => setExit(await runFolderCommand(submitCommand, scenario, flags, io)));
export const registerWorker: Registrar = (program, io, setExit) => defineWorker(program).action(async (flags) => setExit(await workerCommand(flags, io)));
