import { TRPCError } from "@trpc/server";
import type { Db } from "@/db/client";
import type { Event } from "@/db/schema";
import { can, eventRoleOf, isStaff, requireEventPermission, type EventPermission, type EventRole } from "@/server/access";
import type { Caller } from "@/server/auth/caller";
import { forbidden } from "@/server/errors";

/** What the event dashboard may show one caller: each flag is a server/access.ts permission. */
export type EventDashboardAccess = {
  event: Event;
  /** The caller's place on the team, or null for staff who aren't on it. */
  role: EventRole | null;
  staff: boolean;
  may: { view: boolean; manage: boolean; manageTeam: boolean; checkIn: boolean };
};

/** The event when the caller holds `permission`, null when only that is missing (403). */
async function eventIfPermitted(db: Db, caller: Caller | null, eventId: string, permission: EventPermission): Promise<Event | null> {
  try {
    return await requireEventPermission(db, caller, eventId, permission);
  } catch (error) {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") return null;
    throw error;
  }
}

/**
 * The gate of the event dashboard pages. Someone who may neither view the event nor check people
 * in gets 403; anonymous 401 and unknown ids 404, exactly as the procedures behind the pages
 * answer. A registrar passes (on check-in alone), and the pages send them to the check-in screen.
 */
export async function eventDashboardAccess(db: Db, caller: Caller | null, eventId: string): Promise<EventDashboardAccess> {
  const event = (await eventIfPermitted(db, caller, eventId, "view_event")) ?? (await eventIfPermitted(db, caller, eventId, "check_in"));
  if (!event || !caller) throw forbidden("You are not on this event's team");
  const [role, view, manage, manageTeam, checkIn] = await Promise.all([
    eventRoleOf(db, caller.user.id, event.id),
    can(db, caller, event.id, "view_event"),
    can(db, caller, event.id, "manage_event"),
    can(db, caller, event.id, "manage_team"),
    can(db, caller, event.id, "check_in"),
  ]);
  return { event, role, staff: isStaff(caller), may: { view, manage, manageTeam, checkIn } };
}
