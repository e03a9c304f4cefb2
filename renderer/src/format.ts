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

/** "$4.01"; sub-cent rates keep their digits ("$0.0003"). */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  const abs = Math.abs(usd);
  const digits = abs !== 0 && abs < 0.01 ? 4 : 2;
  return `${usd < 0 ? '-' : ''}$${abs.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
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
