/**
 * Parsing of typed condition values: numbers, dates, booleans. Each returns undefined for a malformed value,
 * which never satisfies an operator (positive or negated).
 */

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Integers and decimals, as the Numeric operators compare them ("an integer or decimal value"). */
export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

const EPOCH_SECONDS = /^[+-]?\d+(?:\.\d+)?$/;
/** The W3C profile of ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, then hh:mm, :ss, .s and a zone designator). */
const W3C_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?)?)?$/;

/**
 * Milliseconds since the epoch. The Date operators accept "one of the W3C implementations of the ISO 8601
 * date formats or epoch (UNIX) time" (condition operators reference), so a plain number is epoch seconds
 * (`aws:EpochTime`) and anything else must be an ISO date (`aws:CurrentTime`). A time without a zone is UTC.
 */
export function parseDate(text: string): number | undefined {
  if (EPOCH_SECONDS.test(text)) return Number(text) * 1000;
  const m = W3C_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map((part, i) =>
    part === undefined ? (i < 2 ? 1 : 0) : Number(part),
  );
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 24 || minute > 59 || second > 60) {
    return undefined;
  }
  const millis = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - zoneOffsetMs(m[8]);
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return (zone[0] === '-' ? -minutes : minutes) * 60_000;
}

/** `true` / `false` in any case (the Bool operator); anything else is malformed. */
export function parseBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}
