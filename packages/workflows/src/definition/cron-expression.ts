/**
 * AWS cron expressions, as CodeCatalyst `SCHEDULE` triggers use them (the EventBridge dialect): six fields, UTC.
 *
 * | field        | values                  | wildcards          |
 * |--------------|-------------------------|--------------------|
 * | minutes      | 0-59                    | `, - * /`          |
 * | hours        | 0-23                    | `, - * /`          |
 * | day-of-month | 1-31                    | `, - * ? / L W`    |
 * | month        | 1-12 or JAN-DEC         | `, - * /`          |
 * | day-of-week  | 1-7 or SUN-SAT (1 = SUN)| `, - * ? L #`      |
 * | year         | 1970-2199               | `, - * /`          |
 *
 * Day-of-month and day-of-week cannot both be given: one of them must be `?`. `L` is the last day of the month
 * (day-of-month) or, after a weekday, the last such weekday of the month (`6L`: last Friday; `L` alone is
 * Saturday); `15W` is the weekday nearest the 15th within its month, `LW` the last weekday; `2#1` the first Monday.
 */

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;

/** A day-of-month item. */
type DayOfMonthItem = { kind: 'days'; days: Set<number> } | { kind: 'last' } | { kind: 'nearest-weekday'; day: number } | { kind: 'last-weekday' };
/** A day-of-week item (weekdays 1..7, 1 = Sunday). */
type DayOfWeekItem = { kind: 'days'; days: Set<number> } | { kind: 'last-of'; weekday: number } | { kind: 'nth'; weekday: number; nth: number };

/** A parsed, valid cron expression. */
export interface CronSchedule {
  expression: string;
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years: Set<number>;
  /** `undefined` for `?`. */
  daysOfMonth?: DayOfMonthItem[];
  /** `undefined` for `?`. */
  daysOfWeek?: DayOfWeekItem[];
}

export type CronCheck = { ok: true; schedule: CronSchedule } | { ok: false; problem: string };

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
}

const MINUTES: FieldRule = { name: 'minutes', min: 0, max: 59 };
const HOURS: FieldRule = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldRule = { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES };
const YEAR: FieldRule = { name: 'year', min: FIRST_YEAR, max: LAST_YEAR };

class CronProblem extends Error {}

/**
 * Parses and checks an expression.
 * @example parseCronExpression('0 9 ? * MON-FRI *') // { ok: true, schedule }
 * @example parseCronExpression('0 9 * * MON *') // { ok: false, problem: 'day-of-month and day-of-week ...' }
 */
