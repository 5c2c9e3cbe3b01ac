/**
 * How dates and money read everywhere: pages, client components, emails and the ticket PDF. Client
 * safe (no server or node: imports), and independent of the ICU version's punctuation, so the
 * server's render and the browser's hydration print the same text.
 */

export type EventTimes = {
  /** ms since the epoch */
  startsAt: number;
  endsAt: number;
  /** IANA zone the event happens in; times are printed in it, not in the reader's zone. */
  timeZone: string;
};

// ---------------------------------------------------------------------------------------------
// Event dates

type RangeFormats = { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat; zoneUS: Intl.DateTimeFormat };
const rangeFormats = new Map<string, RangeFormats>();
function rangeFormatsFor(timeZone: string): RangeFormats {
  let f = rangeFormats.get(timeZone);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric" }),
      time: new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" }),
      // en-GB knows "CET"/"BST" but says "GMT-4" for New York; en-US knows "EDT" but not "CET".
      zoneUS: new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" }),
    };
    rangeFormats.set(timeZone, f);
  }
  return f;
}

function part(parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): string {
  return parts.find((p) => p.type === type)?.value ?? "";
}

function dateLabel(f: RangeFormats, at: number): string {
  const p = f.date.formatToParts(at);
  // Assembled by hand: ICU versions disagree on en-GB's punctuation ("Sat, 14 Mar" or "Sat 14 Mar").
  return `${part(p, "weekday")}, ${part(p, "day")} ${part(p, "month")} ${part(p, "year")}`;
}

const OFFSET_ONLY = /^(GMT|UTC)[+-]/;
function timeLabel(f: RangeFormats, at: number): { time: string; zone: string } {
  const p = f.time.formatToParts(at);
  let zone = part(p, "timeZoneName");
  if (OFFSET_ONLY.test(zone)) {
    const us = part(f.zoneUS.formatToParts(at), "timeZoneName");
    if (us && !OFFSET_ONLY.test(us)) zone = us;
  }
  return { time: `${part(p, "hour")}:${part(p, "minute")}`, zone };
}

/**
 * "Sat, 14 Mar 2026, 09:00 – 17:00 CET (Europe/Berlin)", in the event's zone. A multi-day event
 * repeats the date; an event spanning a DST change names both offsets.
 */
export function formatEventRange({ startsAt, endsAt, timeZone }: EventTimes): string {
  // Every cached ticket download fingerprints every ticket with this label
  // (server/tickets/document.tsx), and formatting was most of that cost. The result depends only
  // on the arguments and the ICU data, which can't change while the process runs.
  const key = `${startsAt}|${endsAt}|${timeZone}`;
  let label = rangeLabels.get(key);
  if (label === undefined) {
    if (rangeLabels.size >= 1000) rangeLabels.clear();
    label = formatRange(startsAt, endsAt, timeZone);
    rangeLabels.set(key, label);
  }
  return label;
}
const rangeLabels = new Map<string, string>();

function formatRange(startsAt: number, endsAt: number, timeZone: string): string {
  const f = rangeFormatsFor(timeZone);
  const startDate = dateLabel(f, startsAt);
  const endDate = dateLabel(f, endsAt);
  const start = timeLabel(f, startsAt);
  const end = timeLabel(f, endsAt);
  const startZone = start.zone === end.zone ? "" : ` ${start.zone}`;
  const endPart = startDate === endDate ? end.time : `${endDate}, ${end.time}`;
  return `${startDate}, ${start.time}${startZone} – ${endPart} ${end.zone} (${timeZone})`;
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

// ---------------------------------------------------------------------------------------------
// Money

const moneyFormats = new Map<string, Intl.NumberFormat | null>();

/**
 * 4900, "EUR" → "€49.00"; 0 → "Free". Amounts are whole cents everywhere. A currency code Intl
 * rejects prints as "49.00 EURO" rather than throwing: a price must never make a page or a ticket
 * impossible to show.
 */
export function formatMoney(cents: number, currency: string): string {
  if (cents === 0) return "Free";
  // Building an Intl formatter costs far more than using one, and this runs per ticket per download.
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat("en-GB", { style: "currency", currency });
    } catch {
      format = null;
    }
    moneyFormats.set(currency, format);
  }
  return format ? format.format(cents / 100) : `${(cents / 100).toFixed(2)} ${currency}`;
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
