// The layer order of src/, checked by `npm test` (test/architecture.test.ts) and runnable alone:
// `node scripts/layers.mjs` prints every broken rule and exits 1 if there is one.
//
//   no import cycle between files, nor between folders;
//   a folder imports only folders below it in LAYERS (type-only imports included);
//   only src/sampling creates random streams (seedrandom), and nothing calls Math.random.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Low to high: a folder may import the folders before it (and itself), never those after. */
export const LAYERS = ['util', 'wasm', 'distributions', 'scenario', 'sampling', 'model', 'stats', 'engine', 'study', 'analysis', 'charts', 'report', 'output', 'cli', 'api'];
/** Top-level files of src/ and the layer they belong to. */
const TOP = { 'version.ts': 'util', 'format.ts': 'util', 'problem.ts': 'util', 'index.ts': 'api', 'engine-api.ts': 'api' };
/** Folders whose files may create random streams. */
const RANDOM = new Set(['sampling']);
/** src/analysis/sobol.ts draws its bootstrap resamples from a named stream of its own. */
const RANDOM_FILES = new Set(['analysis/sobol.ts']);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const layerOf = (rel) => (rel.includes('/') ? rel.split('/')[0] : TOP[rel]);

/** Every relative import of a file: static, re-exports and dynamic. */
function importsOf(text) {
  const out = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) out.push(m[1]);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]);
  return out;
}

export function checkLayers() {
  const problems = [];
  const graph = new Map();
  for (const file of files(root)) {
    const rel = relative(root, file).replaceAll('\\', '/');
    const text = readFileSync(file, 'utf8');
    const layer = layerOf(rel);
    if (layer === undefined || !LAYERS.includes(layer)) problems.push(`${rel}: its folder is in no layer of scripts/layers.mjs`);
    const deps = [];
    for (const spec of importsOf(text)) {
      if (spec === 'seedrandom' && !RANDOM.has(layer) && !RANDOM_FILES.has(rel)) problems.push(`${rel}: imports seedrandom; only src/sampling creates random streams`);
      if (!spec.startsWith('.')) continue;
      const target = normalize(join(dirname(rel), spec)).replaceAll('\\', '/').replace(/\.js$/, '.ts');
      deps.push(target);
      const to = layerOf(target);
      if (layer && to && LAYERS.indexOf(to) > LAYERS.indexOf(layer)) problems.push(`${rel}: imports ${target}, a layer above it (${layer} may import only ${LAYERS.slice(0, LAYERS.indexOf(layer) + 1).join(', ')})`);
    }
    if (/Math\.random\s*\(/.test(text)) problems.push(`${rel}: calls Math.random; randomness comes only from seeded streams`);
    graph.set(rel, deps);
  }
  // Cycles between files, and between folders.
  const cycles = (edges) => {
    const found = [];
    const state = new Map();
    const stack = [];
    const visit = (n) => {
      state.set(n, 1);
      stack.push(n);
      for (const m of edges.get(n) ?? []) {
        if (!edges.has(m)) continue;
        if (state.get(m) === 1) found.push([...stack.slice(stack.indexOf(m)), m].join(' -> '));
        else if (!state.has(m)) visit(m);
      }
      stack.pop();
      state.set(n, 2);
    };
    for (const n of [...edges.keys()].sort()) if (!state.has(n)) visit(n);
    return found;
  };
  for (const c of cycles(graph)) problems.push(`import cycle between files: ${c}`);
  const folders = new Map();
  for (const [f, deps] of graph) {
    const from = layerOf(f);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const d of deps) if (layerOf(d) !== from) folders.get(from).add(layerOf(d));
  }
  for (const c of cycles(new Map([...folders].map(([k, v]) => [k, [...v]])))) problems.push(`import cycle between folders: ${c}`);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkLayers();
  for (const p of problems) console.log(p);
  console.log(problems.length ? `${problems.length} broken layer rule(s)` : 'layers: no cycle, no import upward');
  process.exit(problems.length ? 1 : 0);
}
