import { loadScenario, type LoadedScenario } from '../scenario/load.js';
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

/** Loads a scenario, or prints every problem in it and returns undefined (the command exits 2). */
export async function loadOrReport(file: string, io: Io): Promise<LoadedScenario | undefined> {
  try {
    return await loadScenario(file);
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    io.err(`${e.message}\n`);
    return undefined;
  }
}
