import "server-only";
import { and, asc, eq, ne, notExists, or, sql } from "drizzle-orm";
import { transaction, type Db } from "@/db/client";
import { attendees, ticketTypes, type Event, type TicketType } from "@/db/schema";
import { recordAudit } from "@/server/audit";
import type { Caller } from "@/server/auth/caller";
import { fieldError } from "@/server/errors";
import { zonedLocalToUtc } from "@/server/events/time";
import { looksLikeIdentifier, randomId } from "@/server/ids";
import type { TicketTypeSettings } from "./schemas";

/**
 * Ticket types after the event is created. What's sold is never undone by an edit: the quantity
 * can't go below the seats sold and the price can't change once one is, each enforced by the
 * UPDATE's own condition, so a sale committing between our read and our write can't slip under.
 * A type with sales (or with cancelled tickets that still name it) is hidden, never deleted.
 * Every function acts on an event the caller was authorized for (eventProcedure("manage_event")).
 */

type Window = { salesStartAt: number | null; salesEndAt: number | null };

/** The sale window in UTC, or a 400 naming the field: skipped times, inverted, or ending after the event. */
function resolveWindow(event: Pick<Event, "timeZone" | "endsAt">, input: Pick<TicketTypeSettings, "salesStartsAtLocal" | "salesEndsAtLocal">): Window {
  const skipped = `The clocks skip this time in ${event.timeZone}; pick another`;
  const problems: Record<string, string> = {};
  const at = (local: string, field: string) => {
    if (local === "") return null;
    const utc = zonedLocalToUtc(local, event.timeZone);
    if (utc === null) problems[field] = skipped;
    return utc;
  };
  const salesStartAt = at(input.salesStartsAtLocal, "salesStartsAtLocal");
  const salesEndAt = at(input.salesEndsAtLocal, "salesEndsAtLocal");
  if (salesStartAt !== null && salesEndAt !== null && salesEndAt <= salesStartAt) problems.salesEndsAtLocal = "Sales must close after they open";
  else if (salesEndAt !== null && salesEndAt > event.endsAt) problems.salesEndsAtLocal = "Sales must close by the end of the event";
  else if (salesStartAt !== null && salesStartAt >= event.endsAt) problems.salesStartsAtLocal = "Sales must open before the event ends";
  if (Object.keys(problems).length) throw fieldError("BAD_REQUEST", problems);
  return { salesStartAt, salesEndAt };
}

async function requireUniqueName(db: Db, eventId: string, name: string, exceptId?: string) {
  const clash = (await db
    .select({ id: ticketTypes.id })
    .from(ticketTypes)
    .where(and(eq(ticketTypes.eventId, eventId), sql`lower(${ticketTypes.name}) = ${name.toLowerCase()}`, exceptId ? ne(ticketTypes.id, exceptId) : undefined)).limit(1))[0];
  if (clash) throw fieldError("CONFLICT", { name: "Another ticket type of this event has this name" });
}

async function typeOf(db: Db, eventId: string, ticketTypeId: string): Promise<TicketType> {
  const type = looksLikeIdentifier(ticketTypeId)
    ? (await db.select().from(ticketTypes).where(and(eq(ticketTypes.id, ticketTypeId), eq(ticketTypes.eventId, eventId))).limit(1))[0]
    : undefined;
  if (!type) throw fieldError("NOT_FOUND", { ticketTypeId: "No such ticket type at this event" }, "No such ticket type");
  return type;
}

const settingsOf = (input: TicketTypeSettings, window: Window) => ({
  name: input.name,
  description: input.description,
  priceCents: input.priceCents,
  quantity: input.quantity,
  maxPerOrder: input.maxPerOrder,
  hidden: input.hidden,
  ...window,
});

/** The settings page's list: every type, hidden ones included, with what's sold. */
export async function ticketTypesForSettings(db: Db, eventId: string): Promise<TicketType[]> {
  return (await db.select().from(ticketTypes).where(eq(ticketTypes.eventId, eventId)).orderBy(asc(ticketTypes.createdAt), asc(ticketTypes.id)));
}

