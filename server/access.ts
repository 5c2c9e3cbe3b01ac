import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, eventMembers, events, orders, type Event, type Order } from "@/db/schema";
import type { Caller } from "@/server/auth/caller";
import { forbidden, notFound, unauthorized } from "@/server/errors";
import { looksLikeIdentifier } from "@/server/ids";

/**
 * Every authorization rule of Admit, in one place, deny by default. tRPC procedures, route
 * handlers and server pages all call these; none decides access on its own.
 *
 * Outcomes: no caller → 401; unknown or malformed id → 404; known but not allowed → 403.
 * Anonymous callers get 401 before any lookup, so they learn nothing about what exists.
 */

export type EventRole = "owner" | "organizer" | "registrar";

export function isStaff(caller: Caller | null): boolean {
  return caller?.user.role === "staff" || caller?.user.role === "admin";
}

export function isAdmin(caller: Caller | null): boolean {
  return caller?.user.role === "admin";
}

export function requireSignedIn(caller: Caller | null): Caller {
  if (!caller) throw unauthorized();
  return caller;
}

export function eventRoleOf(db: Db, userId: string, eventId: string): EventRole | null {
  const row = db
    .select({ role: eventMembers.role })
    .from(eventMembers)
    .where(and(eq(eventMembers.eventId, eventId), eq(eventMembers.userId, userId)))
    .get();
  return row?.role ?? null;
}

/** What a caller may do on one event. */
export type EventPermission =
  | "manage_team" // owner only
  | "manage_event" // owner, organizer: edit, orders, attendees, PDFs, exports, cancel, regenerate
  | "view_event" // owner, organizer, staff (read-only)
  | "check_in"; // owner, organizer, registrar

const PERMITTED_ROLES: Record<EventPermission, EventRole[]> = {
  manage_team: ["owner"],
  manage_event: ["owner", "organizer"],
  view_event: ["owner", "organizer"],
  check_in: ["owner", "organizer", "registrar"],
};

/** Staff read everything; admins also act as staff. Neither may change an event they aren't on. */
const STAFF_MAY: ReadonlySet<EventPermission> = new Set(["view_event"]);

export function can(db: Db, caller: Caller, eventId: string, permission: EventPermission): boolean {
  const role = eventRoleOf(db, caller.user.id, eventId);
  if (role && PERMITTED_ROLES[permission].includes(role)) return true;
  return isStaff(caller) && STAFF_MAY.has(permission);
}

/** Loads an event by id for a permission, or throws the right error. */
export function requireEventPermission(db: Db, caller: Caller | null, eventId: string, permission: EventPermission): Event {
  const signedIn = requireSignedIn(caller);
  if (!looksLikeIdentifier(eventId)) throw notFound("No such event");
  const event = db.select().from(events).where(eq(events.id, eventId)).get();
  if (!event) throw notFound("No such event");
  if (!can(db, signedIn, event.id, permission)) throw forbidden("You are not on this event's team");
  return event;
}

/**
 * How a caller sees an order: everything (buyer, the event's owner/organizer, staff) or only
 * the attendee rows they hold (their verified email matches the attendee's).
 */
export type OrderVisibility =
  | { scope: "all"; as: "buyer" | "owner" | "organizer" | "staff" }
  | { scope: "own"; as: "holder"; attendeeIds: string[] };

export function orderVisibility(db: Db, caller: Caller, order: Pick<Order, "id" | "buyerId" | "eventId">): OrderVisibility | null {
  if (order.buyerId === caller.user.id) return { scope: "all", as: "buyer" };
  const role = eventRoleOf(db, caller.user.id, order.eventId);
  if (role === "owner" || role === "organizer") return { scope: "all", as: role };
  if (isStaff(caller)) return { scope: "all", as: "staff" };
  // An unverified address proves nothing, so it holds no tickets.
  if (!caller.user.emailVerified) return null;
  const held = db
    .select({ id: attendees.id })
    .from(attendees)
    .where(and(eq(attendees.orderId, order.id), eq(attendees.emailNormalized, caller.user.email.toLowerCase())))
    .all();
  if (held.length === 0) return null;
  return { scope: "own", as: "holder", attendeeIds: held.map((a) => a.id) };
}

/** The one gate for an order (the order page, the REST API and the ticket PDFs all use it). */
export function requireOrderAccess(db: Db, caller: Caller | null, orderIdentifier: string): { order: Order; visibility: OrderVisibility } {
  const signedIn = requireSignedIn(caller);
  if (!looksLikeIdentifier(orderIdentifier)) throw notFound("No such order");
  const order = db.select().from(orders).where(eq(orders.id, orderIdentifier)).get();
  if (!order) throw notFound("No such order");
  const visibility = orderVisibility(db, signedIn, order);
  if (!visibility) throw new TRPCError({ code: "FORBIDDEN", message: "This order belongs to another account" });
  return { order, visibility };
}

/** Filters attendee rows down to what the visibility allows. */
export function visibleAttendees<T extends { id: string }>(rows: T[], visibility: OrderVisibility): T[] {
  if (visibility.scope === "all") return rows;
  const allowed = new Set(visibility.attendeeIds);
  return rows.filter((row) => allowed.has(row.id));
}
