/**
 * A problem found in an input, before its file and position are known: the key path, what was
 * expected and what was found (scenario/problems.ts words and locates it). Here, below every
 * folder, so that the distributions and the scenario format both speak of it.
 */
export type PathSegment = string | number;

export interface Problem {
  path: PathSegment[];
  expected: string;
  found: string;
  /** The problem is the key itself (an unknown key), not its value. */
  atKey?: boolean;
  /** The key is missing: point at the mapping that should hold it. */
  missing?: boolean;
  /** Valid names to suggest from when the found name is a near miss. */
  suggest?: string[];
}
