import "server-only";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { attendees, events, orders, ticketTypes, type Attendee, type Event, type Order } from "@/db/schema";
import { boughtByCaller, heldByCaller, isHeldByCaller, requireOrderAccess, visibleAttendees, type OrderVisibility } from "@/server/access";
import type { Caller } from "@/server/auth/caller";
import { eventSummaryColumns } from "@/server/events/service";
import { listDownloadHistory, type DownloadHistoryEntry } from "@/server/tickets/downloads";

/**
 * What pages and APIs show of orders. Check-in secrets are never selected here: the secret is
 * the ticket itself and only ever leaves the server inside the ticket PDF's QR code.
 */

export type EventSummary = Pick<Event, "id" | "slug" | "name" | "venue" | "startsAt" | "endsAt" | "timeZone" | "cancelledAt">;

export type AttendeeView = Pick<Attendee, "id" | "name" | "email" | "ticketTypeId" | "status" | "checkedInAt"> & {
  ticketTypeName: string;
  priceCents: number;
};

export type OrderView = {
  /** Why the caller sees it; holders see only their own attendee rows and not the buyer's details. */
  access: OrderVisibility["as"];
  order: Pick<Order, "id" | "status" | "paid" | "currency" | "createdAt" | "buyerName"> & {
    buyerEmail: string | null;
    totalCents: number | null;
  };
  event: EventSummary;
  attendees: AttendeeView[];
};

/** The order as shown; the buyer's email and the total only to those who see the whole order. */
function orderSummary(order: Order, whole: boolean): OrderView["order"] {
  return {
    id: order.id,
    status: order.status,
    paid: order.paid,
    currency: order.currency,
    createdAt: order.createdAt,
    buyerName: order.buyerName,
    buyerEmail: whole ? order.buyerEmail : null,
    totalCents: whole ? order.totalCents : null,
  };
}


const attendeeColumns = {
  id: attendees.id,
  orderId: attendees.orderId,
  name: attendees.name,
  email: attendees.email,
  emailNormalized: attendees.emailNormalized,
  ticketTypeId: attendees.ticketTypeId,
  status: attendees.status,
  checkedInAt: attendees.checkedInAt,
  ticketTypeName: ticketTypes.name,
  priceCents: ticketTypes.priceCents,
};

type AttendeeRow = AttendeeView & { orderId: string; emailNormalized: string };

async function attendeesOfOrders(db: Db, orderIds: string[]): Promise<AttendeeRow[]> {
  if (orderIds.length === 0) return [];
  return db
    .select(attendeeColumns)
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .where(inArray(attendees.orderId, orderIds))
    .orderBy(asc(attendees.createdAt), asc(attendees.id));
}

const toView = ({ orderId: _orderId, emailNormalized: _email, ...attendee }: AttendeeRow): AttendeeView => attendee;

/** One order as the caller may see it: 401 anonymous, 404 unknown/malformed, 403 not theirs. */
export async function getOrderView(db: Db, caller: Caller | null, orderIdentifier: string): Promise<OrderView> {
  const { order, visibility } = await requireOrderAccess(db, caller, orderIdentifier);
  return orderViewOf(db, order, visibility);
}

/** The order-completion page: the order view plus the ticket download history the caller may see. */
export async function getOrderPage(db: Db, caller: Caller | null, orderIdentifier: string): Promise<OrderView & { downloads: DownloadHistoryEntry[] }> {
  const { order, visibility } = await requireOrderAccess(db, caller, orderIdentifier);
  const downloads = await listDownloadHistory(db, order, { userId: caller!.user.id, visibility });
  return { ...(await orderViewOf(db, order, visibility)), downloads };
}

/** An order as one visibility allows (see requireOrderAccess). */
export async function orderViewOf(db: Db, order: Order, visibility: OrderVisibility): Promise<OrderView> {
  const [[event], orderAttendees] = await Promise.all([
    db.select(eventSummaryColumns).from(events).where(eq(events.id, order.eventId)).limit(1),
    attendeesOfOrders(db, [order.id]),
  ]);
  const rows = visibleAttendees(orderAttendees, visibility).map(toView);
  const whole = visibility.scope === "all";
  return {
    access: visibility.as,
    order: orderSummary(order, whole),
    event,
    attendees: rows,
  };
}

export type MyOrder = OrderView & { access: "buyer" | "holder" };

/**
 * "My tickets": orders I bought (every attendee) and orders in which I hold tickets (only my
 * rows, matched by my verified email), newest first. Being on an event's team doesn't put other
 * people's orders here; that's what the dashboard is for.
 */
export async function listMyOrders(db: Db, caller: Caller): Promise<MyOrder[]> {
  const me = caller.user.id;
  const bought = await db
    .select({ order: orders, event: eventSummaryColumns })
    .from(orders)
    .innerJoin(events, eq(events.id, orders.eventId))
    .where(boughtByCaller(caller));

  const held = heldByCaller(caller);
  const heldRows = held
    ? await db
        .select({ orderId: attendees.orderId })
        .from(attendees)
        .innerJoin(orders, eq(orders.id, attendees.orderId))
        .where(and(held, ne(orders.buyerId, me)))
    : [];
  const heldOrderIds = [...new Set(heldRows.map((r) => r.orderId))];
  const heldOrders = heldOrderIds.length
    ? await db
        .select({ order: orders, event: eventSummaryColumns })
        .from(orders)
        .innerJoin(events, eq(events.id, orders.eventId))
        .where(inArray(orders.id, heldOrderIds))
    : [];

  const all = await attendeesOfOrders(db, [...bought.map((b) => b.order.id), ...heldOrderIds]);
  const byOrder = new Map<string, typeof all>();
  for (const row of all) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);

  const view = (order: Order, event: EventSummary, access: "buyer" | "holder"): MyOrder => {
    const rows = byOrder.get(order.id) ?? [];
    const mine = access === "buyer" ? rows : rows.filter((row) => isHeldByCaller(caller, row));
    return {
      access,
      order: orderSummary(order, access === "buyer"),
      event,
      attendees: mine.map(toView),
    };
  };

  return [
    ...bought.map(({ order, event }) => view(order, event, "buyer")),
    ...heldOrders.map(({ order, event }) => view(order, event, "holder")),
  ].sort((a, b) => b.order.createdAt - a.order.createdAt || (a.order.id < b.order.id ? -1 : 1));
}

/**
 * What an order link's page shows before it is followed: the event of the order its landing path
 * (`/orders/{orderIdentifier}…`) names. Only the link's holder sees it, and it names no person.
 */
export async function orderLanding(db: Db, landingPath: string): Promise<Pick<Event, "name" | "venue" | "startsAt" | "endsAt" | "timeZone"> | null> {
  const orderIdentifier = /^\/orders\/([A-Za-z0-9_-]{16,64})(?:[?#]|$)/.exec(landingPath)?.[1];
  if (!orderIdentifier) return null;
  const [landing] = await db
    .select({ name: events.name, venue: events.venue, startsAt: events.startsAt, endsAt: events.endsAt, timeZone: events.timeZone })
    .from(orders)
    .innerJoin(events, eq(events.id, orders.eventId))
    .where(eq(orders.id, orderIdentifier))
    .limit(1);
  return landing ?? null;
}