export function createTicketType(db: Db, event: Event, caller: Caller, input: TicketTypeSettings, now = Date.now()) {
  const window = resolveWindow(event, input);
  return transaction(db, async (tx) => {
    await requireUniqueName(tx, event.id, input.name);
    // The event's one currency: an order never mixes currencies.
    const currency = (await tx.select({ currency: ticketTypes.currency }).from(ticketTypes).where(eq(ticketTypes.eventId, event.id)).limit(1))[0]?.currency ?? "EUR";
    const type = { id: randomId(), eventId: event.id, currency, sold: 0, createdAt: now, ...settingsOf(input, window) };
    await tx.insert(ticketTypes).values(type);
    await recordAudit(tx, { eventId: event.id, caller, action: "ticket_type_created", detail: { ticketTypeId: type.id, name: type.name } }, now);
    return { id: type.id };
  });
}

export function updateTicketType(db: Db, event: Event, caller: Caller, input: TicketTypeSettings & { ticketTypeId: string }, now = Date.now()) {
  const window = resolveWindow(event, input);
  return transaction(db, async (tx) => {
    const before = (await typeOf(tx, event.id, input.ticketTypeId));
    await requireUniqueName(tx, event.id, input.name, before.id);
    const settings = settingsOf(input, window);
    const updated = await tx
      .update(ticketTypes)
      .set(settings)
      .where(
        and(
          eq(ticketTypes.id, before.id),
          sql`${ticketTypes.sold} <= ${input.quantity}`,
          or(eq(ticketTypes.sold, 0), eq(ticketTypes.priceCents, input.priceCents)),
        ),
      ).returning({ id: ticketTypes.id });
    if (updated.length !== 1) {
      const current = (await typeOf(tx, event.id, before.id));
      const sold = `${current.sold} ${current.sold === 1 ? "is" : "are"} already sold`;
      const problems: Record<string, string> = {};
      if (current.sold > input.quantity) problems.quantity = `${sold}; put at least ${current.sold} on sale`;
      if (current.sold > 0 && current.priceCents !== input.priceCents) problems.priceCents = `The price can't change once tickets are sold (${sold})`;
      throw fieldError("BAD_REQUEST", problems);
    }
    const changed = (Object.keys(settings) as Array<keyof typeof settings>).filter((key) => settings[key] !== before[key]);
    await recordAudit(tx, { eventId: event.id, caller, action: "ticket_type_updated", detail: { ticketTypeId: before.id, name: input.name, changed } }, now);
    return { id: before.id };
  });
}

/**
 * Deletes a type nobody ever bought; one that has sold (even tickets cancelled since) is hidden
 * instead, since its tickets still name it. One conditional DELETE decides, so a sale can't
 * commit between the check and the delete.
 */
export function removeTicketType(db: Db, event: Event, caller: Caller, ticketTypeId: string, now = Date.now()): Promise<{ outcome: "deleted" | "hidden" }> {
  return transaction(db, async (tx): Promise<{ outcome: "deleted" | "hidden" }> => {
    const type = (await typeOf(tx, event.id, ticketTypeId));
    const deleted = await tx
      .delete(ticketTypes)
      .where(
        and(
          eq(ticketTypes.id, type.id),
          eq(ticketTypes.sold, 0),
          notExists(tx.select({ one: sql`1` }).from(attendees).where(eq(attendees.ticketTypeId, type.id))),
        ),
      ).returning({ id: ticketTypes.id });
    const outcome = deleted.length === 1 ? "deleted" : "hidden";
    if (outcome === "hidden") (await tx.update(ticketTypes).set({ hidden: true }).where(eq(ticketTypes.id, type.id)));
    await recordAudit(tx, { eventId: event.id, caller, action: outcome === "deleted" ? "ticket_type_deleted" : "ticket_type_hidden", detail: { ticketTypeId: type.id, name: type.name } }, now);
    return { outcome };
  });
}
