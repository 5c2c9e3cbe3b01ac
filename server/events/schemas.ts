import "server-only";
import { z } from "zod";
import { canonicalTimeZone, parseLocalDateTime, zonedLocalToUtc } from "./time";

/** One currency per event: an order never mixes currencies. */
export const CURRENCIES = ["EUR", "USD", "GBP", "CHF"] as const;

export const MAX_TICKET_QUANTITY = 100_000;
export const MAX_PRICE_CENTS = 100_000_00;

export const ticketTypeInputSchema = z.object({
  name: z
    .string({ error: "Name the ticket type" })
    .trim()
    .min(1, "Name the ticket type")
    .max(80, "At most 80 characters"),
  priceCents: z
    .number({ error: "Enter a price such as 12.50 (0 for free)" })
    .int("Prices are whole cents")
    .min(0, "The price can't be negative")
    .max(MAX_PRICE_CENTS, "At most 100,000.00"),
  quantity: z
    .number({ error: "Enter how many are on sale" })
    .int("Enter a whole number")
    .min(1, "Put at least 1 on sale")
    .max(MAX_TICKET_QUANTITY, `At most ${MAX_TICKET_QUANTITY.toLocaleString("en")} per ticket type`),
});

const localDateTime = (what: string) =>
  z
    .string({ error: `Enter the ${what} date and time` })
    .refine((value) => parseLocalDateTime(value) !== null, `Enter the ${what} date and time`);

const eventDetailsFields = {
  name: z.string({ error: "Name the event" }).trim().min(1, "Name the event").max(120, "At most 120 characters"),
  description: z.string().trim().max(5000, "At most 5,000 characters").default(""),
  venue: z.string({ error: "Enter the venue" }).trim().min(1, "Enter the venue").max(200, "At most 200 characters"),
  startsAtLocal: localDateTime("start"),
  endsAtLocal: localDateTime("end"),
  timeZone: z.string({ error: "Choose a time zone" }).transform((name, ctx) => {
    const canonical = canonicalTimeZone(name.trim());
    if (!canonical) {
      ctx.issues.push({ code: "custom", message: "Choose a valid time zone, e.g. Europe/Berlin", input: name });
      return z.NEVER;
    }
    return canonical;
  }),
};

/** Wall-clock start and end in the event's zone → UTC ms, or issues naming the field at fault. */
function resolveTimes(input: { startsAtLocal: string; endsAtLocal: string; timeZone: string }, ctx: z.RefinementCtx): { startsAt: number; endsAt: number } | null {
  const startsAt = zonedLocalToUtc(input.startsAtLocal, input.timeZone);
  const endsAt = zonedLocalToUtc(input.endsAtLocal, input.timeZone);
  const skipped = `The clocks skip this time in ${input.timeZone}; pick another`;
  if (startsAt === null) ctx.issues.push({ code: "custom", path: ["startsAtLocal"], message: skipped, input });
  if (endsAt === null) ctx.issues.push({ code: "custom", path: ["endsAtLocal"], message: skipped, input });
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    ctx.issues.push({ code: "custom", path: ["endsAtLocal"], message: "The end must be after the start", input });
  }
  return startsAt === null || endsAt === null ? null : { startsAt, endsAt };
}

/**
 * What an organizer submits. Times are wall-clock strings ("2026-03-14T09:00") in `timeZone`,
 * the zone the event happens in; the output carries them as UTC milliseconds.
 */
export const eventInputSchema = z
  .object({
    ...eventDetailsFields,
    currency: z.enum(CURRENCIES, { error: "Choose a currency" }).default("EUR"),
    published: z.boolean().default(false),
    ticketTypes: z
      .array(ticketTypeInputSchema, { error: "Add at least one ticket type" })
      .min(1, "Add at least one ticket type")
      .max(20, "At most 20 ticket types"),
  })
  .transform((input, ctx) => {
    const times = resolveTimes(input, ctx);
    const seen = new Set<string>();
    input.ticketTypes.forEach((type, index) => {
      const key = type.name.toLowerCase();
      if (seen.has(key)) ctx.issues.push({ code: "custom", path: ["ticketTypes", index, "name"], message: "Each ticket type needs its own name", input });
      seen.add(key);
    });
    if (!times) return z.NEVER;
    const { startsAtLocal: _start, endsAtLocal: _end, ...rest } = input;
    return { ...rest, ...times };
  });

/** Editing an event's printed details (its tickets change with them: the PDF cache key covers them). */
export const eventDetailsInputSchema = z
  .object({
    eventId: z.string().min(1).max(64),
    ...eventDetailsFields,
    /** Email everyone with a ticket when the time, zone or venue changes. */
    notifyAttendees: z.boolean({ error: "Choose whether to tell the attendees" }).default(false),
  })
  .transform((input, ctx) => {
    const times = resolveTimes(input, ctx);
    if (!times) return z.NEVER;
    const { startsAtLocal: _start, endsAtLocal: _end, ...rest } = input;
    return { ...rest, ...times };
  });

export type EventDetailsInput = z.output<typeof eventDetailsInputSchema>;

export type EventInput = z.output<typeof eventInputSchema>;

/**
 * What could be a slug: URL-safe characters only. We issue lower-case words joined by dashes,
 * but the lookup itself decides "not found"; this only keeps junk away from the database.
 */
export const slugSchema = z.string().min(1).max(120).regex(/^[A-Za-z0-9_-]+$/);
