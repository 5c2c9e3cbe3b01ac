import "server-only";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { prepared } from "@/db/prepared";
import { attendees, eventMembers, events, orders, type Event, type Order } from "@/db/schema";
import type { Caller } from "@/server/auth/caller";
import type { Scope } from "@/server/auth/scopes";
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

/** Bearer tokens carry a subset of scopes (browser sessions carry all); a missing one is 403. */
export function requireScope(caller: Caller, scope: Scope): void {
  if (!caller.scopes.has(scope)) throw forbidden(`This token lacks the ${scope} scope`);
}

/**
 * What a bearer token needs, for every tRPC procedure (by path) and every route handler (by
 * method and file path under app/). A scope: tokens holding it. "any-token": every live token
 * (who am I, sign out, public reads). "browser-only": refused to every token, whatever its
 * scopes: the account, devices, team and staff console act with a person at the keyboard.
 * "no-credentials": the route reads no credentials at all (sign-in endpoints).
 *
 * Deny by default: a procedure or route missing here refuses every bearer token, and the
 * privilege matrix fails until it is declared. Browser sessions hold every scope, so for them
 * only the role and resource rules below decide.
 */
export type BearerRule = Scope | "any-token" | "browser-only" | "no-credentials";

export const BEARER_ACCESS = {
  "auth.me": "any-token",
  "auth.register": "browser-only",
  "auth.requestSignInLink": "browser-only",
  "auth.followLink": "browser-only",
  "auth.renewLink": "browser-only",
  "auth.resendVerification": "browser-only",
  "auth.changePassword": "browser-only",
  "devices.list": "browser-only",
  "devices.revoke": "browser-only",
  "devices.revokeOthers": "browser-only",
  "events.listPublished": "any-token",
  "events.bySlug": "any-token",
  "events.mine": "events:manage",
  "events.checkInCounts": "checkin:write",
  "events.create": "events:manage",
  "events.update": "events:manage",
  "events.setPublished": "events:manage",
  "events.cancel": "events:manage",
  "events.deleteDraft": "events:manage",
  "orders.place": "browser-only",
  "orders.get": "orders:read",
  "orders.mine": "orders:read",
  "orders.resendTicketEmail": "browser-only",
  "checkin.scan": "checkin:write",
  "checkin.undo": "checkin:write",
  "checkin.recent": "checkin:write",
  "attendees.list": "events:manage",
  "attendees.forCheckIn": "checkin:write",
  "attendees.orders": "events:manage",
  "attendees.cancel": "events:manage",
  "attendees.cancelOrder": "events:manage",
  "attendees.regenerateSecret": "events:manage",
  "attendees.regenerateOrderSecrets": "events:manage",
  "attendees.markPaid": "events:manage",
  "attendees.auditLog": "events:manage",
  "attendees.resendOrderEmails": "events:manage",
  "ticketTypes.create": "events:manage",
  "ticketTypes.update": "events:manage",
  "ticketTypes.remove": "events:manage",
  "team.list": "browser-only",
  "team.add": "browser-only",
  "team.remove": "browser-only",
  "team.invitations": "browser-only",
  "team.revokeInvitation": "browser-only",
  "team.setRole": "browser-only",
  "admin.users": "browser-only",
  "admin.setRole": "browser-only",
  "admin.events": "browser-only",
  "admin.sessions": "browser-only",
  "admin.revokeSession": "browser-only",
  "admin.mails": "browser-only",
  "admin.retryMail": "browser-only",

  "POST /api/v1/auth/token": "no-credentials",
  "POST /api/v1/auth/refresh": "no-credentials",
  "POST /api/v1/auth/logout": "any-token",
  "GET /api/v1/me": "any-token",
  "GET /api/v1/orders": "orders:read",
  "GET /api/v1/orders/[orderIdentifier]": "orders:read",
  "POST /api/v1/checkin": "checkin:write",
  "GET /api/events/[eventId]/attendees.csv": "events:manage",
  "GET /tickets/[orderIdentifier]": "tickets:read",
  "HEAD /tickets/[orderIdentifier]": "tickets:read",
  "GET /tickets/[orderIdentifier]/[attendeeIdentifier]": "tickets:read",
  "HEAD /tickets/[orderIdentifier]/[attendeeIdentifier]": "tickets:read",
  "GET /tickets/[orderIdentifier]/[attendeeIdentifier]/qr.svg": "tickets:read",
  "GET /events/[slug]/calendar.ics": "no-credentials",
  "GET /api/health": "no-credentials",
} as const satisfies Record<string, BearerRule>;

