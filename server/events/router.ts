import "server-only";
import { z } from "zod";
import { requireProvenEmail } from "@/server/access";
import { authedProcedure, eventProcedure, publicProcedure, router } from "@/server/trpc";
import { listPublishedEvents } from "./queries";
import { eventDetailsInputSchema, eventInputSchema } from "./schemas";
import { cancelEvent, createEvent, deleteDraftEvent, getVisibleEventBySlug, listMyEvents, liveCounts, setEventPublished, updateEventDetails } from "./service";

export const eventsRouter = router({
  /** The home page's list: published events only. */
  listPublished: publicProcedure.query(({ ctx }) => listPublishedEvents(ctx.db)),

  /** Published events for everyone; drafts only for their team and staff (else 404). */
  bySlug: publicProcedure.input(z.object({ slug: z.string() })).query(({ ctx, input }) => {
    const caller = ctx.auth.kind === "caller" ? ctx.auth.caller : null;
    return getVisibleEventBySlug(ctx.db, caller, input.slug);
  }),

  /** Events I'm on the team of, with seats sold and people checked in. */
  mine: authedProcedure.query(({ ctx }) => listMyEvents(ctx.db, ctx.caller.user.id)),

  /**
   * Every live figure of the door and the dashboard header, from one query so none can disagree.
   * Registrars may see it: counts per ticket type, nothing about any attendee, and the door
   * needs them; staff read it with the rest of the dashboard.
   */
  checkInCounts: eventProcedure("view_counts").query(({ ctx }) => liveCounts(ctx.db, ctx.event.id)),

  /** Anyone signed in with a proven email may create an event and becomes its owner. */
  create: authedProcedure.input(eventInputSchema).mutation(async ({ ctx, input }) => {
    requireProvenEmail(ctx.caller, "creating events");
    const event = (await createEvent(ctx.db, ctx.caller.user.id, input));
    return { id: event.id, slug: event.slug };
  }),

  /**
   * Owner and organizers edit what the tickets print: name, description, venue, times, zone. With
   * `notifyAttendees`, a change of time or place is emailed to everyone with a ticket.
   */
  update: eventProcedure("manage_event")
    .input(eventDetailsInputSchema)
    .mutation(async ({ ctx, input }) => {
      const { notify, ...updated } = await updateEventDetails(ctx.db, ctx.event, ctx.caller, input);
      return { ...updated, notified: notify };
    }),

  setPublished: eventProcedure("manage_event")
    .input(z.object({ published: z.boolean({ error: "Choose published or not" }) }))
    .mutation(async ({ ctx, input }) => {
      if (input.published) requireProvenEmail(ctx.caller, "publishing events");
      await setEventPublished(ctx.db, ctx.event, ctx.caller, input.published);
      return { id: ctx.event.id, published: input.published };
    }),

  /** For good: no more sales or check-ins, tickets print CANCELLED, every holder and buyer is emailed. */
  cancel: eventProcedure("manage_event")
    .input(z.object({ reason: z.string({ error: "Say why, or leave it empty" }).trim().max(500, "At most 500 characters").default("") }))
    .mutation(async ({ ctx, input }) => {
      await cancelEvent(ctx.db, ctx.event, ctx.caller, input.reason);
      return { id: ctx.event.id, cancelled: true };
    }),

  /** A draft never published and without orders can go entirely; anything else is cancelled instead. */
  deleteDraft: eventProcedure("manage_event").mutation(async ({ ctx }) => {
    await deleteDraftEvent(ctx.db, ctx.event, ctx.caller);
    return { id: ctx.event.id, deleted: true };
  }),
});
