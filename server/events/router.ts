import { z } from "zod";
import { requireProvenEmail } from "@/server/access";
import { authedProcedure, eventProcedure, publicProcedure, router } from "@/server/trpc";
import { listPublishedEvents } from "./queries";
import { eventDetailsInputSchema, eventInputSchema } from "./schemas";
import { createEvent, eventCounts, getVisibleEventBySlug, listMyEvents, setEventPublished, updateEventDetails } from "./service";

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
   * The check-in screen's live counter. Registrars may see it: it is two numbers, nothing about
   * any attendee, and the door needs it.
   */
  checkInCounts: eventProcedure("check_in").query(async ({ ctx }) => {
    const { sold, checkedIn } = await eventCounts(ctx.db, ctx.event.id);
    return { sold, checkedIn };
  }),

  /** Anyone signed in with a proven email may create an event and becomes its owner. */
  create: authedProcedure.input(eventInputSchema).mutation(async ({ ctx, input }) => {
    requireProvenEmail(ctx.caller, "creating events");
    const event = await createEvent(ctx.db, ctx.caller.user.id, input);
    return { id: event.id, slug: event.slug };
  }),

  /** Owner and organizers edit what the tickets print: name, description, venue, times, zone. */
  update: eventProcedure("manage_event")
    .input(eventDetailsInputSchema)
    .mutation(({ ctx, input }) => updateEventDetails(ctx.db, ctx.event, ctx.caller, input)),

  setPublished: eventProcedure("manage_event")
    .input(z.object({ published: z.boolean({ error: "Choose published or not" }) }))
    .mutation(async ({ ctx, input }) => {
      if (input.published) requireProvenEmail(ctx.caller, "publishing events");
      await setEventPublished(ctx.db, ctx.event.id, input.published);
      return { id: ctx.event.id, published: input.published };
    }),
});
