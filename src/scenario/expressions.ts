/**
 * Derived inputs (MODEL.md section 3): a *(dist)* field may hold a mathjs expression over other
 * inputs, named `section.key`. Scenario files are untrusted, so an expression is parsed by a
 * mathjs instance that holds nothing but the parser, and its tree is compiled to a closure only
 * if every node is on a whitelist: finite numbers, `section.key` names, arithmetic and comparison
 * operators, parentheses, conditionals, and a fixed set of elementary functions mapped to Math.
 * Nothing is ever evaluated by mathjs itself, so import, createUnit, evaluate, assignments,
 * function definitions, matrices, ranges, strings and property access cannot run.
 */
import type { MathNode } from 'mathjs';
import type { Problem } from './problems.js';
import type { InputDef, Scenario } from './types.js';

/** Reads the path's values (indexed by InputRef) and returns the derived value. */
export type Compiled = (values: Float64Array) => number;

/**
 * A parsed expression as plain data: the fields of mathjs's nodes that compileNode reads. Worker
 * threads compile the trees the main thread parsed, so they never load mathjs (about a second).
 */
export interface ExpressionTree {
  type: string;
  [field: string]: unknown;
}

const TREE_FIELDS = ['content', 'object', 'condition', 'trueExpr', 'falseExpr', 'fn'] as const;

/** The plain-data copy of a mathjs node. */
function plainTree(node: MathNode): ExpressionTree {
  const n = node as MathNode & Record<string, any>;
  const tree: ExpressionTree = { type: n.type };
  for (const field of ['value', 'name', 'op']) if (n[field] !== undefined) tree[field] = n[field];
  for (const field of TREE_FIELDS) if (n[field]) tree[field] = plainTree(n[field]);
  if (Array.isArray(n.args)) tree.args = n.args.map(plainTree);
  if (n.index) tree.index = { dotNotation: n.index.dotNotation, dimensions: n.index.dimensions.map(plainTree) };
  return tree;
}

type Fn = (...args: number[]) => number;
const FUNCTIONS: Record<string, { fn: Fn; arity: [number, number] }> = {
  abs: { fn: Math.abs, arity: [1, 1] },
  sqrt: { fn: Math.sqrt, arity: [1, 1] },
  cbrt: { fn: Math.cbrt, arity: [1, 1] },
  exp: { fn: Math.exp, arity: [1, 1] },
  expm1: { fn: Math.expm1, arity: [1, 1] },
  log: { fn: (x, b) => (b === undefined ? Math.log(x) : Math.log(x) / Math.log(b)), arity: [1, 2] },
  log10: { fn: Math.log10, arity: [1, 1] },
  log2: { fn: Math.log2, arity: [1, 1] },
  log1p: { fn: Math.log1p, arity: [1, 1] },
  pow: { fn: Math.pow, arity: [2, 2] },
  min: { fn: Math.min, arity: [1, 16] },
  max: { fn: Math.max, arity: [1, 16] },
  floor: { fn: Math.floor, arity: [1, 1] },
  ceil: { fn: Math.ceil, arity: [1, 1] },
  round: { fn: (x) => Math.floor(x + 0.5), arity: [1, 1] },
  sign: { fn: Math.sign, arity: [1, 1] },
  sin: { fn: Math.sin, arity: [1, 1] },
  cos: { fn: Math.cos, arity: [1, 1] },
  tan: { fn: Math.tan, arity: [1, 1] },
  atan: { fn: Math.atan, arity: [1, 1] },
  tanh: { fn: Math.tanh, arity: [1, 1] },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
  '<': (a, b) => +(a < b),
  '>': (a, b) => +(a > b),
  '<=': (a, b) => +(a <= b),
  '>=': (a, b) => +(a >= b),
  '==': (a, b) => +(a === b),
  '!=': (a, b) => +(a !== b),
};

export const ALLOWED_FUNCTIONS = Object.keys(FUNCTIONS);

let parser: ((s: string) => MathNode) | undefined;

