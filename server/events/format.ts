import type { Event } from "@/db/schema";

/** "Sat, 14 Mar 2026, 09:00 – 17:00 (Europe/Berlin)", always in the event's own time zone. */
export function formatEventRange(event: Pick<Event, "startsAt" | "endsAt" | "timeZone">): string {
  const day = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: event.timeZone });
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: event.timeZone, timeZoneName: "short" });
  const sameDay = day.format(event.startsAt) === day.format(event.endsAt);
  const end = sameDay ? time.format(event.endsAt) : `${day.format(event.endsAt)}, ${time.format(event.endsAt)}`;
  return `${day.format(event.startsAt)}, ${time.format(event.startsAt).replace(/ \S+$/, "")} – ${end} (${event.timeZone})`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** 4900, "EUR" → "€49.00"; 0 → "Free". Amounts are whole cents everywhere else. */
export function formatMoney(cents: number, currency: string): string {
  if (cents === 0) return "Free";
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat("en-GB", { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  return format.format(cents / 100);
}

/**
 * "12.5" → 1250, "0" → 0; null for anything that isn't a non-negative amount with at most two
 * decimals. Parsed as text, never through floating point, so "19.99" is exactly 1999.
 */
export function parsePriceToCents(text: string): number | null {
  const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

const momentFormats = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat; full: Intl.DateTimeFormat }>();

/**
 * A moment at the event, on the event's own clock: "10:42" when it falls on the same day there as
 * `now`, "1 Jun 2030, 10:42" otherwise. Door staff and organizers read times where the event
 * happens, not where their laptop happens to be set.
 */
export function formatMomentInZone(ms: number, timeZone: string, now = Date.now()): string {
  let formats = momentFormats.get(timeZone);
  if (!formats) {
    formats = {
      day: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone }),
      time: new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone }),
      full: new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone }),
    };
    momentFormats.set(timeZone, formats);
  }
  return formats.day.format(ms) === formats.day.format(now) ? formats.time.format(ms) : formats.full.format(ms);
}
