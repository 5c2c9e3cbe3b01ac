import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { db } from "@/db/client";
import { eventMembers, events, ticketTypes, users } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { config } from "@/server/config";
import { randomId } from "@/server/ids";
import { freshCredentials } from "@/server/tickets/credentials";

/**
 * `npm run db:seed:large -- [--attendees 100000]`: an event with a very large roster, for the
 * dashboard benchmarks. Orders of 1–4 attendees, realistic names, ~30% checked in, ~2% cancelled.
 * Written with one prepared statement per table inside a single transaction: 100,000 rows in a
 * few seconds instead of minutes.
 */
const FIRST = ["Ada", "Grace", "Linus", "Zoë", "José", "Aiko", "Mateo", "Fatima", "Olu", "Ingrid", "Chen", "Priya", "Łukasz", "Noor", "Sven", "Amara"];
const LAST = ["Lovelace", "Hopper", "Torvalds", "Nakamura", "García", "Okafor", "Nielsen", "Kowalski", "Haddad", "Singh", "Müller", "Rossi", "Silva", "Kim"];

export async function seedLargeEvent(attendeeCount: number): Promise<{ eventId: string; slug: string; ownerEmail: string }> {
  const database = db();
  const ownerEmail = "bigconf-owner@demo.test";
  const owner =
    database.select().from(users).where(eq(users.email, ownerEmail)).get() ??
    (await createUser(database, { email: ownerEmail, name: "Big Conf Owner", password: "demo-password", verified: true }));
  const now = Date.now();
  const eventId = randomId();
  const slug = `big-conf-${randomId(4).toLowerCase()}`;
  const typeIds = [randomId(), randomId(), randomId()];
  const client = database.$client;
  const insertOrder = client.prepare(
    "INSERT INTO orders (id, event_id, buyer_id, buyer_name, buyer_email, status, paid, total_cents, currency, created_at) VALUES (?, ?, ?, ?, ?, 'completed', 1, ?, 'EUR', ?)",
  );
  const insertAttendee = client.prepare(
    "INSERT INTO attendees (id, order_id, event_id, ticket_type_id, name, email, email_normalized, checkin_secret, door_code, status, cancelled_at, checked_in_at, checked_in_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  database.transaction((tx) => {
    tx.insert(events).values({ id: eventId, slug, name: "Big Conf", description: "A very large event for benchmarks.", venue: "Expo Center", startsAt: now + 30 * 86_400_000, endsAt: now + 32 * 86_400_000, timeZone: "Europe/Amsterdam", published: false, createdAt: now }).run();
    tx.insert(eventMembers).values({ eventId, userId: owner.id, role: "owner", createdAt: now }).run();
    tx.insert(ticketTypes)
      .values(["Regular", "Student", "Workshop"].map((name, i) => ({ id: typeIds[i], eventId, name, priceCents: [9900, 4900, 14900][i], quantity: attendeeCount, sold: 0, createdAt: now })))
      .run();
    let made = 0;
    let n = 0;
    while (made < attendeeCount) {
      const size = Math.min(1 + (n % 4), attendeeCount - made);
      const orderId = randomId();
      const buyerName = `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`;
      const buyerEmail = `buyer${n}@big.test`;
      const orderedAt = now - (attendeeCount - made) * 1000;
      insertOrder.run(orderId, eventId, owner.id, buyerName, buyerEmail, size * 9900, orderedAt);
      for (let i = 0; i < size; i++, made++) {
        const name = `${FIRST[(made * 5) % FIRST.length]} ${LAST[(made * 3) % LAST.length]} ${made}`;
        const email = `guest${made}@big.test`;
        const cancelled = made % 50 === 7;
        const checkedIn = !cancelled && made % 10 < 3;
        const { checkinSecret, doorCode } = freshCredentials();
        insertAttendee.run(randomId(), orderId, eventId, typeIds[made % 3], name, email, email, checkinSecret, doorCode, cancelled ? "cancelled" : "valid", cancelled ? now : null, checkedIn ? now : null, checkedIn ? owner.id : null, orderedAt);
      }
      n++;
    }
    for (const id of typeIds) {
      client.prepare("UPDATE ticket_types SET sold = (SELECT count(*) FROM attendees WHERE ticket_type_id = ? AND status = 'valid') WHERE id = ?").run(id, id);
    }
  });
  client.pragma("optimize");
  return { eventId, slug, ownerEmail };
}

if (process.argv[1]?.endsWith("seed-large.ts")) {
  const { values } = parseArgs({ options: { attendees: { type: "string", default: "100000" }, force: { type: "boolean", default: false } } });
  const count = Number(values.attendees);
  if (!Number.isInteger(count) || count < 1 || count > 5_000_000) {
    console.error("--attendees must be a whole number between 1 and 5,000,000");
    process.exit(2);
  }
  if (config().env === "production" && !values.force) {
    console.error("Refusing to seed benchmark data with NODE_ENV=production (pass --force to override).");
    process.exit(1);
  }
  const started = Date.now();
  seedLargeEvent(count).then(({ eventId, ownerEmail }) => {
    console.log(`Seeded ${count} attendees into event ${eventId} in ${Date.now() - started} ms (owner ${ownerEmail}, password demo-password)`);
  });
}