export type AccessKey = keyof typeof BEARER_ACCESS;

export function bearerRuleOf(key: string): BearerRule | undefined {
  return (BEARER_ACCESS as Record<string, BearerRule>)[key];
}

/** Applies BEARER_ACCESS to a caller; cookie callers pass (they act in the UI and hold every scope). */
export function requireBearerAccess(caller: Caller, key: string): void {
  if (caller.via !== "bearer") return;
  const rule = bearerRuleOf(key);
  if (rule === undefined || rule === "browser-only" || rule === "no-credentials") {
    throw forbidden("This can't be done with an API token; use the Admit website");
  }
  if (rule !== "any-token") requireScope(caller, rule);
}

/**
 * Creating and publishing events need a proven email: an event mails its buyers and shows its
 * owner's words on a public page, so nobody should do that from an address they don't control.
 */
export function requireProvenEmail(caller: Caller, doing: string): void {
  if (!caller.user.emailVerified) {
    throw forbidden(`Confirm your email address before ${doing}: open the link we emailed you, or send a new one from your Account page.`);
  }
}

export function requireStaff(caller: Caller): void {
  if (!isStaff(caller)) throw forbidden("Staff only");
}

export function requireAdmin(caller: Caller): void {
  if (!isAdmin(caller)) throw forbidden("Admins only");
}

const roleStatement = (db: Db) =>
  db
    .select({ role: eventMembers.role })
    .from(eventMembers)
    .where(and(eq(eventMembers.eventId, sql.placeholder("eventId")), eq(eventMembers.userId, sql.placeholder("userId"))));

export async function eventRoleOf(db: Db, userId: string, eventId: string): Promise<EventRole | null> {
  const [row] = await prepared(db, "event-role", roleStatement).execute({ eventId, userId });
  return row?.role ?? null;
}

/** What a caller may do on one event. */
export type EventPermission =
  | "manage_team" // owner only
  | "manage_event" // owner, organizer: edit, orders, attendees, PDFs, exports, cancel, regenerate
  | "view_event" // owner, organizer, staff (read-only)
  | "check_in" // owner, organizer, registrar
  | "view_counts"; // owner, organizer, registrar, staff: the live figures of the door and the dashboard header

const PERMITTED_ROLES: Record<EventPermission, EventRole[]> = {
  manage_team: ["owner"],
  manage_event: ["owner", "organizer"],
  view_event: ["owner", "organizer"],
  check_in: ["owner", "organizer", "registrar"],
  view_counts: ["owner", "organizer", "registrar"],
};

/** Staff read everything; admins also act as staff. Neither may change an event they aren't on. */
const STAFF_MAY: ReadonlySet<EventPermission> = new Set(["view_event", "view_counts"]);

/** What an event role alone allows (pages use it to offer only what the role may do). */
export function roleMay(role: EventRole | null, permission: EventPermission): boolean {
  return role !== null && PERMITTED_ROLES[permission].includes(role);
}

export async function can(db: Db, caller: Caller, eventId: string, permission: EventPermission): Promise<boolean> {
  if (roleMay(await eventRoleOf(db, caller.user.id, eventId), permission)) return true;
  return isStaff(caller) && STAFF_MAY.has(permission);
}

