/**
 * A full garbage collection on request, for the points where a large run lets go of hundreds of
 * megabytes at once (cli/run.ts). V8 frees arrays that are no longer reachable, and the memory
 * their ArrayBuffers hold, only when it next collects, which it does as its own heap grows: the
 * charts' drawing then grows it on top of the arrays let go. Collecting at once keeps the peak
 * down (the default scenario at 1,000,000 paths: the README's memory paragraph).
 *
 * V8's gc function is exposed with --expose-gc; node accepts that flag at run time too, and a new
 * context then has the function. Where that fails, collectGarbage does nothing: the memory still
 * goes, later. Results never depend on it.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

function exposedGc(): (() => void) | null {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    // Later contexts need not see it.
    setFlagsFromString('--no-expose-gc');
    return typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    return null;
  }
}

/** Collects garbage now, where V8 allows it (see above); else does nothing. */
export function collectGarbage(): void {
  if (gc === undefined) gc = exposedGc();
  gc?.();
}
