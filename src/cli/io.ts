import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { loadPopulation, type LoadedPopulation } from '../scenario/population.js';
import { ScenarioError } from '../scenario/problems.js';

/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal (progress bars are drawn only then). */
  errIsTTY: boolean;
  /** The command's words after `accessgap`, for the manifest (set by main). */
  argv?: string[];
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  errIsTTY: !!process.stderr.isTTY,
};

/** Exit codes of MODEL.md section 7 (130 for an interrupt). */
export const EXIT = { ok: 0, failure: 1, invalid: 2, interrupted: 130 } as const;

/** A loader that prints every problem of a file it cannot load and returns undefined (the command exits 2). */
const orReport =
  <T>(load: (file: string) => Promise<T>) =>
  async (file: string, io: Io): Promise<T | undefined> => {
    try {
      return await load(file);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      io.err(`${e.message}\n`);
      return undefined;
    }
  };

/** Loads a scenario, or prints every problem in it and returns undefined. */
export const loadOrReport = orReport<LoadedScenario>(loadScenario);
/** Loads a population file, or prints every problem in it (and in its archetypes' scenarios) and returns undefined. */
export const loadPopulationOrReport = orReport<LoadedPopulation>(loadPopulation);

/** Whether a file holds a population (a mapping with an archetypes key) rather than a scenario; false when it cannot be read. */
export async function isPopulationFile(file: string): Promise<boolean> {
  try {
    const data = parse(await readFile(file, 'utf8')) as unknown;
    return typeof data === 'object' && data !== null && !Array.isArray(data) && 'archetypes' in data;
  } catch {
    return false;
  }
}
