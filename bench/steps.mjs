// The steps of the day loop that bench/breakdown.mjs times: where the instrumented kernel calls
// mark(step). test/engine/breakdown.test.ts holds them to the kernel's source, so a change to the
// day loop that moves a passage fails a test, not the next benchmark.

/**
 * The steps of the day loop, each followed in the instrumented build by mark(its index): [a
 * passage of src/wasm/kernel.ts found once, the step's name]. The mark goes after the passage's
 * first line, or before the passage when it starts with '^'.
 */
export const STEPS = [
  ['export function runDays(count: i32): void {', ''], // 0: the time before a block's loop is not counted
  ['^    // The but-for world: e = 0', 'the day\'s G(t) and growth anchors, per path'],
  ['^    // Each simulated policy world.', 'the but-for world (horizon and tail)'],
  ['  stepLanes(w, st, order, count, t, false);', 'horizon: lanes\' gaps and 2^(-kappa e) (exp)'],
  ['  stepQuality(w, st, order, count);\n  // 3. Output', 'horizon: quality and q^eps (log and exp)'],
  ['^  updateQualityAndShares(w, st, order, count);\n}\n\n/**\n * A day t >= T', 'horizon: revenue, costs, cash, financing, metrics'],
  ['  updateQualityAndShares(w, st, order, count);\n}\n\n/**\n * A day t >= T', 'horizon: K and S updates (two divisions)'],
  ['        if (kept) for (let v = 0; v < SKETCHED; v++) record(i + 1, v, j, count);', 'horizon: daily series (sketch inserts and sums)'],
  ['  stepLanes(w, st, tailList(nPol), tailCount(nPol), t, true);', 'tail: lanes\' gaps and 2^(-kappa e) (exp)'],
  ['  stepQuality(w, st, list, n);\n  let m = 0;', 'tail: quality and q^eps (log and exp)'],
  ['^  updateQualityAndShares(w, st, list, n);\n}\n\n/** A tail day', 'tail: revenue and premium sums'],
  ['  updateQualityAndShares(w, st, list, n);\n}\n\n/** A tail day', 'tail: K and S updates'],
  ['^    if (stored) j++;', 'the but-for revenue\'s daily growth'],
];

/**
 * The kernel's source with `mark(i)` placed at step i's passage, and the import of mark. Throws,
 * naming the step, when a passage is not found exactly once (the kernel changed: update STEPS).
 */
export function instrumentKernelSource(source) {
  let marked = source.replace("@external('env', 'log')", "@external('env', 'mark') declare function mark(step: i32): void;\n@external('env', 'log')");
  STEPS.forEach(([passage], step) => {
    const before = passage.startsWith('^');
    const anchor = before ? passage.slice(1) : passage;
    if (marked.split(anchor).length !== 2) throw new Error(`bench/steps.mjs: the kernel's source no longer has one "${anchor.split('\n')[0]}" to mark step ${step} at`);
    const at = marked.indexOf(anchor) + (before ? 0 : anchor.includes('\n') ? anchor.indexOf('\n') : anchor.length);
    marked = before ? `${marked.slice(0, at)}mark(${step});\n${marked.slice(at)}` : `${marked.slice(0, at)}\nmark(${step});${marked.slice(at)}`;
  });
  return marked;
}