/** Loads an event by id for a permission, or throws the right error. */
export async function requireEventPermission(db: Db, caller: Caller | null, eventId: string, permission: EventPermission): Promise<Event> {
  const signedIn = requireSignedIn(caller);
  if (!looksLikeIdentifier(eventId)) throw notFound("No such event");
  const [event] = await db.select().from(events).where(eq(events.id, eventId));
  if (!event) throw notFound("No such event");
  if (!(await can(db, signedIn, event.id, permission))) throw forbidden("You are not on this event's team");
  return event;
}

/**
 * The address whose attendee rows a caller holds: their email, lower-cased, once verified.
 * An unverified address proves nothing, so it holds no tickets.
 */
function holderEmailOf(caller: Caller): string | null {
  return caller.user.emailVerified ? caller.user.email.toLowerCase() : null;
}

/** The holder rule as a query condition on attendee rows, or null when the caller holds nothing. */
export function heldByCaller(caller: Caller): SQL | null {
  const email = holderEmailOf(caller);
  return email ? eq(attendees.emailNormalized, email) : null;
}

/** The holder rule for one attendee row already loaded. */
export function isHeldByCaller(caller: Caller, row: { emailNormalized: string }): boolean {
  const email = holderEmailOf(caller);
  return email !== null && row.emailNormalized === email;
}

/**
 * The buyer rule: the account that placed the order, except that an order marked
 * buyerMustProveEmail (a guest's, or a pending registration's that someone replaced) waits until
 * the account's email is proven: an unproven account is only a claim on an address.
 */
export function isBuyerOf(caller: Caller, order: Pick<Order, "buyerId" | "buyerMustProveEmail">): boolean {
  return order.buyerId === caller.user.id && (!order.buyerMustProveEmail || caller.user.emailVerified);
}

/** The buyer rule as a query condition on orders. */
export function boughtByCaller(caller: Caller): SQL {
  const mine = eq(orders.buyerId, caller.user.id);
  return caller.user.emailVerified ? mine : and(mine, eq(orders.buyerMustProveEmail, false))!;
}

/** Staff keep order in the whole system, but an admin's sessions are only an admin's business. */
export function requireMayRevokeSessionsOf(caller: Caller, owner: { role: string }): void {
  requireStaff(caller);
  if (owner.role === "admin" && !isAdmin(caller)) throw forbidden("Only an admin can sign an admin out");
}

/** Buyers' and holders' IP addresses are personal data: in an event's history only staff see them. */
export function maySeeIpAddresses(caller: Caller): boolean {
  return isStaff(caller);
}

/**
 * Published events are public. A draft exists only for its team and for staff (who read
 * everything); to anyone else it is "not found", so drafts can't be discovered by slug.
 */
export async function canViewEvent(db: Db, caller: Caller | null, event: Pick<Event, "id" | "published">): Promise<boolean> {
  if (event.published) return true;
  if (!caller) return false;
  return isStaff(caller) || (await eventRoleOf(db, caller.user.id, event.id)) !== null;
}

/** Buying needs a published event, except for its team placing test orders before launch; guests (no caller) buy only published. */
export async function canBuyFromEvent(db: Db, caller: Caller | null, event: Pick<Event, "id" | "published">): Promise<boolean> {
  return event.published || (caller !== null && (await eventRoleOf(db, caller.user.id, event.id)) !== null);
}

const heldStatement = (db: Db) =>
  db
    .select({ id: attendees.id })
    .from(attendees)
    .where(and(eq(attendees.orderId, sql.placeholder("orderId")), eq(attendees.emailNormalized, sql.placeholder("email"))));

// By primary key: no LIMIT, which SQLite would compile again on every run (db/prepared.ts).
const orderStatement = (db: Db) => db.select().from(orders).where(eq(orders.id, sql.placeholder("id")));

/**
 * How a caller sees an order: everything (buyer, the event's owner/organizer, staff) or only
 * the attendee rows they hold (their verified email matches the attendee's).
 */