export function parseCronExpression(expression: string): CronCheck {
  const trimmed = expression.trim();
  if (/^cron\s*\(/i.test(trimmed)) {
    return { ok: false, problem: `write the six fields without the cron( ) wrapper, e.g. "${trimmed.replace(/^cron\s*\(\s*/i, '').replace(/\s*\)\s*$/, '')}"` };
  }
  const fields = trimmed.split(/\s+/).filter((field) => field !== '');
  if (fields.length !== 6) {
    const hint = fields.length === 5 ? ' (a five-field Unix cron needs a year field and "?" in day-of-month or day-of-week, e.g. "0 9 ? * MON-FRI *")' : '';
    return {
      ok: false,
      problem: `expected 6 fields "minutes hours day-of-month month day-of-week year", found ${fields.length}${hint}`,
    };
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  try {
    if (dayOfMonth === '?' && dayOfWeek === '?') {
      throw new CronProblem('day-of-month and day-of-week are both "?": give one of them (and "?" in the other)');
    }
    if (dayOfMonth !== '?' && dayOfWeek !== '?') {
      throw new CronProblem(
        `day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}") cannot both be given: put "?" in one of them, e.g. "${minutes} ${hours} ${dayOfMonth} ${month} ? ${year}"`,
      );
    }
    const schedule: CronSchedule = {
      expression: trimmed,
      minutes: parseSimpleField(minutes, MINUTES),
      hours: parseSimpleField(hours, HOURS),
      months: parseSimpleField(month, MONTH),
      years: parseSimpleField(year, YEAR),
      daysOfMonth: dayOfMonth === '?' ? undefined : parseDayOfMonth(dayOfMonth),
      daysOfWeek: dayOfWeek === '?' ? undefined : parseDayOfWeek(dayOfWeek),
    };
    if (nextScheduleTime(schedule, new Date(Date.UTC(FIRST_YEAR, 0, 1) - 60_000)) === undefined) {
      throw new CronProblem('it never matches a date (check day-of-month against the months and years)');
    }
    return { ok: true, schedule };
  } catch (error) {
    if (error instanceof CronProblem) return { ok: false, problem: error.message };
    throw error;
  }
}

/**
 * The first time strictly after `after` (to the minute) that the expression names, or `undefined` when it names
 * none (its year field has passed).
 * @throws Error when `expression` is a string that is not a valid expression
 * @example nextScheduleTime('0 9 ? * MON-FRI *', new Date('2025-01-04T12:00:00Z')) // 2025-01-06T09:00:00Z (a Monday)
 */
export function nextScheduleTime(expression: string | CronSchedule, after: Date): Date | undefined {
  let schedule: CronSchedule;
  if (typeof expression === 'string') {
    const check = parseCronExpression(expression);
    if (!check.ok) throw new Error(`invalid cron expression "${expression}": ${check.problem}`);
    schedule = check.schedule;
  } else {
    schedule = expression;
  }
  const start = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
  const t = new Date(start);
  let year = t.getUTCFullYear();
  let month = t.getUTCMonth() + 1;
  let day = t.getUTCDate();
  let hour = t.getUTCHours();
  let minute = t.getUTCMinutes();
  const dayCache = new Map<number, Set<number>>();
  const daysIn = (y: number, m: number): Set<number> => {
    const key = y * 100 + m;
    let days = dayCache.get(key);
    if (!days) {
      days = matchingDays(schedule, y, m);
      dayCache.set(key, days);
    }
    return days;
  };

  while (year <= LAST_YEAR) {
    if (!schedule.years.has(year)) {
      year += 1;
      month = 1;
      day = 1;
      hour = 0;
      minute = 0;
      continue;
    }
    if (!schedule.months.has(month)) {
      ({ year, month } = nextMonth(year, month));
      day = 1;
      hour = 0;
      minute = 0;
      continue;
    }
    if (!daysIn(year, month).has(day)) {
      day += 1;
      hour = 0;
      minute = 0;
      if (day > daysInMonth(year, month)) {
        ({ year, month } = nextMonth(year, month));
        day = 1;
      }
      continue;
    }
    if (!schedule.hours.has(hour)) {
      hour += 1;
      minute = 0;
      if (hour > 23) {
        hour = 0;
        day += 1;
        if (day > daysInMonth(year, month)) {
          ({ year, month } = nextMonth(year, month));
          day = 1;
        }
      }
      continue;
    }
    const nextMinute = [...schedule.minutes].filter((m) => m >= minute).sort((a, b) => a - b)[0];
    if (nextMinute === undefined) {
      hour += 1;
      minute = 0;
      if (hour > 23) {
        hour = 0;
        day += 1;
        if (day > daysInMonth(year, month)) {
          ({ year, month } = nextMonth(year, month));
          day = 1;
        }
      }
      continue;
    }
    return new Date(Date.UTC(year, month - 1, day, hour, nextMinute));
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------

function nextMonth(year: number, month: number): { year: number; month: number } {
  return month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday … 7 = Saturday. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function matchingDays(schedule: CronSchedule, year: number, month: number): Set<number> {
  const last = daysInMonth(year, month);
  const days = new Set<number>();
  if (schedule.daysOfMonth) {
    for (const item of schedule.daysOfMonth) {
      if (item.kind === 'days') for (const d of item.days) if (d <= last) days.add(d);
      if (item.kind === 'last') days.add(last);
      if (item.kind === 'nearest-weekday' && item.day <= last) days.add(nearestWeekday(year, month, item.day, last));
      if (item.kind === 'last-weekday') days.add(nearestWeekday(year, month, last, last));
    }
  } else if (schedule.daysOfWeek) {
    for (let d = 1; d <= last; d++) {
      const weekday = weekdayOf(year, month, d);
      for (const item of schedule.daysOfWeek) {
        if (item.kind === 'days' && item.days.has(weekday)) days.add(d);
        if (item.kind === 'last-of' && item.weekday === weekday && d + 7 > last) days.add(d);
        if (item.kind === 'nth' && item.weekday === weekday && Math.ceil(d / 7) === item.nth) days.add(d);
      }
    }
  }
  return days;
}

/** The Monday-to-Friday day nearest `day`, without leaving the month. */
function nearestWeekday(year: number, month: number, day: number, last: number): number {
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1; // Saturday → Friday (or Monday the 3rd)
  if (weekday === 1) return day === last ? day - 2 : day + 1; // Sunday → Monday (or Friday before)
  return day;
}

function parseNumber(text: string, rule: FieldRule): number {
  const upper = text.toUpperCase();
  const named = rule.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) {
    const names = rule.names ? ` or ${rule.names[0]}-${rule.names.at(-1)}` : '';
    throw new CronProblem(`${rule.name}: "${text}" is not a value (expected ${rule.min}-${rule.max}${names})`);
  }
  const value = Number(text);
  if (value < rule.min || value > rule.max) {
    throw new CronProblem(`${rule.name}: ${value} is out of range ${rule.min}-${rule.max}`);
  }
  return value;
}

/** `*`, `a`, `a-b`, with an optional `/step`, in a comma-separated list. */
function parseSimpleField(field: string, rule: FieldRule): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) addItem(item, rule, values);
  return values;
}

function addItem(item: string, rule: FieldRule, into: Set<number>): void {
  if (item === '') throw new CronProblem(`${rule.name}: empty item in "${rule.name}" list`);
  if (item === '?') throw new CronProblem(`${rule.name}: "?" is only allowed in day-of-month and day-of-week`);
  const [range, stepText, extra] = item.split('/');
  if (extra !== undefined) throw new CronProblem(`${rule.name}: "${item}" has more than one "/"`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronProblem(`${rule.name}: the step in "${item}" must be a positive number`);
    step = Number(stepText);
  }
  let from: number;
  let to: number;
  if (range === '*') {
    from = rule.min;
    to = rule.max;
  } else {
    const bounds = range!.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) throw new CronProblem(`${rule.name}: "${item}" is not a value or a range`);
    from = parseNumber(bounds[0]!, rule);
    to = bounds.length === 2 ? parseNumber(bounds[1]!, rule) : stepText !== undefined ? rule.max : from;
    if (to < from) throw new CronProblem(`${rule.name}: the range "${range}" goes backwards: write the smaller value first`);
  }
  for (let v = from; v <= to; v += step) into.add(v);
}

function parseDayOfMonth(field: string): DayOfMonthItem[] {
  const items: DayOfMonthItem[] = [];
  for (const item of field.split(',')) {
    const upper = item.toUpperCase();
    if (upper === 'L') items.push({ kind: 'last' });
    else if (upper === 'LW') items.push({ kind: 'last-weekday' });
    else if (/^\d+W$/.test(upper)) items.push({ kind: 'nearest-weekday', day: parseNumber(upper.slice(0, -1), DAY_OF_MONTH) });
    else if (/[LW#]/.test(upper)) throw new CronProblem(`day-of-month: "${item}" is not understood (use L, LW, or a day followed by W such as 15W)`);
    else {
      const days = new Set<number>();
      addItem(item, DAY_OF_MONTH, days);
      items.push({ kind: 'days', days });
    }
  }
  return items;
}

function parseDayOfWeek(field: string): DayOfWeekItem[] {
  const items: DayOfWeekItem[] = [];
  for (const item of field.split(',')) {
    const upper = item.toUpperCase();
    if (upper === 'L') items.push({ kind: 'last-of', weekday: 7 });
    else if (/^[A-Z0-9]+L$/.test(upper)) items.push({ kind: 'last-of', weekday: parseNumber(upper.slice(0, -1), DAY_OF_WEEK) });
    else if (upper.includes('#')) {
      const [weekday, nth, extra] = upper.split('#');
      if (extra !== undefined || !/^[1-5]$/.test(nth ?? '')) {
        throw new CronProblem(`day-of-week: "${item}" must be weekday#n with n from 1 to 5, e.g. MON#1 for the first Monday`);
      }
      items.push({ kind: 'nth', weekday: parseNumber(weekday!, DAY_OF_WEEK), nth: Number(nth) });
    } else if (upper.includes('/')) {
      throw new CronProblem(`day-of-week: "/" is not allowed in day-of-week ("${item}"): list the days, e.g. MON,WED,FRI`);
    } else {
      const days = new Set<number>();
      addItem(item, DAY_OF_WEEK, days);
      items.push({ kind: 'days', days });
    }
  }
  return items;
}
