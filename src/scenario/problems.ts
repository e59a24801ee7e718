/**
 * Validation problems and their wording. Every message a user reads about a bad scenario file is
 * built here: FILE:LINE:COL: KEY.PATH: expected X, found Y (did you mean "Z"?).
 */

import type { PathSegment, Problem } from '../problem.js';

export type { PathSegment, Problem };

export interface Located extends Problem {
  file: string;
  line?: number;
  column?: number;
}

/** `staff[1].ai_dependence.mode`; the whole file is `(top level)`. */
export function formatKeyPath(path: PathSegment[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out ? '.' : '') + (/^[A-Za-z_$][\w$-]*$/.test(seg) ? seg : JSON.stringify(seg));
  }
  return out;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest candidate within a third of the name's length (at least 1, at most 3 edits). */
export function closest(name: string, candidates: string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD && d <= limit && c !== name) [best, bestD] = [c, d];
  }
  return best;
}

export function formatProblem(p: Located): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const last = p.path[p.path.length - 1];
  let name: string | undefined;
  if (p.suggest) {
    const m = /^(?:unknown key )?"(.*)"$/.exec(p.found);
    name = closest(m ? m[1] : typeof last === 'string' ? last : p.found, p.suggest);
  }
  const hint = name ? ` (did you mean "${name}"?)` : '';
  return `${where}: ${formatKeyPath(p.path)}: expected ${p.expected}, found ${p.found}${hint}`;
}

/** A scenario file that cannot be run: carries every problem found, located. */
/**
 * Problems in file order (by line, then column; those without a position last, as found), file by
 * file in the order the files first appear (a population's problems, then its archetypes').
 */
const inFileOrder = (problems: Located[]): Located[] => {
  const files = [...new Set(problems.map((p) => p.file))];
  return [...problems].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
};

export class ScenarioError extends Error {
  readonly problems: Located[];

  constructor(
    readonly file: string,
    problems: Located[],
  ) {
    const sorted = inFileOrder(problems);
    super(`${file}: ${sorted.length} problem${sorted.length === 1 ? '' : 's'}\n${sorted.map(formatProblem).join('\n')}`);
    this.problems = sorted;
    this.name = 'ScenarioError';
  }
}
