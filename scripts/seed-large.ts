import { parseArgs } from "node:util";
import { and, count, eq, sql } from "drizzle-orm";
import { db, execute, transaction } from "@/db/client";
import { attendees, eventMembers, events, orders, ticketTypes, users, type Attendee, type Order } from "@/db/schema";
import { createUser } from "@/server/auth/accounts";
import { config } from "@/server/config";
import { randomId } from "@/server/ids";
import { freshCredentials } from "@/server/tickets/credentials";

/**
 * `npm run db:seed:large -- [--attendees 100000]`: an event with a very large roster, for the
 * dashboard benchmarks. Orders of 1–4 attendees, realistic names, ~30% checked in, ~2% cancelled.
 * Written in multi-row inserts inside a single transaction: 100,000 rows in seconds, not minutes.
 */
const FIRST = ["Ada", "Grace", "Linus", "Zoë", "José", "Aiko", "Mateo", "Fatima", "Olu", "Ingrid", "Chen", "Priya", "Łukasz", "Noor", "Sven", "Amara"];
const LAST = ["Lovelace", "Hopper", "Torvalds", "Nakamura", "García", "Okafor", "Nielsen", "Kowalski", "Haddad", "Singh", "Müller", "Rossi", "Silva", "Kim"];

export async function seedLargeEvent(attendeeCount: number): Promise<{ eventId: string; slug: string; ownerEmail: string }> {
  const database = db();
  const ownerEmail = "bigconf-owner@demo.test";
  const [existing] = await database.select().from(users).where(eq(users.email, ownerEmail)).limit(1);
  const owner = existing ?? (await createUser(database, { email: ownerEmail, name: "Big Conf Owner", password: "demo-password", verified: true }));
  const now = Date.now();
  const eventId = randomId();
  const slug = `big-conf-${randomId(4).toLowerCase()}`;
  const typeIds = [randomId(), randomId(), randomId()];
  await transaction(database, async (tx) => {
    await tx.insert(events).values({ id: eventId, slug, name: "Big Conf", description: "A very large event for benchmarks.", venue: "Expo Center", startsAt: now + 30 * 86_400_000, endsAt: now + 32 * 86_400_000, timeZone: "Europe/Amsterdam", published: false, createdAt: now });
    await tx.insert(eventMembers).values({ eventId, userId: owner.id, role: "owner", createdAt: now });
    await tx
      .insert(ticketTypes)
      .values(["Regular", "Student", "Workshop"].map((name, i) => ({ id: typeIds[i], eventId, name, priceCents: [9900, 4900, 14900][i], quantity: attendeeCount, sold: 0, createdAt: now })));
    let orderRows: Order[] = [];
    let attendeeRows: Attendee[] = [];
    const flush = async () => {
      if (orderRows.length) await tx.insert(orders).values(orderRows);
      if (attendeeRows.length) await tx.insert(attendees).values(attendeeRows);
      orderRows = [];
      attendeeRows = [];
    };
    let made = 0;
    let n = 0;
    while (made < attendeeCount) {
      const size = Math.min(1 + (n % 4), attendeeCount - made);
      const orderId = randomId();
      const orderedAt = now - (attendeeCount - made) * 1000;
      orderRows.push({ id: orderId, eventId, buyerId: owner.id, buyerName: `${FIRST[n % FIRST.length]} ${LAST[(n * 7) % LAST.length]}`, buyerEmail: `buyer${n}@big.test`, buyerMustProveEmail: false, status: "completed", paid: true, totalCents: size * 9900, currency: "EUR", createdAt: orderedAt });
      for (let i = 0; i < size; i++, made++) {
        const email = `guest${made}@big.test`;
        const cancelled = made % 50 === 7;
        const checkedIn = !cancelled && made % 10 < 3;
        attendeeRows.push({
          id: randomId(),
          orderId,
          eventId,
          ticketTypeId: typeIds[made % 3],
          name: `${FIRST[(made * 5) % FIRST.length]} ${LAST[(made * 3) % LAST.length]} ${made}`,
          email,
          emailNormalized: email,
          ...freshCredentials(),
          status: cancelled ? "cancelled" : "valid",
          cancelledAt: cancelled ? now : null,
          checkedInAt: checkedIn ? now : null,
          checkedInBy: checkedIn ? owner.id : null,
          createdAt: orderedAt,
        });
      }
      n++;
      // Multi-row inserts of ~1,000 attendees: 100,000 rows in seconds, within every dialect's parameter limit.
      if (attendeeRows.length >= 1000) await flush();
    }
    await flush();
    for (const id of typeIds) {
      const valid = tx.select({ n: count() }).from(attendees).where(and(eq(attendees.ticketTypeId, id), eq(attendees.status, "valid")));
      await tx.update(ticketTypes).set({ sold: sql`(${valid})` }).where(eq(ticketTypes.id, id));
    }
  });
  // Fresh statistics, so the planner knows the roster is big.
  await execute(database, sql`ANALYZE`);
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
