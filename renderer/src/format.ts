/** Short, human numbers for a 380 px window. Pure functions, so they read the same in every view. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "45 s", "12 min", "3 h", "2 d" (from a duration in ms, floored). */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < MINUTE) return `${Math.floor(value / 1000)} s`;
  if (value < HOUR) return `${Math.floor(value / MINUTE)} min`;
  if (value < DAY) {
    const hours = Math.floor(value / HOUR);
    const minutes = Math.floor((value % HOUR) / MINUTE);
    return hours < 10 && minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  return `${Math.floor(value / DAY)} d`;
}

/** "4 min 05 s" under ten minutes (the countdown that matters), else formatDuration. */
export function formatCountdown(ms: number): string {
  const value = Math.max(0, ms);
  if (value >= 10 * MINUTE) return formatDuration(value);
  const minutes = Math.floor(value / MINUTE);
  const seconds = Math.floor((value % MINUTE) / 1000);
  return minutes > 0 ? `${minutes} min ${String(seconds).padStart(2, '0')} s` : `${seconds} s`;
}

/** The age of an ISO time relative to `now`, or undefined when it does not parse. */
export function ageOf(iso: string | undefined, now: number): string | undefined {
  if (!iso) return undefined;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? undefined : formatDuration(now - time);
}

/** "$4.01", "$1,234.50"; sub-cent rates keep their digits ("$0.0003"). */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  const abs = Math.abs(usd);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  return `${usd < 0 ? '-' : ''}$${groupThousands(roundHalfUp(abs, digits))}`;
}

/**
 * `value` (finite, >= 0) with exactly `digits` decimals, rounded half up on its shortest decimal form
 * (String(value)) as ICU rounds for toLocaleString ("1.005" -> "1.01"; toFixed gives "1.00"). Not Intl
 * itself: its first use loads ICU's number data, 40 to 100 ms before the window's first paint.
 */
function roundHalfUp(value: number, digits: number): string {
  const [mantissa = '0', exponent = '0'] = String(value).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  // The digits without the point, and where the point goes (can be before the first or past the last).
  let all = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point < 1) {
    all = '0'.repeat(1 - point) + all;
    point = 1;
  }
  const keep = point + digits;
  const up = (all[keep] ?? '0') >= '5';
  const kept = BigInt(all.slice(0, keep).padEnd(keep, '0')) + (up ? 1n : 0n);
  const text = kept.toString().padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** "1234567.50" -> "1,234,567.50" (en-US grouping). */
function groupThousands(number: string): string {
  const [whole = '', fraction] = number.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** "1.5 GiB"; whole numbers without decimals. */
export function formatGiB(gib: number): string {
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** Hours of balance left: "about 254 h", "about 3 d", "no spend right now" for Infinity. */
export function formatHoursLeft(hours: number): string {
  if (!Number.isFinite(hours)) return 'nothing is burning credits right now';
  if (hours < 1) return `about ${Math.max(1, Math.round(hours * 60))} min left`;
  if (hours < 72) return `about ${Math.round(hours)} h left`;
  return `about ${Math.round(hours / 24)} days left`;
}

/** "Apr 24" (or "Apr 24, 2025" outside this year). */
export function formatDate(iso: string, now: number = Date.now()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) });
}

/** "09:41". */
export function formatTime(iso: string | number): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? String(iso)
    : date.toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', hour12: false });
}
