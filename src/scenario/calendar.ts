/** The model's days on the calendar: exhibit.revocation_date is the date of revocation.start_day. */
import type { Calendar } from '../format.js';
import type { Scenario } from './types.js';

export const calendarOf = (s: Scenario): Calendar | undefined => (s.exhibit?.revocation_date ? { date: s.exhibit.revocation_date, day: s.revocation.start_day } : undefined);