/**
 * Where mathjs's parser is: dist/mathjs-parser.js beside the bundle (mathjs shaken down to the
 * parser: about 20 ms to load), or, running from src/, mathjs's numbers-only build (about 0.5 s).
 */
const parserModule = (): string => (import.meta.url.endsWith('.ts') ? 'mathjs/number' : new URL('./mathjs-parser.js', import.meta.url).href);

/** A mathjs instance built from the parser's dependencies alone (mathjs-parser.ts), loaded on first use. */
async function getParser(): Promise<(s: string) => MathNode> {
  if (!parser) {
    const { create, parseDependencies } = (await import(parserModule())) as typeof import('./mathjs-parser.js');
    const math = create({ parseDependencies }, { number: 'number' });
    parser = (s) => math.parse(s);
  }
  return parser;
}

class Rejected extends Error {}

/** `firm.cash` or `firm.financing.round_size` from an accessor chain, else undefined. */
function dottedName(node: MathNode): string | undefined {
  const n = node as MathNode & { name?: string; object?: MathNode; index?: { dotNotation: boolean; dimensions: (MathNode & { value?: unknown })[] } };
  if (n.type === 'SymbolNode') return n.name;
  if (n.type === 'AccessorNode' && n.index?.dotNotation && n.index.dimensions.length === 1) {
    const base = dottedName(n.object!);
    const key = n.index.dimensions[0].value;
    return base && typeof key === 'string' ? `${base}.${key}` : undefined;
  }
  return undefined;
}

function compileNode(node: MathNode, resolve: (name: string) => number, names: Set<string>): Compiled {
  const n = node as MathNode & Record<string, any>;
  switch (n.type) {
    case 'ConstantNode': {
      const v = n.value;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Rejected(`a finite number, not ${JSON.stringify(v)}`);
      return () => v;
    }
    case 'ParenthesisNode':
      return compileNode(n.content, resolve, names);
    case 'SymbolNode':
    case 'AccessorNode': {
      const name = dottedName(n);
      if (name !== undefined && n.type === 'SymbolNode' && Object.hasOwn(CONSTANTS, name)) {
        const v = CONSTANTS[name];
        return () => v;
      }
      if (name === undefined) throw new Rejected('only `section.key` names; indexing with [] is not allowed');
      const id = resolve(name);
      names.add(name);
      return (values) => values[id];
    }
    case 'OperatorNode': {
      const args: Compiled[] = n.args.map((a: MathNode) => compileNode(a, resolve, names));
      if (args.length === 1 && (n.op === '-' || n.op === '+')) {
        const [a] = args;
        return n.op === '-' ? (v) => -a(v) : a;
      }
      const op = BINARY[n.op];
      if (!op || args.length !== 2) throw new Rejected(`arithmetic (+ - * / ^) or comparisons, not the operator "${n.op}"`);
      const [a, b] = args;
      return (v) => op(a(v), b(v));
    }
    case 'ConditionalNode': {
      const [c, t, f] = [n.condition, n.trueExpr, n.falseExpr].map((x: MathNode) => compileNode(x, resolve, names));
      return (v) => (c(v) !== 0 ? t(v) : f(v));
    }
    case 'FunctionNode': {
      const fname = n.fn?.type === 'SymbolNode' ? (n.fn.name as string) : undefined;
      const entry = fname !== undefined && Object.hasOwn(FUNCTIONS, fname) ? FUNCTIONS[fname] : undefined;
      if (!entry) throw new Rejected(`one of the functions ${ALLOWED_FUNCTIONS.join(', ')}, not ${fname ? `"${fname}"` : 'a computed function'}`);
      if (n.args.length < entry.arity[0] || n.args.length > entry.arity[1]) throw new Rejected(`${fname} with ${entry.arity[0] === entry.arity[1] ? entry.arity[0] : `${entry.arity[0]} to ${entry.arity[1]}`} argument(s), not ${n.args.length}`);
      const args: Compiled[] = n.args.map((a: MathNode) => compileNode(a, resolve, names));
      const fn = entry.fn;
      if (args.length === 1) {
        const [a] = args;
        return (v) => fn(a(v));
      }
      return (v) => fn(...args.map((a) => a(v)));
    }
    default:
      throw new Rejected(`arithmetic on numbers and section.key names, not a ${String(n.type).replace(/Node$/, '').toLowerCase()}${n.toString === Object.prototype.toString ? '' : ` (${n.toString()})`}`);
  }
}

