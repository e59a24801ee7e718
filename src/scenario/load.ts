/**
 * Reads a scenario file (YAML, or JSON), validates it and compiles its expressions.
 * Every failure is a ScenarioError whose problems name file, key path, line and column.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { checkExpressions, type ExpressionTree } from './expressions.js';
import { ScenarioError, type Located, type PathSegment, type Problem } from './problems.js';
import type { InputDef, Scenario } from './types.js';
import { validateDocument } from './validate.js';
import { keyPathOf, type LoadedScenario } from './loaded.js';

// A loaded scenario's type (defined where a worker thread, which loads no YAML, takes it).
export type { LoadedScenario } from './loaded.js';

/** Larger files are refused before parsing: a scenario is a few kilobytes. */
export const MAX_SCENARIO_BYTES = 1 << 20;

/** Loads and validates a scenario file; throws ScenarioError listing every problem. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  return parseScenario(await readInputFile(file), file);
}

/** Reads a file for loading: every failure a ScenarioError naming it (`what` says what it should be). */
export async function readInputFile(file: string, what = 'a readable scenario file (.yaml, .yml or .json)'): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : `an unreadable file (${code ?? (e as Error).message})`;
    throw new ScenarioError(file, [{ file, path: [], expected: what, found }]);
  }
}

/** A parsed YAML (or JSON) file: its text, data, hash, and how to locate a key path or read its comment. */
export interface ParsedFile {
  text: string;
  buf: Buffer;
  sha256: string;
  data: unknown;
  locateProblem: (p: Problem) => Located;
  comments: (path: PathSegment[]) => string | undefined;
  locate: (key: string) => { line: number; column: number } | undefined;
}

/**
 * Parses file contents as YAML (JSON by extension for its messages), refusing what is not a text
 * mapping file with one located problem. `kind` names what the file should hold.
 */
export function parseFile(bytes: Buffer | string, file: string, kind = 'a scenario mapping (name, title, simulation, firm, ...)'): ParsedFile {
  const fail = (problem: Omit<Located, 'file'>): never => {
    throw new ScenarioError(file, [{ file, ...problem }]);
  };
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (buf.length > MAX_SCENARIO_BYTES) fail({ path: [], expected: `a scenario file of at most ${MAX_SCENARIO_BYTES / 1024} KiB`, found: `${(buf.length / 1024 / 1024).toFixed(1)} MiB` });
  // UTF-16 (a byte-order mark, or text whose every other byte is 0): a common "Unicode" save option.
  const utf16 = (buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff) || (buf.length >= 4 && buf[1] === 0 && buf[3] === 0 && buf[0] !== 0) || (buf.length >= 4 && buf[0] === 0 && buf[2] === 0 && buf[1] !== 0);
  if (utf16) fail({ path: [], expected: 'a UTF-8 text file', found: 'a UTF-16 file: save it as UTF-8 (in most editors: "Save with encoding", UTF-8)' });
  if (buf.includes(0)) fail({ path: [], expected: 'a UTF-8 text file', found: 'binary data (a NUL byte)' });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return fail({ path: [], expected: 'a UTF-8 text file', found: 'bytes that are not valid UTF-8' });
  }
  if (text.trim() === '') fail({ path: [], expected: kind, found: 'an empty file' });
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const isJson = /\.json$/i.test(file);

  if (isJson) {
    try {
      JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      const at = m ? positionOf(text, Number(m[1])) : {};
      fail({ path: [], expected: 'valid JSON', found: msg.replace(/^JSON\.parse: /, ''), ...at });
    }
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, strict: true, stringKeys: true });
    const err = doc.errors[0];
    if (err) {
      const [line, column] = err.linePos ? [err.linePos[0].line, err.linePos[0].col] : [undefined, undefined];
      fail({ path: [], expected: isJson ? 'valid JSON' : 'valid YAML', found: err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line, column });
    }
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const msg = e instanceof RangeError ? 'input nested too deeply to read' : (e as Error).message;
    return fail({ path: [], expected: isJson ? 'valid JSON' : 'valid YAML', found: msg });
  }

  const locate = (key: string) => {
    const { node, complete } = findNode(doc, keyPathOf({ key } as InputDef), true);
    const start = complete ? node?.range?.[0] : undefined;
    if (start === undefined) return undefined;
    const { line, col } = lineCounter.linePos(start);
    return { line, column: col };
  };
  return { text, buf, sha256, data, locate, locateProblem: (p) => ({ file, ...p, ...locateNode(doc, lineCounter, p) }), comments: (path) => commentOf(doc, path) };
}

/** Validates scenario file contents already in memory (the file name is for messages). */
export async function parseScenario(bytes: Buffer | string, file: string, expressionTrees: Record<string, ExpressionTree> = {}): Promise<LoadedScenario> {
  const { text, buf, sha256, data, locate, locateProblem, comments } = parseFile(bytes, file);
  const { scenario, problems, partial } = validateDocument(data, { file, sha256 }, comments);
  if (!scenario) {
    // Report the expressions' problems with the others: check them on the inputs found so far.
    if (partial) await checkExpressions({ inputs: partial.inputs, expressionOrder: [] } as unknown as Scenario, problems, keyPathOf, expressionTrees, partial.failedNames);
    throw new ScenarioError(file, problems.map(locateProblem));
  }
  const exprProblems: Problem[] = [];
  const expressions = await checkExpressions(scenario, exprProblems, keyPathOf, expressionTrees);
  if (exprProblems.length) throw new ScenarioError(file, exprProblems.map(locateProblem));
  return { scenario, expressions, text, expressionTrees, locate, bytes: buf };
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Walks the YAML tree along a key path; returns the deepest node reached and whether it is the full path. */
function findNode(doc: Document.Parsed, path: PathSegment[], atKey: boolean): { node?: YamlNode; complete: boolean } {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return { node: node as YamlNode, complete: false };
      if (i === path.length - 1 && atKey) return { node: pair.key as YamlNode, complete: true };
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
    } else return { node: node as YamlNode, complete: false };
    // An alias (*name): follow it to its anchor.
    if (isAlias(node)) node = node.resolve(doc) ?? node;
  }
  return { node: node as YamlNode, complete: true };
}

function locateNode(doc: Document.Parsed, lc: LineCounter, p: Problem): { line?: number; column?: number } {
  const { node } = findNode(doc, p.path, !!p.atKey);
  const start = node?.range?.[0];
  if (start === undefined) return {};
  const { line, col } = lc.linePos(start);
  return { line, column: col };
}

/** The comment written beside (or just above) a key, for the assumptions table. */
function commentOf(doc: Document.Parsed, path: PathSegment[]): string | undefined {
  const { node, complete } = findNode(doc, path, false);
  if (!complete || !node) return undefined;
  const parent = findNode(doc, path.slice(0, -1), false).node;
  let pairComment: string | undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(path[path.length - 1]));
    pairComment = (pair?.key as YamlNode | undefined)?.commentBefore ?? undefined;
  }
  const n = node as YamlNode & { comment?: string | null; commentBefore?: string | null; items?: unknown[] };
  const firstKey = isMap(n) && n.items.length ? (n.items[0].key as YamlNode)?.commentBefore : undefined;
  const text = [n.comment, n.commentBefore, firstKey, pairComment].find((c) => c && c.trim());
  return text?.trim().replace(/\s*\n\s*/g, ' ');
}
