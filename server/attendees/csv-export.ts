import { stringify } from "csv-stringify/sync";
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

const BATCH_ROWS = 1000;

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
  let client: ReturnType<typeof openReadOnlyClient> | undefined;
  let cursor: IterableIterator<unknown[]> | undefined;
  const encoder = new TextEncoder();
  // The statement and its read-only connection are released on every way out: the last row, a
  // failing statement, and a client that goes away (cancel). Each leak would hold file descriptors.
  const close = () => {
    try {
      cursor?.return?.();
    } finally {
      cursor = undefined;
      client?.close();
      client = undefined;
    }
  };
  // Pulled in batches: one chunk per ~1,000 rows keeps per-chunk stream overhead negligible,
  // while memory holds one batch at a time however long the roster is.
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      try {
        if (!client) {
          // Opened on the first read, so a response nobody reads holds no connection.
          client = openReadOnlyClient();
          cursor = client.prepare(text).raw().iterate(...params) as IterableIterator<unknown[]>;
          controller.enqueue(encoder.encode("\uFEFF" + stringify([HEADER])));
        }
        const batch: string[][] = [];
        for (let next = cursor!.next(); ; next = cursor!.next()) {
          if (next.done) break;
          // Columns arrive in the select's order.
          const [name, email, ticketType, orderId, buyerName, buyerEmail, status, checkedInAt, createdAt] = next.value as [string, string, string, string, string, string, string, number | null, number];
          batch.push([name, email, ticketType, orderId, buyerName, buyerEmail, status, iso(checkedInAt), iso(createdAt)].map(neutralizeFormula));
          if (batch.length === BATCH_ROWS) break;
        }
        if (batch.length) controller.enqueue(encoder.encode(stringify(batch)));
        if (batch.length < BATCH_ROWS) {
          close();
          controller.close();
        }
      } catch (error) {
        close();
        throw error; // errors the stream: the download is cut short rather than passed off as complete
      }
    },
    cancel: close,
  });
}