/**
 * Parses and checks every expression input of a scenario, records the names each reads, and
 * fills scenario.expressionOrder (each expression after those it reads). Returns the compiled
 * functions by InputRef, or pushes problems (unknown names, forbidden syntax, cycles). Each
 * expression's tree is taken from `trees` (by source text) when there, and stored there when
 * parsed; the checks are the same either way.
 */
export async function checkExpressions(
  scenario: Scenario,
  problems: Problem[],
  pathOf: (def: InputDef) => (string | number)[],
  trees: Record<string, ExpressionTree>,
  /** Names of inputs with problems of their own: an expression naming one is not an error too. */
  failedNames: Set<string> = new Set(),
): Promise<Map<number, Compiled>> {
  const compiled = new Map<number, Compiled>();
  const exprs = scenario.inputs.filter((d) => d.value.kind === 'expr');
  if (exprs.length === 0) return compiled;
  const given = (source: string) => Object.hasOwn(trees, source);
  const mathjs = exprs.every((d) => given((d.value as { expr: { source: string } }).expr.source)) ? undefined : await getParser();
  const parse = (source: string): MathNode => {
    if (given(source)) return trees[source] as unknown as MathNode;
    const tree = mathjs!(source);
    trees[source] = plainTree(tree);
    return tree;
  };
  const byName = new Map(scenario.inputs.filter((d) => d.name).map((d) => [d.name!, d]));
  const known = [...byName.keys()];
  const deps = new Map<number, number[]>();
  for (const def of exprs) {
    const expr = (def.value as { kind: 'expr'; expr: { source: string; names: string[] } }).expr;
    const path = pathOf(def);
    let tree: MathNode;
    try {
      tree = parse(expr.source);
    } catch (e) {
      problems.push({ path, expected: 'a valid expression', found: `${JSON.stringify(expr.source)}: ${(e as Error).message}` });
      continue;
    }
    const names = new Set<string>();
    try {
      const fn = compileNode(
        tree,
        (name) => {
          const target = byName.get(name);
          if (!target && failedNames.has(name)) return -1;
          if (!target) throw new Rejected(`a name of another input, section.key in ${'firm, frontier, fallback, productivity, adaptation, product, market, revocation'}; "${name}" is unknown`, { cause: name });
          return target.id;
        },
        names,
      );
      compiled.set(def.id, fn);
      expr.names = [...names];
      deps.set(def.id, expr.names.filter((nm) => byName.has(nm)).map((nm) => byName.get(nm)!.id));
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      const unknownName = typeof e.cause === 'string' ? e.cause : undefined;
      problems.push({ path, expected: e.message, found: JSON.stringify(expr.source), ...(unknownName ? { suggest: known, found: `"${unknownName}"` } : {}) });
    }
  }
  if (problems.length || failedNames.size) return compiled;
  // Dependency order by depth-first search; a back edge is a cycle.
  const state = new Map<number, 1 | 2>();
  const order: number[] = [];
  const visit = (id: number, trail: number[]): boolean => {
    if (state.get(id) === 2) return true;
    if (state.get(id) === 1) {
      const cycle = [...trail.slice(trail.indexOf(id)), id].map((i) => scenario.inputs[i].name ?? scenario.inputs[i].key);
      problems.push({ path: pathOf(scenario.inputs[id]), expected: 'expressions that do not depend on themselves', found: `the cycle ${cycle.join(' -> ')}` });
      return false;
    }
    state.set(id, 1);
    for (const d of deps.get(id) ?? []) if (!visit(d, [...trail, id])) return false;
    state.set(id, 2);
    if (deps.has(id)) order.push(id);
    return true;
  };
  for (const def of exprs) if (!visit(def.id, [])) break;
  scenario.expressionOrder = order;
  return compiled;
}
