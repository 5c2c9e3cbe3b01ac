import { stringify } from "csv-stringify";
import { Readable } from "node:stream";
import { eq } from "drizzle-orm";
import { openReadOnlyClient, type AppDb } from "@/db/client";
import { attendees, orders, ticketTypes } from "@/db/schema";
import { rosterWhere, type RosterFilter } from "./roster";

/**
 * Spreadsheets run cells starting with = + - @ (and tab/CR) as formulas; a leading apostrophe
 * makes them text. Applied to every text cell, since names and emails are attendee-controlled.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const HEADER = ["Attendee", "Email", "Ticket type", "Order", "Buyer", "Buyer email", "Status", "Checked in at (UTC)", "Ordered at (UTC)"];

/**
 * Streams the (filtered) attendee list as CSV, row by row from a SQLite cursor, so memory stays
 * flat however many attendees the event has. Access is checked by the caller of this function.
 */
export function attendeeCsvStream(db: AppDb, filter: RosterFilter): ReadableStream<Uint8Array> {
  const query = db
    .select({
      name: attendees.name,
      email: attendees.email,
      ticketType: ticketTypes.name,
      orderId: attendees.orderId,
      buyerName: orders.buyerName,
      buyerEmail: orders.buyerEmail,
      status: attendees.status,
      checkedInAt: attendees.checkedInAt,
      createdAt: attendees.createdAt,
    })
    .from(attendees)
    .innerJoin(ticketTypes, eq(ticketTypes.id, attendees.ticketTypeId))
    .innerJoin(orders, eq(orders.id, attendees.orderId))
    .where(rosterWhere(filter))
    .orderBy(attendees.name);
  const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
  const { sql: text, params } = query.toSQL();
  function* rows() {
    yield HEADER;
    const client = openReadOnlyClient();
    try {
      // Columns arrive in the select's order: name, email, type, order, buyer, buyer email, status, checked in, created.
      const cursor = client.prepare(text).raw().iterate(...params) as IterableIterator<[string, string, string, string, string, string, string, number | null, number]>;
      for (const [name, email, ticketType, orderId, buyerName, buyerEmail, status, checkedInAt, createdAt] of cursor) {
        yield [name, email, ticketType, orderId, buyerName, buyerEmail, status, iso(checkedInAt), iso(createdAt)].map(neutralizeFormula);
      }
    } finally {
      client.close();
    }
  }
  const csv = Readable.from(rows()).pipe(stringify({ bom: true }));
  return Readable.toWeb(csv) as ReadableStream<Uint8Array>;
}
