import "server-only";
import { stringify } from "csv-stringify/sync";
import { eq } from "drizzle-orm";
import { queryBatches } from "@/db/batches";
import type { AppDb } from "@/db/client";
import { attendees, orders, ticketTypes } from "@/db/schema";
import { rosterWhere, type RosterFilter } from "./roster";

/**
 * Spreadsheets run cells starting with = + - @ (and tab/CR) as formulas; a leading apostrophe
 * makes them text. Applied to every text cell, since names and emails are attendee-controlled.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const BATCH_ROWS = 1000;

const HEADER = ["Attendee", "Email", "Ticket type", "Order", "Buyer", "Buyer email", "Status", "Checked in at (UTC)", "Ordered at (UTC)"];

/**
 * Streams the (filtered) attendee list as CSV, batch by batch from a database cursor, so memory stays
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
  const encoder = new TextEncoder();
  let batches: AsyncGenerator<unknown[][]> | undefined;
  // Pulled in batches: one chunk per ~1,000 rows keeps per-chunk stream overhead negligible,
  // while memory holds one batch at a time however long the roster is.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // The header goes out with the first batch, so a response that has sent anything holds
        // its connection until the end (or a cancel).
        const header = batches ? "" : "\uFEFF" + stringify([HEADER]);
        batches ??= queryBatches(db, query, BATCH_ROWS);
        const next = await batches.next();
        if (next.done) {
          if (header) controller.enqueue(encoder.encode(header));
          controller.close();
          return;
        }
        const lines = next.value.map((values) => {
          // Columns arrive in the select's order.
          const [name, email, ticketType, orderId, buyerName, buyerEmail, status, checkedInAt, createdAt] = values as [string, string, string, string, string, string, string, number | null, number];
          return [name, email, ticketType, orderId, buyerName, buyerEmail, status, iso(checkedInAt), iso(createdAt)].map(neutralizeFormula);
        });
        controller.enqueue(encoder.encode(header + stringify(lines)));
      } catch (error) {
        // The cursor and its connection are released on every way out (the last batch, a failing
        // statement, a client that goes away): each leak would hold file descriptors.
        await batches?.return(undefined);
        throw error; // errors the stream: the download is cut short rather than passed off as complete
      }
    },
    async cancel() {
      await batches?.return(undefined);
    },
    // Pulled only when read: a response nobody reads opens no cursor and holds no connection.
  }, { highWaterMark: 0 });
}
