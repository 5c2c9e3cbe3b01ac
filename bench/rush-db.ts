import { and, count, eq, notInArray, sql } from "drizzle-orm";
import { db, migrateDb } from "@/db/client";
import { attendees, orders, ticketTypes, users, type User } from "@/db/schema";
import { createBrowserSession } from "@/server/auth/sessions";
import { hashPassword } from "@/server/auth/passwords";
import { randomId } from "@/server/ids";
import { insertEvent } from "@/server/testing/inserts";

/**
 * The database side of bench/rush.ts, run in a child process on the database under test (the
 * dialect is fixed per process by DATABASE_URL):
 * - `seed <buyers> <seats>`: migrates, makes one published event with `seats` tickets and
 *   `buyers` verified accounts with a browser session each; prints their ids and cookies as JSON.
 * - `check <ticketTypeId>`: prints what the rush left: seats sold, attendees, orders, orders
 *   without their attendees, attendees without an order.
 */
const [command, ...args] = process.argv.slice(2);
const database = db();
await migrateDb(database);

if (command === "seed") {
  const [buyers, seats] = args.map(Number);
  const event = await insertEvent(database, "Rush Conf", { ticketType: { name: "General", priceCents: 0, quantity: seats } });
  // One password hash for all: accounts are inserted directly, as 200 argon2 hashes would take a while.
  const passwordHash = await hashPassword(randomId());
  const now = Date.now();
  const rows: User[] = Array.from({ length: buyers }, (_, i) => ({
    id: randomId(),
    email: `buyer-${i}@rush.test`,
    name: `Buyer ${i}`,
    passwordHash,
    role: "user",
    emailVerifiedAt: now,
    createdAt: now,
  }));
  await database.insert(users).values(rows);
  const cookies: string[] = [];
  for (const user of rows) cookies.push((await createBrowserSession(database, user.id, { device: "rush", ip: "127.0.0.1" })).secret);
  console.log(JSON.stringify({ eventId: event.id, ticketTypeId: event.ticketTypeId, buyers: rows.map((u, i) => ({ email: u.email, name: u.name, secret: cookies[i] })) }));
} else if (command === "check") {
  const [ticketTypeId] = args;
  const [type] = await database.select().from(ticketTypes).where(eq(ticketTypes.id, ticketTypeId));
  const [{ n: attendeeRows }] = await database.select({ n: count() }).from(attendees).where(eq(attendees.ticketTypeId, ticketTypeId));
  const [{ n: orderRows }] = await database.select({ n: count() }).from(orders).where(eq(orders.eventId, type.eventId));
  const withoutAttendees = await database
    .select({ n: count() })
    .from(orders)
    .where(and(eq(orders.eventId, type.eventId), sql`not exists (select 1 from ${attendees} where ${attendees.orderId} = ${orders.id})`));
  const orderIds = database.select({ id: orders.id }).from(orders);
  const [{ n: orphans }] = await database.select({ n: count() }).from(attendees).where(notInArray(attendees.orderId, orderIds));
  console.log(JSON.stringify({ quantity: type.quantity, sold: type.sold, attendeeRows, orderRows, ordersWithoutAttendees: withoutAttendees[0].n, attendeesWithoutOrder: orphans }));
}
await database.$admit.close();
