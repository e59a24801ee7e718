/**
 * `accessgap merge PART... [--out DIR]`: the shards of one run (accessgap run --shard I/N) put
 * together in block order, then reported as `run` reports: every file but timing.json and
 * manifest.json is the bytes a single machine's run writes.
 *
 *   shard files (engine/shard.ts) -> checkShards -> mergeShards: RunAccumulator.addPart in block
 *   order, the parts' sketch counts added up (addGrids) -> finishRun -> reportRun (cli/run.ts:
 *   the cost-of-delay exhibit, the report files)
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { makePlan } from '../engine/block.js';
import { estimateRun } from '../engine/guards.js';
import { partProblem } from './messages.js';
import { checkShards, mergeShards, openShard, ShardError, type Shard } from '../engine/shard.js';
import { addScenarioCopy } from '../report/reproduce.js';
import { parseScenario, type LoadedScenario } from '../scenario/load.js';
import { ScenarioError } from '../scenario/problems.js';
import { createHash } from 'node:crypto';
import { integer } from './options.js';
import { runFolderCommand, type FolderCommand, type Registrar } from './pipeline.js';
import { reportRun, SHARD_FILE } from './run.js';

const define = (program: Command) =>
  program
    .command('merge')
    .description("put the shards of one run together (accessgap run --shard I/N) and write the run's report folder")
    .argument('<parts...>', "the shards' folders (or their shard.agshard files), every shard of the run once")
    .option('--out <dir>', 'report folder (default: reports/<name>)')
    .option('--threads <k>', 'worker threads for the cost-of-delay exhibit (default: the number of cores; results do not depend on it)', integer('--threads', 1, 256))
    .option('--quiet', 'print nothing but errors')
    .option('--allow-large', 'run even when the estimated memory or time exceeds the limits')
    .exitOverride();

export type MergeFlags = ReturnType<ReturnType<typeof define>['opts']> & { parts?: string[] };

export interface LoadedShards {
  loaded: LoadedScenario;
  shards: Shard[];
  /** Milliseconds spent reading and checking the parts (the scenario's parsing aside): timing.json's simulate_seconds covers them too. */
  readMs: number;
  /** Closes the parts' files (their paths' values are read by the merge itself). */
  close(): void;
}

/** Reads every part (a shard's folder or its file) and checks that they make one run; prints the problem and returns undefined otherwise. */
async function loadShards(parts: string[], err: (text: string) => void): Promise<LoadedShards | undefined> {
  const reading = performance.now();
  let readMs = 0;
  const shards: (Shard & { name: string; close(): void })[] = [];
  const close = () => shards.forEach((s) => s.close());
  try {
    for (const part of parts) {
      const file = (await stat(part).catch(() => undefined))?.isDirectory() ? join(part, SHARD_FILE) : part;
      let shard: Shard & { close(): void };
      try {
        shard = openShard(file);
      } catch (e) {
        if (e instanceof ShardError) throw e;
        const code = (e as NodeJS.ErrnoException).code;
        throw new ShardError(`${file}: expected a shard file (a folder written by accessgap run --shard, or its ${SHARD_FILE}), found ${code === 'ENOENT' ? 'no such file' : `an unreadable file (${code})`}`);
      }
      shards.push({ ...shard, name: file });
    }
    const problem = checkShards(shards);
    if (problem) throw new ShardError(problem);
    const { header, scenarioBytes } = shards[0];
    const sha = createHash('sha256').update(scenarioBytes).digest('hex');
    if (sha !== header.scenario.sha256) throw new ShardError(`${shards[0].name}: its scenario's bytes hash to ${sha}, not the recorded ${header.scenario.sha256}`);
    readMs = performance.now() - reading;
    const loaded = await parseScenario(Buffer.from(scenarioBytes), header.scenario.file);
    shards.sort((a, b) => a.header.shard.index - b.header.shard.index);
    return { loaded, shards, readMs, close };
  } catch (e) {
    close();
    if (e instanceof ShardError) err(partProblem('merge', e.message));
    else if (e instanceof ScenarioError) err(`${e.message}\n`);
    else throw e;
    return undefined;
  }
}

export const mergeCommand: FolderCommand<MergeFlags, undefined, LoadedShards> = {
  name: 'merge',
  keepsThreads: true,
  folder: (name) => name,
  load: (_file, io, flags) => loadShards(flags.parts ?? [], io.err),
  sourceOf: ({ loaded, shards }) => ({
    name: loaded.scenario.name,
    file: loaded.scenario.file,
    sha256: loaded.scenario.sha256,
    simulation: { paths: shards[0].header.paths, seed: shards[0].header.seed },
    copy: (files) => addScenarioCopy(files, loaded),
  }),
  prepare: () => undefined,
  estimate: ({ loaded }, _p, settings) => ({
    estimate: estimateRun(makePlan(loaded, { attribution: true }), settings.paths, settings.threads, { held: true }),
    what: `merging ${settings.paths.toLocaleString('en-US')} paths`,
    advice: 'merge on a machine with more memory',
  }),
  async work({ loaded: { loaded, shards, readMs, close }, flags, settings, signal, started }) {
    let merged: Awaited<ReturnType<typeof mergeShards>>;
    try {
      merged = await mergeShards(loaded, shards, settings.threads, performance.now() - readMs);
    } finally {
      close();
    }
    return reportRun({ loaded, flags, settings, signal, started }, merged);
  },
};

export const registerMerge: Registrar = (program, io, setExit) =>
  define(program).action(async (parts, flags) => setExit(await runFolderCommand(mergeCommand, parts[0], { ...flags, parts }, io)));
