import "server-only";
import { z } from "zod";

/** A cap per order keeps one buyer from draining an event in a single request. */
export const MAX_TICKETS_PER_ORDER = 20;

/** Missing is bad input (400); present but not one of ours is "not found" (404), decided by the lookup. */
const id = (message: string) => z.string({ error: message }).min(1, message);

export const attendeeInputSchema = z.object({
  ticketTypeId: id("Choose a ticket type"),
  name: z
    .string({ error: "Enter the attendee's name" })
    .trim()
    .min(1, "Enter the attendee's name")
    .max(120, "At most 120 characters"),
  email: z
    .string({ error: "Enter the attendee's email" })
    .trim()
    .min(1, "Enter the attendee's email")
    .max(254, "At most 254 characters")
    .email("Enter a valid email address"),
});

/** A guest's own name and address at checkout (a signed-in buyer is their account). */
export const guestBuyerSchema = z.object({
  name: z.string({ error: "Enter your name" }).trim().min(1, "Enter your name").max(120, "At most 120 characters"),
  email: z
    .string({ error: "Enter your email" })
    .trim()
    .min(1, "Enter your email")
    .max(254, "At most 254 characters")
    .email("Enter a valid email address")
    .transform((e) => e.toLowerCase()),
});

/**
 * Checkout: how many of each ticket type, and one named attendee per ticket. Field paths in
 * errors (`items.0.quantity`, `attendees.1.email`) follow this shape, so forms can place them.
 */
export const placeOrderInputSchema = z
  .object({
    eventId: id("Choose an event"),
    items: z
      .array(
        z.object({
          ticketTypeId: id("Choose a ticket type"),
          quantity: z
            .number({ error: "Enter how many tickets" })
            .int("Enter a whole number")
            .min(1, "Choose at least 1 ticket")
            .max(MAX_TICKETS_PER_ORDER, `At most ${MAX_TICKETS_PER_ORDER} tickets per order`),
        }),
        { error: "Choose at least one ticket" },
      )
      .min(1, "Choose at least one ticket")
      .max(20, "Too many ticket types"),
    attendees: z.array(attendeeInputSchema, { error: "Name each attendee" }).max(MAX_TICKETS_PER_ORDER, `At most ${MAX_TICKETS_PER_ORDER} tickets per order`),
    /** Required from a guest (nobody signed in); a signed-in buyer buys as their account. */
    buyer: guestBuyerSchema.optional(),
  })
  .superRefine((input, ctx) => {
    const wanted = new Map<string, number>();
    input.items.forEach((item, index) => {
      if (wanted.has(item.ticketTypeId)) {
        ctx.addIssue({ code: "custom", path: ["items", index, "ticketTypeId"], message: "This ticket type is listed twice" });
      }
      wanted.set(item.ticketTypeId, (wanted.get(item.ticketTypeId) ?? 0) + item.quantity);
    });
    const total = [...wanted.values()].reduce((a, b) => a + b, 0);
    if (total > MAX_TICKETS_PER_ORDER) {
      ctx.addIssue({ code: "custom", path: ["items"], message: `At most ${MAX_TICKETS_PER_ORDER} tickets per order` });
      return;
    }
    const named = new Map<string, number>();
    input.attendees.forEach((attendee, index) => {
      if (!wanted.has(attendee.ticketTypeId)) {
        ctx.addIssue({ code: "custom", path: ["attendees", index, "ticketTypeId"], message: "This attendee's ticket type isn't in the order" });
      }
      named.set(attendee.ticketTypeId, (named.get(attendee.ticketTypeId) ?? 0) + 1);
    });
    input.items.forEach((item, index) => {
      const count = named.get(item.ticketTypeId) ?? 0;
      if (count !== wanted.get(item.ticketTypeId)) {
        ctx.addIssue({
          code: "custom",
          path: ["items", index, "quantity"],
          message: `Name one attendee per ticket (${item.quantity} chosen, ${count} named)`,
        });
      }
    });
  });

export type PlaceOrderInput = z.output<typeof placeOrderInputSchema>;