export type OrderVisibility =
  | { scope: "all"; as: "buyer" | "owner" | "organizer" | "staff" }
  | { scope: "own"; as: "holder"; attendeeIds: string[] };

export async function orderVisibility(db: Db, caller: Caller, order: Pick<Order, "id" | "buyerId" | "eventId" | "buyerMustProveEmail">): Promise<OrderVisibility | null> {
  if (isBuyerOf(caller, order)) return { scope: "all", as: "buyer" };
  const role = await eventRoleOf(db, caller.user.id, order.eventId);
  if (role === "owner" || role === "organizer") return { scope: "all", as: role };
  if (isStaff(caller)) return { scope: "all", as: "staff" };
  const holderEmail = holderEmailOf(caller);
  if (!holderEmail) return null;
  const held = await prepared(db, "held-attendees", heldStatement).execute({ orderId: order.id, email: holderEmail });
  if (held.length === 0) return null;
  return { scope: "own", as: "holder", attendeeIds: held.map((a) => a.id) };
}

/** The one gate for an order (the order page, the REST API and the ticket PDFs all use it). */
export async function requireOrderAccess(db: Db, caller: Caller | null, orderIdentifier: string): Promise<{ order: Order; visibility: OrderVisibility }> {
  const signedIn = requireSignedIn(caller);
  if (!looksLikeIdentifier(orderIdentifier)) throw notFound("No such order");
  const [order] = await prepared(db, "order-by-id", orderStatement).execute({ id: orderIdentifier });
  if (!order) throw notFound("No such order");
  const visibility = await orderVisibility(db, signedIn, order);
  if (!visibility) throw forbidden("This order belongs to another account");
  return { order, visibility };
}

/**
 * Sending a ticket's mail again from the order page: the buyer (any ticket of the order) and a
 * holder (their own, see visibleAttendees). The event's team resends through the dashboard.
 */
export function requireMayResendTicketMail(visibility: OrderVisibility): void {
  if (visibility.as !== "buyer" && visibility.as !== "holder") throw forbidden("Only the buyer or the ticket's holder can send its email again");
}

/** Filters attendee rows down to what the visibility allows. */
export function visibleAttendees<T extends { id: string }>(rows: T[], visibility: OrderVisibility): T[] {
  if (visibility.scope === "all") return rows;
  const allowed = new Set(visibility.attendeeIds);
  return rows.filter((row) => allowed.has(row.id));
}

/**
 * One attendee of an order the caller already passed `requireOrderAccess` for. Not in this order
 * (malformed, unknown, or another order's) → 404, so an attendee id learns nothing across
 * orders. In this order but not visible (another holder's ticket) → 403, like the order itself:
 * the caller knows the order exists, and "not yours" is the honest answer.
 */
export async function requireVisibleAttendee(
  db: Db,
  order: Pick<Order, "id" | "eventId">,
  visibility: OrderVisibility,
  attendeeIdentifier: string,
): Promise<{ id: string }> {
  if (!looksLikeIdentifier(attendeeIdentifier)) throw notFound("No such ticket");
  const [attendee] = await db
    .select({ id: attendees.id })
    .from(attendees)
    .where(and(eq(attendees.id, attendeeIdentifier), eq(attendees.orderId, order.id), eq(attendees.eventId, order.eventId)))
    .limit(1);
  if (!attendee) throw notFound("No such ticket");
  if (visibleAttendees([attendee], visibility).length === 0) throw forbidden("This ticket belongs to another attendee");
  return attendee;
}

/**
 * Whose ticket downloads of an order a viewer may see in its history: full-view callers (buyer,
 * owner, organizer, staff) everyone's (null); a holder only their own, since the others name
 * people and tickets that aren't theirs.
 */
export function ticketDownloadsVisibleOnlyBy(viewerId: string, visibility: OrderVisibility): string | null {
  return visibility.scope === "all" ? null : viewerId;
}
