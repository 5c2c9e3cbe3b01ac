import "server-only";
import { z } from "zod";
import { ticketTypeInputSchema } from "@/server/events/schemas";
import { parseLocalDateTime } from "@/server/events/time";
import { MAX_TICKETS_PER_ORDER } from "@/server/orders/schemas";
import { idInput } from "@/server/trpc";

/** A wall-clock time in the event's zone ("2026-03-14T09:00"), or "" for no bound. */
const optionalLocalDateTime = (what: string) =>
  z
    .string({ error: `Enter when ${what}, or leave it empty` })
    .trim()
    .refine((value) => value === "" || parseLocalDateTime(value) !== null, `Enter when ${what}, or leave it empty`)
    .default("");

/** Everything an organizer sets on a ticket type; the sale window is resolved in the event's zone. */
const ticketTypeSettings = {
  ...ticketTypeInputSchema.shape,
  description: z.string({ error: "Describe the ticket type, or leave it empty" }).trim().max(500, "At most 500 characters").default(""),
  salesStartsAtLocal: optionalLocalDateTime("sales open"),
  salesEndsAtLocal: optionalLocalDateTime("sales close"),
  maxPerOrder: z
    .number({ error: "Enter a whole number, or leave it empty" })
    .int("Enter a whole number")
    .min(1, "Allow at least 1 per order")
    .max(MAX_TICKETS_PER_ORDER, `At most ${MAX_TICKETS_PER_ORDER}: no order holds more tickets`)
    .nullable()
    .default(null),
  hidden: z.boolean({ error: "Choose whether the type is hidden" }).default(false),
};

export const createTicketTypeSchema = z.object(ticketTypeSettings);
export const updateTicketTypeSchema = z.object({ ticketTypeId: idInput, ...ticketTypeSettings });

export type TicketTypeSettings = z.output<typeof createTicketTypeSchema>;
