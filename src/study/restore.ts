/**
 * The injunction exhibit's study: the harm if access returns on each of a list of dates, given
 * the facts at filing. With exhibit.as_of, the revocation's duration is drawn conditional on
 * access not having returned by then (as revocation.ongoing_after_days does), and that
 * conditioned world is the baseline each restore date is set against; each restore date fixes
 * the duration at its day. All on the same paths, sharing each path's but-for world (the
 * duration is world-level), and every world keeps the mitigation decisions of the conditioned
 * scenario (the firm cannot know when a court will rule), so differences are paired path by path.
 * analysis/restore.ts reads it.
 */
import type { LoadedScenario } from '../scenario/load.js';
import { calendarOf } from '../scenario/calendar.js';
import { addDays, addMonths, dayOfDate, type Calendar } from '../format.js';
import { baseChoices, runStudy, type StudyResult } from './run.js';
import type { PassSettings } from './passes.js';

/** One row of the table: access restored from this day (the duration is day - start_day), with its date on the calendar. */
export interface RestorePoint {
  day: number;
  duration: number;
  date?: string;
  /** Why it is in the table: the hearing, a year after it, the day after the facts at filing, or a listed date. */
  label: string;
}

export interface RestorePlan {
  calendar?: Calendar;
  /** Days access had been out at filing (the duration is conditioned on lasting longer); undefined without exhibit.as_of. */
  ongoing?: number;
  asOf?: string;
  hearing?: string;
  points: RestorePoint[];
}

export interface RestoreStudy {
  plan: RestorePlan;
  paths: number;
  /** Variant 0: the conditioned duration; variant k >= 1: restored on plan.points[k - 1]. */
  study: StudyResult;
}

/** Restore days used without a calendar: 1, 2, 3, 6 and 12 months after the revocation starts (in days). */
const DEFAULT_DAYS = [30, 60, 90, 180, 365];

/** The restore points of a scenario's exhibit block (dates on its calendar), or days after the start without one. */
export function restorePlan(loaded: LoadedScenario): RestorePlan {
  const s = loaded.scenario;
  const ex = s.exhibit ?? {};
  const t0 = s.revocation.start_day;
  const calendar = calendarOf(s);
  if (!calendar || !ex.revocation_date) {
    const ongoing = s.revocation.ongoing_after_days;
    const points = DEFAULT_DAYS.filter((d) => ongoing === undefined || d > ongoing).map((d) => ({ day: t0 + d, duration: d, label: `${d} days after the start` }));
    return { ongoing, points };
  }
  // Access had not returned on as_of: it lasts more than (as_of - start) days, and at least as long as the scenario's own known fact.
  const facts = [...(ex.as_of ? [dayOfDate(calendar, ex.as_of) - t0] : []), ...(s.revocation.ongoing_after_days !== undefined ? [s.revocation.ongoing_after_days] : [])];
  const ongoing = facts.length ? Math.max(...facts) : undefined;
  const labelled = new Map<string, string>();
  const put = (date: string, label: string) => labelled.set(date, labelled.has(date) ? `${labelled.get(date)}; ${label}` : label);
  if (ex.as_of) put(addDays(ex.as_of, 1), 'the day after the facts at filing (the harm already sunk)');
  if (ex.hearing_date) {
    put(ex.hearing_date, 'injunction on the hearing date');
    if (!ex.restore_dates) for (const k of [1, 3, 6]) put(addMonths(ex.hearing_date, k), `${k} month${k > 1 ? 's' : ''} after the hearing`);
    put(addMonths(ex.hearing_date, 12), 'a ruling a year after the hearing');
  }
  for (const d of ex.restore_dates ?? []) put(d, 'listed in the exhibit block');
  if (!ex.hearing_date && !ex.restore_dates) for (const k of [1, 2, 3, 6, 12]) put(addMonths(ex.as_of ?? ex.revocation_date, k), `${k} month${k > 1 ? 's' : ''} after ${ex.as_of ? 'filing' : 'the revocation'}`);
  const points = [...labelled]
    .map(([date, label]) => ({ date, label, day: dayOfDate(calendar, date), duration: dayOfDate(calendar, date) - t0 }))
    .filter((p) => p.duration >= 0 && (ongoing === undefined || p.duration > ongoing))
    .sort((a, b) => a.day - b.day);
  return { calendar, ongoing, asOf: ex.as_of, hearing: ex.hearing_date, points };
}


/**
 * Runs the baseline and every restore point on the same paths, for `policies` (default: every
 * compared policy; the pack reads only those that happened); undefined when there is no point to
 * restore on.
 */
export async function runRestoreStudy(loaded: LoadedScenario, settings: PassSettings, policies?: string[]): Promise<RestoreStudy | undefined> {
  const plan = restorePlan(loaded);
  if (plan.points.length === 0) return undefined;
  // Every pass draws the duration under the facts at filing, and compares only the policies asked for.
  const common = { ...(plan.ongoing !== undefined ? { ongoingAfterDays: plan.ongoing } : {}), ...(policies ? { compare: loaded.scenario.compare.filter((p) => policies.includes(p)) } : {}) };
  const conditioned = { ...settings, common };
  const id = loaded.scenario.revocation.duration_days;
  const base = await baseChoices(loaded, true, conditioned);
  const study = await runStudy(loaded, [new Map(), ...plan.points.map((p) => new Map([[id, p.duration]]))], conditioned, { choices: base.choices });
  study.passes += base.passes;
  study.simulateSeconds += base.seconds;
  return { plan, paths: settings.paths, study };
}
