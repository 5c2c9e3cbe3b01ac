import "server-only";
/**
 * Wall-clock times in an IANA time zone ↔ UTC milliseconds, with nothing but Intl.
 *
 * Organizers type "2026-03-14T09:00" meaning 09:00 where the event happens, not where the server
 * runs; storing that correctly needs the zone's offset *at that instant* (DST included).
 */

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The canonical name of a time zone (e.g. "US/Eastern" → "America/New_York"), or null. */
export function canonicalTimeZone(name: string): string | null {
  // Names only: newer engines also accept raw offsets ("+01:00"), which have no DST rules.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || name.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Every zone the runtime knows, for pickers; Node's list omits plain "UTC". */
export function timeZoneNames(): string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];
}

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

export function parseLocalDateTime(value: string): Parts | null {
  const match = LOCAL_DATE_TIME.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second = 0] = match.slice(1).map((n) => (n === undefined ? 0 : Number(n)));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // Rejects 2026-02-30 and friends: the UTC calendar must give the same day back.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day, hour, minute, second };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClockAt(ms: number, timeZone: string): Parts {
  const out: Record<string, number> = {};
  for (const part of partsFormatter(timeZone).formatToParts(ms)) {
    if (part.type !== "literal") out[part.type] = Number(part.value);
  }
  return { year: out.year, month: out.month, day: out.day, hour: out.hour, minute: out.minute, second: out.second };
}

function asUtc(p: Parts): number {
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return asUtc(wallClockAt(whole, timeZone)) - whole;
}

const HALF_DAY = 12 * 60 * 60_000;

/**
 * The UTC instant at which the zone's clocks show `local`, or null when they never do (the hour
 * skipped when clocks go forward) or the input is malformed. When they show it twice (clocks go
 * back), the earlier instant wins, as calendar apps do.
 */
export function zonedLocalToUtc(local: string, timeZone: string): number | null {
  const parts = parseLocalDateTime(local);
  if (!parts) return null;
  const naive = asUtc(parts);
  // Transitions are months apart, so the offsets half a day either side cover both readings.
  const candidates = new Set([naive - offsetAt(naive - HALF_DAY, timeZone), naive - offsetAt(naive + HALF_DAY, timeZone)]);
  const valid = [...candidates].filter((ms) => asUtc(wallClockAt(ms, timeZone)) === naive);
  return valid.length ? Math.min(...valid) : null;
}

/** "2026-03-14T09:00" as the zone's clocks show the instant (what a datetime-local input wants). */
export function utcToZonedLocal(ms: number, timeZone: string): string {
  const p = wallClockAt(ms, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}
