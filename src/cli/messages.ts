/**
 * Every message the command line prints about a command's outcome, in one place: the commands
 * print them and the tests assert against them.
 */
import type { PathError } from '../sampling/draw.js';

/** A problem with the command's input (exit 2), named by the file it concerns. */
export const problem = (file: string, text: string): string => `accessgap: ${file}: ${text}\n`;

/** A problem with the command's flags alone (exit 2). */
export const usage = (text: string): string => `accessgap: ${text}\n`;

/** The resource guards refused the command (exit 2). */
export const refused = (file: string, refusal: string, what: string, advice: string): string => `accessgap: ${file}: ${refusal} for ${what}; ${advice}, or pass --allow-large to run anyway\n`;

/** What the output folder check or the folder writer said (exit 2). */
export const folderProblem = (text: string): string => `accessgap: ${text}\n`;

/** Parts (shards) that cannot be merged: refused when they are opened, or found damaged while the merge reads them. */
export const partProblem = (command: string, text: string): string => `accessgap: ${command}: ${text}\n`;

export const NOT_WRITTEN = 'no report written (any earlier report is unchanged)';

/** Ctrl-C (exit 130). */
export const INTERRUPTED = `accessgap: interrupted; ${NOT_WRITTEN}\n`;

/** A path whose values failed (exit 1): which one, its inputs, and how to look at it alone. */
export const pathFailed = (command: string, file: string, e: PathError): string =>
  `accessgap: ${command} failed on ${e.message}\n  inputs of that path: ${JSON.stringify(e.inputs)}\n  inspect that path alone: accessgap trace ${file} --path ${e.path} --seed ${e.seed}\n  ${NOT_WRITTEN}\n`;

/** Any other failure while running (exit 1). */
export const failed = (command: string, message: string): string => `accessgap: ${command} failed: ${message}\n  ${NOT_WRITTEN}\n`;

/** After the folder is written. */
export const written = (printed: string, out: string, files: number): string => `${printed}\n\nReport: ${out}/ (${files} files)\n`;
