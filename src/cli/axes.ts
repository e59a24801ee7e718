/**
 * A sweep's axes from the command line: `--vary KEY=VALUES` parsed and checked against the
 * scenario (the key path of an input, values in its range), with the problem in words otherwise.
 */
import type { SweepAxis } from '../analysis/sweep.js';
import { describeRange, inRange, isInputKey, keyFacts, settingField, settingRef, STUDIED_SETTINGS, type Range } from '../scenario/spec.js';
import { drawnValues } from '../sampling/draw.js';
import { closest } from '../scenario/problems.js';
import type { LoadedScenario } from '../scenario/load.js';

/** Most points a sweep may have (all axes together). */
export const MAX_POINTS = 400;

/** Parses `lo:hi:step` or a comma list into numbers, or says what is wrong. */
export function parseValues(text: string): number[] | string {
  const t = text.trim();
  if (t === '') return 'an empty list of values';
  const range = /^(-?[\d.e+-]+):(-?[\d.e+-]+):([\d.e+-]+)$/i.exec(t);
  if (range) {
    const [lo, hi, step] = range.slice(1).map(Number);
    if (![lo, hi, step].every(Number.isFinite)) return `"${t}" is not lo:hi:step with numbers`;
    if (!(step > 0)) return `the step of "${t}" must be above 0`;
    if (hi < lo) return `"${t}" goes down (hi below lo)`;
    const n = Math.floor((hi - lo) / step + 1e-9) + 1;
    if (n > MAX_POINTS) return `"${t}" has ${n} points (at most ${MAX_POINTS})`;
    return Array.from({ length: n }, (_, i) => Number((lo + i * step).toPrecision(12)));
  }
  const parts = t.split(',').map((x) => x.trim());
  const bad = parts.find((x) => x === '' || !Number.isFinite(Number(x)));
  if (bad !== undefined) return bad === '' ? `an empty value in "${t}"` : `"${bad}" is not a number`;
  return parts.map(Number);
}

/** One --vary KEY=VALUES against the scenario: an axis, or the problem in words. */
export function parseAxis(spec: string, loaded: LoadedScenario): SweepAxis | string {
  const eq = spec.indexOf('=');
  if (eq <= 0) return `--vary ${spec}: expected KEY=VALUES (for example revocation.duration_days=0,30,90 or firm.cash=100000:500000:100000)`;
  const key = spec.slice(0, eq).trim();
  const inputs = loaded.scenario.inputs;
  const found = inputs.find((d) => d.key === key);
  // A studied setting (the discount rate, horizon or tail): one pass per point on the same paths.
  const setting = STUDIED_SETTINGS.includes(key) ? (keyFacts(key).field!.node as { range: Range; integer?: boolean }) : undefined;
  const def = found ?? (setting ? { id: settingRef(key), range: setting.range, integer: setting.integer === true } : undefined);
  if (!def) {
    // A key of the format that is not drawn per path (spec.ts): a setting.
    const isSetting = keyFacts(key).field !== undefined && !isInputKey(key);
    if (isSetting) return `--vary ${key}: expected an input (a number or distribution drawn per path) or one of the settings ${STUDIED_SETTINGS.join(', ')}, found another setting; change it in the file instead`;
    const near = closest(key, inputs.map((d) => d.key));
    return `--vary ${key}: expected the key path of an input, found an unknown key${near ? ` (did you mean "${near}"?)` : ''}`;
  }
  const values = parseValues(spec.slice(eq + 1));
  if (typeof values === 'string') return `--vary ${key}: expected a comma list or lo:hi:step of numbers, found ${values}`;
  // Day counts: whole days from 0 (negative ones are refused in the file, and as sweep points).
  const range = def.integer ? { ...def.range, min: Math.max(def.range.min ?? 0, 0) } : def.range;
  const out = values.find((x) => !inRange(x, range));
  if (out !== undefined) return `--vary ${key}: expected values ${describeRange(range)}${def.integer ? ' (days)' : ''}, found ${out}`;
  if (new Set(values).size !== values.length) return `--vary ${key}: expected distinct values, found a value twice`;
  return { key, id: def.id, points: values };
}

/** The median of an input's per-path values over the first paths of the run (where statements are made); a setting's value in the file. */
export function medianOf(loaded: LoadedScenario, id: number, seed: number, paths: number): number {
  if (id < 0) return loaded.scenario.simulation[settingField(id)];
  const n = Math.min(paths, 4000);
  const [xs] = drawnValues(loaded.scenario, loaded.expressions, seed, [id], n);
  xs.sort();
  return n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}
